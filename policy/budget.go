// Budget decisions before and after a run: the gate, its wording and the threshold notices.

package policy

import "fmt"

// Rules of the budget decisions.
const (
	// RuleBudgetMonthly records the month's spending against the budgets
	// (Allow true) or that they are spent (Allow false).
	RuleBudgetMonthly = "budget.monthly"
	// RuleBudgetDowngrade records the switch to the cheap model.
	RuleBudgetDowngrade = "budget.downgrade"
	// RuleBudgetNotice records a threshold notice posted by BudgetNotices'
	// caller.
	RuleBudgetNotice = "budget.notice"
)

// Spend is a month's spending of a repository and of its installation.
type Spend struct{ Repo, Installation Money }

// level is the higher of the repository's and the installation's levels.
func (s Spend) level(p Policy) Level {
	return max(BudgetLevel(s.Repo, p.MonthlyBudget), BudgetLevel(s.Installation, p.MonthlyBudgetInstallation))
}

// BudgetGate decides, before a run, which model the month's budgets allow
// and whether the run may start at all. fallback is the server's model for
// a policy that names none. From BudgetDowngrade on, the policy's cheap
// model is used when it differs; at BudgetExhausted nothing runs; a run
// whose model, or the cheap model it would switch to, has no price in
// prices is refused (PriceDecision), because money would not bind.
// decisions are in the order taken, each with its rule and reason; ok is
// false when the last decision refuses the run. A price decision is among
// them only when it refuses.
func BudgetGate(p Policy, s Spend, fallback string, prices PriceTable) (model string, decisions []Decision, ok bool) {
	primary := or(p.Model, fallback)
	text := BudgetText(p, s)
	level := s.level(p)
	if level >= BudgetExhausted {
		return "", []Decision{{Rule: RuleBudgetMonthly, Reason: fmt.Sprintf("this month's budget is spent (%s)", text)}}, false
	}
	model = primary
	budget := Decision{Allow: true, Rule: RuleBudgetMonthly, Reason: text}
	if level >= BudgetDowngrade && p.CheapModel != "" && p.CheapModel != primary {
		model = p.CheapModel
		budget = Decision{Allow: true, Rule: RuleBudgetDowngrade, Reason: fmt.Sprintf("%s; using the cheaper model %s", text, p.CheapModel)}
	}
	decisions = []Decision{budget}
	for _, m := range []string{primary, model} {
		if d := PriceDecision(prices, m); !d.Allow {
			return "", append(decisions, d), false
		}
	}
	return model, decisions, true
}

// BudgetText describes s against p's budgets, for reasons and comments:
// "spent $0.10 of the repository's $1.00 and $0.10 of the installation's no limit this month".
func BudgetText(p Policy, s Spend) string {
	repo, inst := "no limit", "no limit"
	if p.MonthlyBudget > 0 {
		repo = p.MonthlyBudget.String()
	}
	if p.MonthlyBudgetInstallation > 0 {
		inst = p.MonthlyBudgetInstallation.String()
	}
	return fmt.Sprintf("spent %s of the repository's %s and %s of the installation's %s this month", s.Repo, repo, s.Installation, inst)
}

// BudgetNotices are the notices a run that moved spending from before to
// after must post: one per threshold (50%, 80%, 100%) it crossed, for the
// repository's and the installation's budgets.
func BudgetNotices(p Policy, before, after Spend) []string {
	var out []string
	for _, b := range []struct {
		what                 string
		before, after, limit Money
	}{
		{"this repository's", before.Repo, after.Repo, p.MonthlyBudget},
		{"this installation's", before.Installation, after.Installation, p.MonthlyBudgetInstallation},
	} {
		for _, l := range CrossedLevels(b.before, b.after, b.limit) {
			msg := fmt.Sprintf("LifeOS has spent %s of %s %s monthly budget.", b.after, b.what, b.limit)
			switch l {
			case BudgetNotice:
				msg += " This is a notice at 50%."
			case BudgetDowngrade:
				msg += fmt.Sprintf(" From 80%%, runs use the cheaper model %s.", p.CheapModel)
			case BudgetExhausted:
				msg += " New runs are refused until next month or until the budget is raised."
			}
			out = append(out, msg)
		}
	}
	return out
}

// BudgetRanOut decides, after a charged call, whether the run may make
// another: once the month's spending s reaches the repository's or the
// installation's budget the run stops, so runs that started together
// overshoot by at most the one call each was making.
func BudgetRanOut(p Policy, s Spend) Decision {
	if s.level(p) >= BudgetExhausted {
		return Decision{Rule: RuleBudgetMonthly, Reason: "this month's budget ran out during the run: " + BudgetText(p, s)}
	}
	return Decision{Allow: true, Rule: RuleBudgetMonthly, Reason: BudgetText(p, s)}
}

// BudgetHeld is the refusal of a run whose month still has budget left,
// all of it held by runs in progress (each holds its per-run cap).
func BudgetHeld(p Policy, s Spend) Decision {
	return Decision{Rule: RuleBudgetMonthly, Reason: fmt.Sprintf(
		"what is left of this month's budget is held by runs in progress (%s)", BudgetText(p, s))}
}

// RunReservation is what a run holds of the month's budgets when it
// starts: its per-run cap less what it already spent (a resumed run), or
// nothing when the policy sets no cap.
func RunReservation(p Policy, spentByRun Money) Money {
	if p.MaxCostPerRun <= 0 || spentByRun >= p.MaxCostPerRun {
		return 0
	}
	return p.MaxCostPerRun - spentByRun
}
