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

// budgetGate decides, before a run, what its month's budgets allow: at 100%
// nothing runs; from 80% the policy's cheaper model is used.
func (w *work) budgetGate(ctx context.Context, p policy.Policy) (model string, refusal string, err error) {
	s, err := w.spent(ctx)
	if err != nil {
		return "", "", err
	}
	level := budgetLevel(p, s)
	switch {
	case level >= policy.BudgetExhausted:
		reason := fmt.Sprintf("this month's budget is spent (%s)", budgetText(p, s))
		w.decide(ctx, policy.Decision{Rule: "budget.monthly", Reason: reason})
		return "", reason, nil
	case level >= policy.BudgetDowngrade && p.CheapModel != "" && p.CheapModel != p.Model:
		w.decide(ctx, policy.Decision{Allow: true, Rule: "budget.downgrade",
			Reason: fmt.Sprintf("%s; using the cheaper model %s", budgetText(p, s), p.CheapModel)})
		return p.CheapModel, "", nil
	}
	w.decide(ctx, policy.Decision{Allow: true, Rule: "budget.monthly", Reason: budgetText(p, s)})
	return p.Model, "", nil
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
