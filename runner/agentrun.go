package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/secrets"
	"github.com/lifeos/lifeos/store"
	"github.com/lifeos/lifeos/workspace"
)

// This file runs the agent over the snapshot and decides what its ending
// means: stopped, over the cap, rejected, failed, a plan, no change, or a
// change to write back (writeback.go).

// meter records each model call of a run and enforces its cost cap, the
// month's budgets and a stop asked on another replica. A resumed run's
// meter starts from what its earlier attempts recorded (seq is the last
// call's number, cost their cost), so numbering and the cap continue.
type meter struct {
	w      *work
	seq    int
	cost   policy.Money
	tokens int64 // this attempt's, for the progress comment
}

// onCall records one call's usage and cost; an error stops the agent.
func (m *meter) onCall(ctx context.Context, u agent.Usage) error {
	w := m.w
	m.seq++
	if err := w.Store.RecordCall(ctx, store.ModelCall{RunID: w.run.ID, Seq: m.seq, Model: u.Model,
		PromptTokens: u.PromptTokens, CachedTokens: u.CachedPromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}); err != nil {
		w.log.Error().Err(err).Msg("Could not record model usage")
	}
	cost := w.Prices.CallCost(u.Model, u.PromptTokens, u.CachedPromptTokens, u.CompletionTokens)
	spent, err := w.Store.Charge(ctx, store.Charge{RunID: w.run.ID, Seq: m.seq, Repo: w.req.repo.FullName(),
		InstallationID: w.req.repo.InstallationID, Model: u.Model, CostMicros: int64(cost)})
	if err != nil {
		return fmt.Errorf("record the cost of a model call: %w", err) // never spend off the books
	}
	m.cost += cost
	m.tokens += u.TotalTokens
	w.progressWorking(m.seq, m.tokens, m.cost)
	w.metrics().ModelUsage(w.req.repo.FullName(), u.Model, u.PromptTokens, u.CompletionTokens, int64(cost))
	if err := w.checkSpend(ctx, spent); err != nil {
		return err
	}
	if policy.RunCapReached(m.cost, w.state.pol.MaxCostPerRun) {
		w.decide(ctx, policy.Decision{Rule: "limits.max_cost_per_run",
			Reason: fmt.Sprintf("the run spent %s, its cap is %s", m.cost, w.state.pol.MaxCostPerRun)})
		return errCostCap
	}
	if stop, err := w.Store.CancelRequested(ctx, w.run.ID); err == nil && stop {
		return errStopped
	}
	return nil
}

// review checks a change set against the policy before anything is
// pushed; the agent gets one chance to repair a violation.
func (w *work) review(ctx context.Context, violations *[]policy.Violation) func([]workspace.Change) string {
	return func(changes []workspace.Change) string {
		*violations = guardChanges(w.state.pol, w.state.snap, changes, w.OwnSecrets)
		for _, v := range *violations {
			w.decide(ctx, policy.Decision{Rule: v.Rule, Reason: v.Path + ": " + v.Reason})
		}
		if len(*violations) == 0 {
			return ""
		}
		return "The change breaks the repository's policy. Undo or change these and call finish again:\n" + policy.FormatViolations(*violations)
	}
}

// runAgent lets the agent work, stoppable by /lifeos stop, and hands its
// result on.
func (w *work) runAgent(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w.track(w.run.ID, cancel)
	defer w.untrack(w.run.ID)

	st, req := &w.state, w.req
	m := &meter{w: w, seq: st.prior.calls, cost: st.prior.cost}
	var violations []policy.Violation
	a := &agent.Agent{Model: w.Model, ModelName: st.model, Limits: st.limits, Log: w.log,
		Review: w.review(ctx, &violations), OnCall: m.onCall, Now: w.now}
	res, runErr := a.Run(ctx, agent.Task{
		Repo: req.repo.FullName(),
		Issue: agent.Issue{Number: req.issueNumber, Title: req.issue.Title, Body: req.issue.Body,
			Author: req.issue.Author, AuthorRole: st.issueAuthorRole},
		Comments:         st.comments,
		Instructions:     req.instructions,
		PreviousSummary:  st.previousSummary,
		RepoInstructions: st.instructions,
		PlanOnly:         req.planOnly,
		Schedule:         req.scheduleName(),
		MayPropose:       policy.MayPropose(st.pol),
		IsSecret:         func(p string) bool { _, secret := policy.IsSecretPath(st.pol, p); return secret },
	}, workspace.New(st.snap))
	blankOwnSecrets(res, w.OwnSecrets)
	w.record(res)
	if done, err := w.agentStopped(ctx, res, runErr, m.cost, violations); done || err != nil {
		return err
	}
	return w.finishResult(ctx, res)
}

// record copies the agent's usage and transcript into the outcome.
func (w *work) record(res *agent.Result) {
	out := &w.state.out
	out.Turns, out.TotalTokens, out.Summary = res.Turns, res.Tokens, secrets.Scrub(res.Summary)
	for _, c := range res.Calls {
		out.PromptTokens += c.PromptTokens
		out.CompletionTokens += c.CompletionTokens
	}
	if t, err := json.Marshal(scrubTranscript(res.Transcript)); err == nil {
		out.Transcript = string(t)
	}
}

// agentStopped handles an agent that ended without finishing.
func (w *work) agentStopped(ctx context.Context, res *agent.Result, runErr error, cost policy.Money, violations []policy.Violation) (bool, error) {
	var postpone *agent.PostponeError
	switch {
	case errors.Is(runErr, errStopped) || errors.Is(context.Cause(ctx), errStopped):
		out := w.state.out
		out.Status, out.Error = store.StatusCancelled, errStopped.Error()
		w.conclude(out)
		w.tell(ctx, fmt.Sprintf("LifeOS stopped run %d as asked, after %d turns; nothing was pushed.", w.run.ID, res.Turns))
	case errors.Is(runErr, errBudgetSpent):
		w.fail(ctx, w.state.budgetStop, runErr)
	case w.checkpointable(ctx, res, runErr):
		why := describeStop(res, w.state.limits, runErr)
		if errors.Is(runErr, errCostCap) {
			why = fmt.Sprintf("it reached this repository's cap of %s for one run (%s spent)", w.state.pol.MaxCostPerRun, cost)
		}
		return true, w.checkpoint(ctx, res, why)
	case errors.Is(runErr, errCostCap):
		w.fail(ctx, fmt.Sprintf("it reached this repository's cap of %s for one run (%s spent)", w.state.pol.MaxCostPerRun, cost), runErr)
	case errors.Is(runErr, agent.ErrRejected):
		w.fail(ctx, "its change still broke the repository's policy after one repair:\n\n"+policy.FormatViolations(violations), runErr)
	case errors.As(runErr, &postpone):
		// The endpoint asked for a long wait: nothing was pushed; the job
		// waits without spending an attempt and its retry resumes the run.
		w.log.Warn().Err(runErr).Time("until", postpone.Until).Msg("Model endpoint asked to wait; run postponed")
		return true, river.JobSnooze(postpone.Wait)
	case runErr != nil && ctx.Err() != nil:
		// Shutdown or timeout: nothing was pushed; leave the run to the
		// job's retry.
		return true, fmt.Errorf("run %d interrupted: %w", w.run.ID, runErr)
	case runErr != nil:
		w.fail(ctx, describeStop(res, w.state.limits, runErr), runErr)
	default:
		return false, nil
	}
	return true, nil
}

// finishResult ends a finished agent's run: proposals, then a plan, no
// change, or the change written back.
func (w *work) finishResult(ctx context.Context, res *agent.Result) error {
	w.openProposals(ctx, res.Proposals)
	out := w.state.out
	if w.req.planOnly {
		out.Status = store.StatusPlanned
		w.conclude(out)
		next := "Comment `/lifeos retry` to have it carried out."
		if w.state.awaitingApproval || policy.NeedsPlanApproval(w.state.pol) {
			next = "This repository asks for approval before code: a maintainer comments `/lifeos approve` to have it carried out."
		}
		w.tell(ctx, fmt.Sprintf("**LifeOS plan** (run %d, no code changed):\n\n%s\n\n%s", w.run.ID, strings.TrimSpace(res.Summary), next))
		return nil
	}
	if len(res.Changes) == 0 {
		out.Status = store.StatusNoChange
		w.conclude(out)
		if w.req.schedule != nil {
			return nil // a firing with nothing to do posts nothing: recorded only
		}
		w.tell(ctx, fmt.Sprintf("LifeOS looked at this and made no change.\n\n%s", quote(res.Summary)))
		return nil
	}
	return w.writeBack(ctx, res)
}

// fail records a failed run and says so on the thread. why, in plain
// words, is what people read, on the thread and in /lifeos status; err
// goes to the log only (its writer blanks secrets). The job itself
// succeeds: a retry would spend the model again on the same failure.
func (w *work) fail(ctx context.Context, why string, err error) {
	w.log.Error().Err(err).Str("reason", why).Msg("Run failed")
	out := w.state.out
	out.Status, out.Error = store.StatusFailed, why
	w.conclude(out)
	w.tell(ctx, fmt.Sprintf("LifeOS could not finish: %s.\n\nRun %d stopped after %d turns and %d tokens.",
		why, w.run.ID, out.Turns, out.TotalTokens))
}
