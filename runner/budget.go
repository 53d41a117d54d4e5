package runner

import (
	"context"
	"errors"
	"fmt"

	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
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
		tell(ctx, w.req.gh, w.req.replyTo, msg) // a notice of its own, beside the run's progress
	}
}

// errBudgetSpent stops a run whose month's budget ran out during it.
var errBudgetSpent = errors.New("this month's budget ran out during the run")

// reserveBudget holds the run's per-run cap of the month's budgets before
// any model call, and settles where a resumed run's ledger continues: its
// next call's number and what it has spent. A run whose cap or budgets are
// already taken is refused on the thread.
func (w *work) reserveBudget(ctx context.Context) (bool, error) {
	st := &w.state
	calls, err := w.Store.ModelCalls(ctx, w.run.ID)
	if err != nil {
		return false, err
	}
	spent, err := w.Store.RunCost(ctx, w.run.ID)
	if err != nil {
		return false, err
	}
	st.prior = priorSpend{calls: lastSeq(calls), cost: policy.Money(spent)}
	if policy.RunCapReached(st.prior.cost, st.pol.MaxCostPerRun) {
		w.fail(ctx, fmt.Sprintf("it reached this repository's cap of %s for one run (%s spent)", st.pol.MaxCostPerRun, st.prior.cost), errCostCap)
		return true, nil
	}
	ok, err := w.Store.Reserve(ctx, store.Reservation{RunID: w.run.ID, Repo: w.req.repo.FullName(), InstallationID: w.req.repo.InstallationID,
		HeldMicros: int64(policy.RunReservation(st.pol, st.prior.cost)),
		Budgets:    store.Budgets{Repo: int64(st.pol.MonthlyBudget), Installation: int64(st.pol.MonthlyBudgetInstallation)}})
	if err != nil {
		return false, err
	}
	if !ok {
		d := policy.BudgetHeld(st.pol, st.before)
		w.decide(ctx, d)
		w.deny(ctx, d.Reason, fmt.Sprintf("LifeOS did not start: %s. Label the issue again once they end.", d.Reason))
		return true, nil
	}
	st.reserved = true
	return false, nil
}

// priorSpend is what earlier attempts of a resumed run recorded.
type priorSpend struct {
	calls int // the number of its last recorded call
	cost  policy.Money
}

// lastSeq is the number of the last of a run's recorded calls, 0 for none.
func lastSeq(calls []store.ModelCall) int {
	n := 0
	for _, c := range calls {
		n = max(n, c.Seq)
	}
	return n
}

// release drops the run's reservation when its work returns, whatever the
// end; a retry reserves again.
func (w *work) release(ctx context.Context) {
	if !w.state.reserved {
		return
	}
	if err := w.Store.Release(context.WithoutCancel(ctx), w.run.ID); err != nil {
		w.log.Error().Err(err).Msg("Could not release the run's budget reservation")
	}
}

// checkSpend stops the run once the month's spending after a charged call
// reaches a monthly budget.
func (w *work) checkSpend(ctx context.Context, s store.Spending) error {
	d := policy.BudgetRanOut(w.state.pol, policy.Spend{Repo: policy.Money(s.Repo), Installation: policy.Money(s.Installation)})
	if d.Allow {
		return nil
	}
	w.decide(ctx, d)
	w.state.budgetStop = d.Reason
	return errBudgetSpent
}
