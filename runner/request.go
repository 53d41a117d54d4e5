package runner

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// request is a run to make: what started it and what the agent is told.
// Each workflow fills one from its job; code makes the run.
type request struct {
	jobID    int64
	delivery jobs.Delivery
	repo     jobs.Repo
	gh       GitHub
	trigger  string // label, retry, plan, approve, review, ci
	// actor asked for the run; empty for a run no person started (CI).
	actor string
	// actorRole is the actor's role once known; a label run asks GitHub
	// first (checkActor).
	actorRole   string
	checkActor  bool
	label       string // the label that triggered a label run
	issueNumber int
	// issue is the issue's text as the trigger carried it; nil takes the
	// text recorded at the trusted trigger.
	issue        *jobs.Issue
	prNumber     int // the LifeOS PR the event came from, if any
	replyTo      int // where progress is told: the issue, or the PR
	instructions string
	planOnly     bool
	comments     []agent.Comment // trusted review comments to add to the prompt
	// progressID is the comment that said the command was queued; the
	// run takes it over as its progress comment (0 for none).
	progressID int64
	// schedule is the schedule a firing works for (nil for every other
	// run); its runs write names.ScheduleBranch, not an issue's branch.
	schedule *store.Schedule
	// waitTurn makes the job wait while another run on the issue is
	// active; otherwise the delivery is dropped (a second label is not a
	// queue).
	waitTurn bool
}

// code records a run and works it through the pipeline (work.do).
func (r *Runner) code(ctx context.Context, req *request) error {
	log := zerolog.Ctx(ctx).With().Str("trigger", req.trigger).Logger() // the job named the issue
	run, err := r.Store.StartRun(ctx, store.NewRun{
		Repo: req.repo.FullName(), InstallationID: req.repo.InstallationID, IssueNumber: req.issueNumber,
		DeliveryID: req.delivery.ID, JobID: req.jobID, Trigger: req.trigger, Actor: req.actor, Status: store.StatusRunning,
	})
	switch {
	case errors.Is(err, store.ErrDuplicateDelivery):
		log.Info().Msg("Delivery already handled; nothing to do")
		return nil
	case errors.Is(err, store.ErrActiveRun) && req.waitTurn:
		// Another run started since the job looked: wait for its end.
		log.Info().Int64("active_run", run.ID).Msg("Waiting for the issue's active run to finish")
		return waitErr(r.Store.AddWaiter(ctx, req.repo.FullName(), req.issueNumber, req.jobID))
	case errors.Is(err, store.ErrActiveRun):
		log.Info().Int64("active_run", run.ID).Msg("Issue already has an active run; trigger ignored")
		return nil
	case err != nil:
		return err
	}
	log = log.With().Int64("run", run.ID).Logger()
	w := &work{Runner: r, req: req, run: run, log: log}
	return w.do(log.WithContext(ctx))
}

// work is one run in progress: the request, the run's record, and what
// the pipeline's steps have learnt so far.
type work struct {
	*Runner
	req *request
	run *store.Run
	log zerolog.Logger
	// outcome is stored when do returns, after every comment and notice,
	// so a finished run means GitHub has been told everything.
	outcome *store.Outcome
	state   runState
	// progress is the run's progress comment, once posted or found.
	progress *progress
}

// conclude sets the run's outcome, stored when the run's work returns.
func (w *work) conclude(out store.Outcome) {
	w.outcome = &out
}

// storeOutcome stores the outcome set by conclude, if any, and wakes the
// jobs that waited for this run.
func (w *work) storeOutcome(ctx context.Context) {
	if w.outcome == nil {
		return
	}
	// The outcome must be stored even when the job's context is ending.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := w.Store.FinishRun(sctx, w.run.ID, *w.outcome); err != nil {
		w.log.Error().Err(err).Msg("Could not store the run's outcome")
	} else {
		w.runEnded(w.run, w.outcome.Status)
	}
	w.wakeWaiters(sctx, w.req.repo.FullName(), w.req.issueNumber)
}

// decide logs a decision with the audit key and stores it with the run.
func (w *work) decide(ctx context.Context, d policy.Decision) {
	audit(w.log, d)
	if err := w.Store.RecordDecision(ctx, w.run.ID, d.Allow, d.Rule, d.Reason); err != nil {
		w.log.Error().Err(err).Msg("Could not store a policy decision")
	}
}

// tell says how the run ended on its thread: its progress comment
// becomes the end, or a comment says it.
func (w *work) tell(ctx context.Context, body string) {
	w.sayEnd(ctx, body)
}

// deny ends the run before any model call: the reason is stored, and said
// on the thread unless say is empty.
func (w *work) deny(ctx context.Context, reason, say string) {
	out := w.state.out
	out.Status, out.Error = store.StatusDenied, reason
	w.conclude(out)
	if say != "" {
		w.tell(ctx, say)
	}
}
