package runner

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"
)

// waitSafetyNet is how long a job waiting for an issue's active run sleeps
// before it looks again. The run's end wakes it at once (Waker); the safety
// net only covers a wake that raced the job going to sleep, and looking
// again reads the store, never GitHub.
const waitSafetyNet = time.Minute

// Waker makes a snoozed job available at once (the queue).
type Waker interface {
	Wake(ctx context.Context, jobID int64) error
}

// waitForTurn reports whether the job must wait for the issue's active run
// (another job's).
// The job is recorded as a waiter before the store is asked, so a run that
// ends in between still finds it to wake.
func (r *Runner) waitForTurn(ctx context.Context, jobID int64, repo string, issue int) (bool, error) {
	if err := r.Store.AddWaiter(ctx, repo, issue, jobID); err != nil {
		return false, err
	}
	active, err := r.Store.ActiveRun(ctx, repo, issue)
	if err != nil {
		return false, err
	}
	if active != nil && active.JobID != jobID {
		zerolog.Ctx(ctx).Info().Int64("active_run", active.ID).Msg("Waiting for the issue's active run to finish")
		return true, nil
	}
	// No run, or this job's own, left running by an attempt that failed:
	// the retry takes it over (Store.StartRun) instead of waiting for
	// itself.
	return false, r.Store.RemoveWaiter(ctx, jobID)
}

// waitErr is what a job returns from waitForTurn: the error, or a snooze
// that spends no attempt.
func waitErr(err error) error {
	if err != nil {
		return err
	}
	return river.JobSnooze(waitSafetyNet)
}

// wakeWaiters starts the jobs that waited for an issue's run, now that it
// has ended, best effort: a missed wake costs the safety net's delay.
func (r *Runner) wakeWaiters(ctx context.Context, repo string, issue int) {
	if r.Waker == nil {
		return
	}
	ids, err := r.Store.Waiters(ctx, repo, issue)
	if err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not list the jobs waiting on the issue")
		return
	}
	for _, id := range ids {
		if err := r.Waker.Wake(ctx, id); err != nil {
			zerolog.Ctx(ctx).Error().Err(err).Int64("waiting_job", id).Msg("Could not wake a waiting job")
		}
	}
}
