package runner

import (
	"context"
	"errors"
	"fmt"

	"github.com/lifeos/lifeos/policy"
)

// errCostCap stops a run that reached its policy's cost per run.
var errCostCap = errors.New("the run reached its cost cap")

// spent is this month's spending of the run's repository and installation.
func (w *work) spent(ctx context.Context) (policy.Spend, error) {
	repo, inst, err := w.Store.Spent(ctx, w.req.repo.FullName(), w.req.repo.InstallationID)
	if err != nil {
		return policy.Spend{}, err
	}
	return policy.Spend{Repo: policy.Money(repo), Installation: policy.Money(inst)}, nil
}

// checkBudget applies policy.BudgetGate before any model call: the model
// the month's budgets allow, or a refusal said on the thread.
func (w *work) checkBudget(ctx context.Context) (bool, error) {
	st := &w.state
	s, err := w.spent(ctx)
	if err != nil {
		return false, err
	}
	model, decisions, ok := policy.BudgetGate(st.pol, s, w.ModelName, w.Prices)
	for _, d := range decisions {
		w.decide(ctx, d)
	}
	if !ok {
		last := decisions[len(decisions)-1]
		say := fmt.Sprintf("LifeOS did not start: %s.", last.Reason)
		if last.Rule == policy.RuleBudgetMonthly {
			say += " New runs resume next month, or when the budget is raised."
		}
		w.deny(ctx, last.Reason, say)
		return true, nil
	}
	st.model, st.before = model, s
	st.out.Model = model
	return false, nil
}

// budgetNotices tells the thread when this run's spending crossed 50%, 80%
// or 100% of a monthly budget: once per threshold, by the run that crossed.
func (w *work) budgetNotices(ctx context.Context) {
	after, err := w.spent(ctx)
	if err != nil {
		w.log.Error().Err(err).Msg("Could not read spending for budget notices")
		return
	}
	for _, msg := range policy.BudgetNotices(w.state.pol, w.state.before, after) {
		w.decide(ctx, policy.Decision{Allow: true, Rule: policy.RuleBudgetNotice, Reason: msg})
		w.tell(ctx, msg)
	}
}
