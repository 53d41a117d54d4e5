// Package runner works a queued run: it checks who asked, reads the repo at
// one commit, lets the agent change it in memory, and writes the result back
// to GitHub as one commit on the issue's branch and a pull request.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-github/v89/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/queue"
	"github.com/lifeos/lifeos/store"
)

// DefaultRunTimeout bounds a whole run, model calls included.
const DefaultRunTimeout = 30 * time.Minute

// writeBackTimeout bounds the GitHub writes after the agent finishes.
const writeBackTimeout = 2 * time.Minute

// Runner does the work of a run job.
type Runner struct {
	Clients   githubapp.ClientCreator
	Store     *store.Store
	Model     agent.Model
	ModelName string
	Limits    agent.Limits
	// MaxRepoBytes caps the unpacked repo snapshot (workspace.DefaultMaxRepoBytes if 0).
	MaxRepoBytes int64
	// Timeout bounds one run (DefaultRunTimeout if 0).
	Timeout time.Duration
	// Download fetches tarballs from the archive host.
	Download *http.Client
	// DeleteBranches deletes a LifeOS PR's branch once the PR is closed.
	DeleteBranches bool
	// MaxCIFixes bounds the fix runs started by failed CI on one PR
	// (DefaultMaxCIFixes if 0).
	MaxCIFixes int
	AppSlug    string
	// Ceilings are the server's limits that a repository's policy may
	// lower and never raise.
	Ceilings policy.Ceilings
	// Waker starts the jobs that waited for a run once it ends.
	Waker Waker
	// Prices turn each model call's token usage into money.
	Prices policy.PriceTable
	Log    zerolog.Logger

	mu      sync.Mutex
	active  map[int64]context.CancelCauseFunc // runs worked by this process
	loaders *policyLoaders
}

// policyLoaders returns the runner's policy loaders, made on first use.
func (r *Runner) policyLoaders() *policyLoaders {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loaders == nil {
		r.loaders = newPolicyLoaders()
	}
	return r.loaders
}

// track makes a run stoppable from this process.
func (r *Runner) track(runID int64, cancel context.CancelCauseFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.active == nil {
		r.active = map[int64]context.CancelCauseFunc{}
	}
	r.active[runID] = cancel
}

func (r *Runner) untrack(runID int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.active, runID)
}

// stopLocal stops a run if this process works it; other replicas see the
// stored request at the run's next model call.
func (r *Runner) stopLocal(runID int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cancel, ok := r.active[runID]; ok {
		cancel(errStopped)
	}
}

// Worker adapts a Runner to River.
type Worker struct {
	river.WorkerDefaults[queue.EventArgs]
	Runner *Runner
}

// Timeout bounds one run job.
func (w *Worker) Timeout(*river.Job[queue.EventArgs]) time.Duration {
	if w.Runner.Timeout > 0 {
		return w.Runner.Timeout
	}
	return DefaultRunTimeout
}

// Work runs the job.
func (w *Worker) Work(ctx context.Context, job *river.Job[queue.EventArgs]) error {
	return w.Runner.Run(ctx, job.ID, job.Args)
}

// Run works one job: it decodes the delivery and acts on its event.
func (r *Runner) Run(ctx context.Context, jobID int64, args queue.EventArgs) error {
	log := r.Log.With().Str("event", args.Event).Str(githubapp.LogKeyDeliveryID, args.DeliveryID).
		Str("repo", args.Repo).Int64("job", jobID).Logger()
	ctx = log.WithContext(ctx)
	j := job{id: jobID, args: args}
	var err error
	switch args.Event {
	case "issues":
		err = r.onLabel(ctx, j)
	case "issue_comment":
		err = r.onComment(ctx, j)
	case "pull_request_review":
		err = r.onReview(ctx, j)
	case "check_suite", "workflow_run":
		err = r.onCI(ctx, j)
	case "pull_request":
		err = r.onClosed(ctx, j)
	default:
		err = river.JobCancel(fmt.Errorf("no worker for %s events", args.Event))
	}
	var payloadErr *payloadError
	if errors.As(err, &payloadErr) {
		// A payload that does not decode never will: don't retry it.
		return river.JobCancel(err)
	}
	return err
}

// job is the queued delivery being worked.
type job struct {
	id   int64
	args queue.EventArgs
}

// payloadError is a delivery whose payload cannot be decoded.
type payloadError struct{ err error }

func (e *payloadError) Error() string { return e.err.Error() }
func (e *payloadError) Unwrap() error { return e.err }

func decode(j job, v any) error {
	if err := json.Unmarshal(j.args.Payload, v); err != nil {
		return &payloadError{fmt.Errorf("decode %s payload of delivery %s: %w", j.args.Event, j.args.DeliveryID, err)}
	}
	return nil
}

// onLabel starts a run when a user with write access labels an issue.
func (r *Runner) onLabel(ctx context.Context, j job) error {
	var ev github.IssuesEvent
	if err := decode(j, &ev); err != nil {
		return err
	}
	repo := repoRef{Owner: ev.GetRepo().GetOwner().GetLogin(), Name: ev.GetRepo().GetName()}
	return r.code(ctx, &request{
		job: j, trigger: "label", actor: ev.GetSender().GetLogin(), checkActor: true, label: ev.GetLabel().GetName(),
		repo: repo, defaultBranch: ev.GetRepo().GetDefaultBranch(),
		issueNumber: ev.GetIssue().GetNumber(), issue: ev.GetIssue(), replyTo: ev.GetIssue().GetNumber(),
	})
}

// request is a run to make: what started it and what the agent is told.
type request struct {
	job           job
	trigger       string // label, retry, plan, review, ci
	actor         string
	actorRole     string
	label         string // the label that triggered a label run
	checkActor    bool   // ask GitHub for the actor's role before running
	repo          repoRef
	defaultBranch string
	issueNumber   int
	issue         *github.Issue // fetched when nil
	prNumber      int           // the LifeOS PR the event came from, if any
	replyTo       int           // where progress is told: the issue, or the PR
	instructions  string
	planOnly      bool
	comments      []agent.Comment // trusted review comments to add to the prompt
	// waitTurn snoozes the job while another run on the issue is active;
	// otherwise the delivery is dropped (a second label is not a queue).
	waitTurn bool
	gh       *github.Client // the installation client, if the event already made one
}

// code records a run, checks who asked, and lets the agent work.
func (r *Runner) code(ctx context.Context, req *request) error {
	log := zerolog.Ctx(ctx).With().Int("issue", req.issueNumber).Str("trigger", req.trigger).Logger()
	run, err := r.Store.StartRun(ctx, store.NewRun{
		Repo: req.repo.String(), InstallationID: req.job.args.InstallationID, IssueNumber: req.issueNumber,
		DeliveryID: req.job.args.DeliveryID, JobID: req.job.id, Trigger: req.trigger, Actor: req.actor, Status: store.StatusRunning,
	})
	switch {
	case errors.Is(err, store.ErrDuplicateDelivery):
		log.Info().Msg("Delivery already handled; nothing to do")
		return nil
	case errors.Is(err, store.ErrActiveRun) && req.waitTurn:
		// Another run started since the job looked: wait for its end.
		log.Info().Int64("active_run", run.ID).Msg("Waiting for the issue's active run to finish")
		return waitErr(r.Store.AddWaiter(ctx, req.repo.String(), req.issueNumber, req.job.id))
	case errors.Is(err, store.ErrActiveRun):
		log.Info().Int64("active_run", run.ID).Msg("Issue already has an active run; trigger ignored")
		return nil
	case err != nil:
		return err
	}
	log = log.With().Int64("run", run.ID).Logger()
	ctx = log.WithContext(ctx)

	gh := req.gh
	if gh == nil {
		if gh, err = r.Clients.NewInstallationClient(req.job.args.InstallationID); err != nil {
			return fmt.Errorf("installation client %d: %w", req.job.args.InstallationID, err)
		}
	}
	w := &work{Runner: r, gh: gh, req: req, run: run, log: log, loaders: r.policyLoaders()}
	return w.do(ctx)
}

// audit logs a policy decision under the audit key.
func audit(log zerolog.Logger, d policy.Decision) {
	log.Info().Dict("audit", zerolog.Dict().Bool("allow", d.Allow).Str("rule", d.Rule).Str("reason", d.Reason)).Msg("Policy decision")
}

func (r *Runner) finish(ctx context.Context, id int64, out store.Outcome) {
	// The outcome must be stored even when the job's context is ending.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.Store.FinishRun(ctx, id, out); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not store the run's outcome")
	}
}

// tell comments on an issue, best effort: the run's record already holds
// the outcome.
func (r *Runner) tell(ctx context.Context, gh *github.Client, repo repoRef, number int, body string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := comment(ctx, gh, repo, number, body); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not comment on the issue")
	}
}
