// Package runner holds LifeOS's workflows: a label run, a command, a review
// revision, a CI fix, an auto-merge and a close. Each takes a typed job
// (package jobs) that webhook triage already decided is work, and runs a
// pipeline of short named steps against its ports (ports.go): GitHub, the
// store, the model and the clock.
package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/secrets"
	"github.com/lifeos/lifeos/store"
)

// DefaultRunTimeout bounds a whole run, model calls included.
const DefaultRunTimeout = 30 * time.Minute

// writeBackTimeout bounds the GitHub writes after the agent finishes.
const writeBackTimeout = 2 * time.Minute

// Runner works LifeOS's jobs.
type Runner struct {
	// GitHub reaches a job's repository.
	GitHub    Repos
	Store     Store
	Model     agent.Model
	ModelName string
	Limits    agent.Limits
	// MaxRepoBytes caps the unpacked repo snapshot
	// (workspace.DefaultMaxRepoBytes if 0).
	MaxRepoBytes int64
	// SnapshotDir is where runs unpack their snapshots, one file each,
	// deleted when the run ends (os.TempDir() if "").
	SnapshotDir string
	// Timeout bounds one run (DefaultRunTimeout if 0).
	Timeout time.Duration
	// DeleteBranches deletes a LifeOS PR's branch once the PR is closed.
	DeleteBranches bool
	// MaxCIFixes bounds the fix runs started by failed CI on one PR
	// (policy.DefaultMaxCIFixes if 0).
	MaxCIFixes int
	AppSlug    string
	// Ceilings are the server's limits that a repository's policy may
	// lower and never raise.
	Ceilings policy.Ceilings
	// Waker starts the jobs that waited for a run once it ends.
	Waker Waker
	// Prices turn each model call's token usage into money.
	Prices policy.PriceTable
	// OwnSecrets are the server's own secrets (the App key's lines, the
	// webhook secret, the model API key), blanked from everything the agent
	// returns before it is stored or posted: they have no shape the
	// secrets rules know.
	OwnSecrets []string
	// Queue queues the firings of due schedules.
	Queue Enqueuer
	// ScheduleMinInterval caps how often one schedule fires
	// (DefaultScheduleMinInterval if 0).
	ScheduleMinInterval time.Duration
	// Leases keeps the leases of the jobs this process works and hands
	// back those of dead processes (no leases if nil).
	Leases LeaseStore
	// LeaseTimes are how often leases are renewed and stops polled, and
	// how long a lease lasts.
	LeaseTimes LeaseTimes
	// Now is the clock (time.Now if nil).
	Now Clock
	Log zerolog.Logger
	// Metrics counts runs and model usage (nothing if nil).
	Metrics Metrics
	// ProgressInterval is the least time between two edits of a run's
	// progress comment (DefaultProgressInterval if 0).
	ProgressInterval time.Duration
	// PublicURL is where people reach LifeOS; a run's page is
	// PublicURL/runs/{id}, linked from its comment and check run ("" for
	// no link).
	PublicURL string

	mu      sync.Mutex
	active  map[int64]context.CancelCauseFunc // runs worked by this process
	orgPols *orgPolicies
}

// Register adds a worker for every kind of job to River's workers.
func (r *Runner) Register(ws *river.Workers) {
	river.AddWorker(ws, &worker[jobs.Run]{r: r, work: r.label})
	river.AddWorker(ws, &worker[jobs.Command]{r: r, work: r.command})
	river.AddWorker(ws, &worker[jobs.Review]{r: r, work: r.review})
	river.AddWorker(ws, &worker[jobs.CI]{r: r, work: r.ci})
	river.AddWorker(ws, &worker[jobs.Closed]{r: r, work: r.closed})
	river.AddWorker(ws, &sweepWorker{r: r})
	river.AddWorker(ws, &worker[jobs.Reload]{r: r, work: r.reload})
	river.AddWorker(ws, &worker[jobs.Fire]{r: r, work: r.fire})
	river.AddWorker(ws, &tickWorker{r: r})
}

// worker adapts one workflow to River.
type worker[T jobs.Job] struct {
	river.WorkerDefaults[T]
	r    *Runner
	work func(ctx context.Context, jobID int64, job T) error
}

// Timeout bounds one job.
func (w *worker[T]) Timeout(*river.Job[T]) time.Duration {
	if w.r.Timeout > 0 {
		return w.r.Timeout
	}
	return DefaultRunTimeout
}

// Work works the job with a logger that names it. However the job ends,
// its end is its run's end: an error on the last attempt, a cancellation,
// a panic (recovered here) or a return that left the run running
// finishes the run the job started as failed, and the thread is told.
// An attempt River will retry leaves the run for the retry to take over.
func (w *worker[T]) Work(ctx context.Context, job *river.Job[T]) (err error) {
	d, repo := job.Args.Meta()
	log := w.r.Log.With().Str("event", d.Event).Str("delivery", d.ID).Str("repo", repo.FullName()).
		Int("issue", job.Args.Subject()).Int64("job", job.ID).Str("kind", job.Kind).
		Int("attempt", job.Attempt).Int("max_attempts", job.MaxAttempts).Logger()
	ctx = log.WithContext(ctx)
	// The lease is released last, after the run's end below.
	defer w.r.holdLease(ctx, job.ID, job.Attempt)()
	defer func() {
		if p := recover(); p != nil {
			log.Error().Str("panic", fmt.Sprint(p)).Str("stack", string(debug.Stack())).Msg("Job panicked")
			err = river.JobCancel(fmt.Errorf("job %d panicked: %v", job.ID, p))
			w.r.endJobRun(ctx, job.ID, repo, job.Args.Subject(), "LifeOS stopped on an internal error: "+oneLine(fmt.Sprint(p)))
		}
	}()
	err = w.work(ctx, job.ID, job.Args)
	var limited gh.RateLimited
	if errors.As(err, &limited) {
		err = river.JobSnooze(max(limited.Until.Sub(w.r.now()), time.Second)) // GitHub asked for a long wait
	}
	if gh.Answer(err) {
		err = river.JobCancel(err) // GitHub's answer, not a fault: another attempt gets the same
	}
	final, reason := jobEnd(ctx, err, job.Attempt, job.MaxAttempts)
	if err != nil && reason != "" {
		log.Error().Err(err).Msg("Job failed for good")
	} else if err != nil && !isSnooze(err) {
		log.Error().Err(err).Msg("Job attempt failed; River will retry it")
	}
	if final {
		w.r.endJobRun(ctx, job.ID, repo, job.Args.Subject(), reason)
	}
	return err
}

// isSnooze reports whether err is a job's wait (river.JobSnooze).
func isSnooze(err error) bool {
	var snooze *river.JobSnoozeError
	return errors.As(err, &snooze)
}

// metrics is r.Metrics, or a no-op when none is set.
func (r *Runner) metrics() Metrics {
	if r.Metrics == nil {
		return noMetrics{}
	}
	return r.Metrics
}

// runEnded counts a run that reached its final status.
func (r *Runner) runEnded(run *store.Run, status string) {
	start := run.CreatedAt
	if run.StartedAt != nil {
		start = *run.StartedAt
	}
	r.metrics().RunEnded(run.Trigger, status, r.now().Sub(start))
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
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

// stopLocal stops a run if this process works it; the replica working it
// sees the stored request within a stop poll (lease.go).
func (r *Runner) stopLocal(runID int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cancel, ok := r.active[runID]; ok {
		cancel(errStopped)
	}
}

// errStopped is the cause of a run stopped by /lifeos stop.
var errStopped = errors.New("stopped by /lifeos stop")

// audit logs a policy decision under the audit key.
func audit(log zerolog.Logger, d policy.Decision) {
	log.Info().Dict("audit", zerolog.Dict().Bool("allow", d.Allow).Str("rule", d.Rule).Str("reason", d.Reason)).Msg("Policy decision")
}

// tell comments on an issue or PR, best effort: the run's record already
// holds the outcome.
func tell(ctx context.Context, g threads, number int, body string) {
	if number <= 0 {
		// A schedule's run with no PR open has no thread: recorded only.
		zerolog.Ctx(ctx).Info().Str("message", oneLine(body)).Msg("No thread to tell; the run's record holds it")
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := g.Comment(ctx, number, secrets.Scrub(body)); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not comment")
	}
}

// triggerLabel is the server's trigger label, as people are told of it.
func (r *Runner) triggerLabel() string {
	if r.Ceilings.TriggerLabel != "" {
		return r.Ceilings.TriggerLabel
	}
	return names.TriggerLabel
}

// ownPull returns the issue a pull request is LifeOS's for, or 0 and why
// it is not: only a PR the App's bot opened from the base repository's
// own lifeos/issue-N is (names.IssueOfPull), never a human's or a fork's
// on a branch named alike. Every workflow that acts on a PR asks here.
func (r *Runner) ownPull(repo jobs.Repo, pr gh.Pull) (int, string) {
	return names.IssueOfPull(r.AppSlug, names.PullOrigin{Author: pr.Author, HeadRef: pr.HeadRef,
		HeadRepo: pr.HeadRepo, BaseRepo: repo.FullName()})
}
