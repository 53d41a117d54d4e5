package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/store"
)

// DefaultSweepInterval is how often the leader looks for jobs whose
// process died and runs no process works on any more: with DefaultLeaseTTL
// a crashed run is taken over within a minute even in the worst case (a
// kill just after a renewal), and the two indexed queries cost next to
// nothing.
const DefaultSweepInterval = 5 * time.Second

// SweepArgs is the periodic job that finishes orphaned runs.
type SweepArgs struct{}

// Kind names the job in River's tables.
func (SweepArgs) Kind() string { return "lifeos_sweep" }

// sweepWorker works SweepArgs.
type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	r *Runner
}

// Work hands back the jobs of dead processes and finishes the orphaned
// runs.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	ctx = w.r.Log.With().Str("kind", SweepArgs{}.Kind()).Logger().WithContext(ctx)
	_, herr := w.r.HandBack(ctx)
	_, err := w.r.Sweep(ctx)
	return errors.Join(herr, err)
}

// PeriodicJobs are the jobs River's leader runs on a schedule: the sweep,
// at start-up and every interval (DefaultSweepInterval if 0), and the
// schedules' tick every tick (DefaultTickInterval if 0).
func (r *Runner) PeriodicJobs(interval, tick time.Duration) []*river.PeriodicJob {
	if interval <= 0 {
		interval = DefaultSweepInterval
	}
	if tick <= 0 {
		tick = DefaultTickInterval
	}
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(interval),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil },
			&river.PeriodicJobOpts{ID: SweepArgs{}.Kind(), RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(tick),
			func() (river.JobArgs, *river.InsertOpts) { return TickArgs{}, nil },
			&river.PeriodicJobOpts{ID: TickArgs{}.Kind(), RunOnStart: true}),
	}
}

// Sweep finishes every running run whose River job is gone, completed,
// cancelled or discarded (its process stopped before it could say how the
// run ended), tells each thread, and returns how many it ended. It also
// tells the run ends GitHub could not take when they happened.
func (r *Runner) Sweep(ctx context.Context) (int, error) {
	if _, err := r.tellNotices(ctx); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not tell the kept run ends")
	}
	runs, err := r.Store.OrphanedRuns(ctx)
	if err != nil {
		return 0, fmt.Errorf("sweep orphaned runs: %w", err)
	}
	ended := 0
	for _, run := range runs {
		if r.endRun(ctx, run, store.StatusFailed, orphanReason, repoOf(run), run.IssueNumber) {
			ended++
		}
	}
	if ended > 0 {
		zerolog.Ctx(ctx).Warn().Int("runs", ended).Msg("Finished runs no process was working on")
	}
	return ended, nil
}
