package runner

import (
	"context"
	"errors"
	"fmt"

	"github.com/lifeos/lifeos/policy"
)

// errCostCap stops a run that reached its policy's cost per run.
var errCostCap = errors.New("the run reached its cost cap")

// spend is this month's spending of a repository and its installation.
type spend struct {
	repo, installation policy.Money
}

func (w *work) spent(ctx context.Context) (spend, error) {
	repo, inst, err := w.Store.Spent(ctx, w.req.repo.String(), w.req.job.args.InstallationID)
	if err != nil {
		return spend{}, err
	}
	return spend{repo: policy.Money(repo), installation: policy.Money(inst)}, nil
}

// budgetLevel is the higher of the repository's and installation's levels.
func budgetLevel(p policy.Policy, s spend) policy.Level {
	return max(policy.BudgetLevel(s.repo, p.MonthlyBudget), policy.BudgetLevel(s.installation, p.MonthlyBudgetInstallation))
}

// refusal is why the gate stops a run before any model call: reason is
// stored with the run, comment is posted on its thread.
type refusal struct {
	reason, comment string
}

// budgetGate decides, before a run, what its month's budgets allow: at 100%
// nothing runs; from 80% the policy's cheaper model is used. Money binds
// only if every model the run may call has a price, so a run whose model
// (or the cheaper one it would switch to) has none is refused.
func (w *work) budgetGate(ctx context.Context, p policy.Policy) (model string, refused *refusal, err error) {
	s, err := w.spent(ctx)
	if err != nil {
		return "", nil, err
	}
	level := budgetLevel(p, s)
	primary := p.Model
	if primary == "" {
		primary = w.ModelName // run.go's fallback for a policy without a model
	}
	model, budget := primary, policy.Decision{Allow: true, Rule: "budget.monthly", Reason: budgetText(p, s)}
	switch {
	case level >= policy.BudgetExhausted:
		reason := fmt.Sprintf("this month's budget is spent (%s)", budgetText(p, s))
		w.decide(ctx, policy.Decision{Rule: "budget.monthly", Reason: reason})
		return "", &refusal{reason: reason,
			comment: fmt.Sprintf("LifeOS did not start: %s. New runs resume next month, or when the budget is raised.", reason)}, nil
	case level >= policy.BudgetDowngrade && p.CheapModel != "" && p.CheapModel != primary:
		model = p.CheapModel
		budget = policy.Decision{Allow: true, Rule: "budget.downgrade",
			Reason: fmt.Sprintf("%s; using the cheaper model %s", budgetText(p, s), p.CheapModel)}
	}
	w.decide(ctx, budget)
	for _, m := range []string{primary, model} {
		if d := policy.PriceDecision(w.Prices, m); !d.Allow {
			w.decide(ctx, d)
			return "", &refusal{reason: d.Reason, comment: fmt.Sprintf("LifeOS did not start: %s.", d.Reason)}, nil
		}
	}
	return model, nil, nil
}

// budgetNotices tells the thread when this run's spending crossed 50%, 80%
// or 100% of a monthly budget: once per threshold, by the run that crossed.
func (w *work) budgetNotices(ctx context.Context, p policy.Policy, before spend) {
	after, err := w.spent(ctx)
	if err != nil {
		w.log.Error().Err(err).Msg("Could not read spending for budget notices")
		return
	}
	for _, b := range []struct {
		what                 string
		before, after, limit policy.Money
	}{
		{"this repository's", before.repo, after.repo, p.MonthlyBudget},
		{"this installation's", before.installation, after.installation, p.MonthlyBudgetInstallation},
	} {
		for _, l := range policy.CrossedLevels(b.before, b.after, b.limit) {
			msg := fmt.Sprintf("LifeOS has spent %s of %s %s monthly budget.", b.after, b.what, b.limit)
			switch l {
			case policy.BudgetNotice:
				msg += " This is a notice at 50%."
			case policy.BudgetDowngrade:
				msg += fmt.Sprintf(" From 80%%, runs use the cheaper model %s.", p.CheapModel)
			case policy.BudgetExhausted:
				msg += " New runs are refused until next month or until the budget is raised."
			}
			w.decide(ctx, policy.Decision{Allow: true, Rule: "budget.notice", Reason: msg})
			w.tell(ctx, w.gh, w.req.repo, w.req.replyTo, msg)
		}
	}
}

func budgetText(p policy.Policy, s spend) string {
	repo, inst := "no limit", "no limit"
	if p.MonthlyBudget > 0 {
		repo = p.MonthlyBudget.String()
	}
	if p.MonthlyBudgetInstallation > 0 {
		inst = p.MonthlyBudgetInstallation.String()
	}
	return fmt.Sprintf("spent %s of the repository's %s and %s of the installation's %s this month", s.repo, repo, s.installation, inst)
}
