package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/queue"
	"github.com/lifeos/lifeos/recipes"
	"github.com/lifeos/lifeos/store"
)

// A repository's schedules go through three steps: a reload stores them
// from the policy on the default branch (the App's installation, a push
// touching the policy file); the leader's tick claims each due firing,
// once per schedule and tick whatever the number of leaders, and queues
// it; the firing is a run like any other (schedulerun.go) on the
// schedule's one branch and PR.

// DefaultTickInterval is how often the leader looks for due schedules: a
// cron's finest grain is a minute.
const DefaultTickInterval = time.Minute

// DefaultScheduleMinInterval is how often a repository's schedule may fire
// at most, whatever its cron says: each firing spends the model.
const DefaultScheduleMinInterval = time.Hour

// Enqueuer durably queues a job (the queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, args queue.Args) (bool, error)
}

// TickArgs is the periodic job that fires due schedules.
type TickArgs struct{}

// Kind names the job in River's tables.
func (TickArgs) Kind() string { return "lifeos_tick" }

// tickWorker works TickArgs.
type tickWorker struct {
	river.WorkerDefaults[TickArgs]
	r *Runner
}

// Work fires the due schedules.
func (w *tickWorker) Work(ctx context.Context, _ *river.Job[TickArgs]) error {
	ctx = w.r.Log.With().Str("kind", TickArgs{}.Kind()).Logger().WithContext(ctx)
	_, err := w.r.Tick(ctx)
	return err
}

func (r *Runner) minInterval() time.Duration {
	if r.ScheduleMinInterval > 0 {
		return r.ScheduleMinInterval
	}
	return DefaultScheduleMinInterval
}

// reload stores the schedules of each repository of the job.
func (r *Runner) reload(ctx context.Context, _ int64, j jobs.Reload) error {
	var errs []error
	for _, repo := range j.Repos {
		if err := r.reloadRepo(ctx, repo); err != nil {
			errs = append(errs, fmt.Errorf("reload the schedules of %s: %w", repo.FullName(), err))
		}
	}
	return errors.Join(errs...)
}

// reloadRepo makes the stored schedules of repo those of its policy on the
// default branch: a changed cron reschedules, a removed schedule stops. A
// broken policy, or one naming an unknown recipe, stops them all until it
// is fixed, as it stops every run.
func (r *Runner) reloadRepo(ctx context.Context, repo jobs.Repo) error {
	log := zerolog.Ctx(ctx).With().Str("repo", repo.FullName()).Logger()
	g, err := r.GitHub(repo)
	if err != nil {
		return err
	}
	if repo.DefaultBranch == "" {
		if repo.DefaultBranch, err = g.DefaultBranch(ctx); err != nil {
			return err
		}
	}
	pol, _, err := r.loadPolicy(ctx, g, repo, nil, false)
	var broken *brokenPolicy
	if errors.As(err, &broken) {
		log.Warn().Str("problems", oneLine(err.Error())).Msg("Policy is broken: no schedule fires until it is fixed")
		return r.Store.ReplaceSchedules(ctx, repo.FullName(), nil)
	}
	if err != nil {
		return err
	}
	known := recipes.Known(func(p string) ([]byte, bool) {
		data, err := g.File(ctx, p, repo.DefaultBranch)
		return data, err == nil && data != nil
	})
	if err := (&policy.File{Schedules: pol.Schedules}).CheckRecipes(known); err != nil {
		log.Warn().Str("problems", oneLine(err.Error())).Msg("Policy names an unknown recipe: no schedule fires until it is fixed")
		return r.Store.ReplaceSchedules(ctx, repo.FullName(), nil)
	}
	return r.storeSchedules(ctx, repo, pol.Schedules)
}

// storeSchedules stores scheds with their next firing from now, keeping
// each one's last firing so the server's cap holds across a reload.
func (r *Runner) storeSchedules(ctx context.Context, repo jobs.Repo, scheds []policy.ScheduleFile) error {
	existing, err := r.Store.Schedules(ctx, repo.FullName())
	if err != nil {
		return err
	}
	last := map[string]time.Time{}
	for _, sc := range existing {
		if sc.LastFiredAt != nil {
			last[sc.Name] = *sc.LastFiredAt
		}
	}
	now := r.now()
	out := make([]store.Schedule, 0, len(scheds))
	for _, s := range scheds {
		out = append(out, store.Schedule{InstallationID: repo.InstallationID, DefaultBranch: repo.DefaultBranch,
			Name: s.Name, Cron: s.Cron, Timezone: s.Timezone, Recipe: s.Recipe, Task: s.Task,
			NextAt: policy.NextFiring(s.Cron, s.Timezone, now, last[s.Name], r.minInterval())})
	}
	zerolog.Ctx(ctx).Info().Str("repo", repo.FullName()).Int("schedules", len(out)).Msg("Schedules loaded from the policy")
	return r.Store.ReplaceSchedules(ctx, repo.FullName(), out)
}

// Tick fires every schedule due now, each once: it returns how many
// firings this call queued.
func (r *Runner) Tick(ctx context.Context) (int, error) {
	now := r.now()
	due, err := r.Store.DueSchedules(ctx, now)
	if err != nil {
		return 0, err
	}
	fired := 0
	var errs []error
	for _, sc := range due {
		won, err := r.fireOnce(ctx, sc, now)
		if err != nil {
			errs = append(errs, err)
		}
		if won {
			fired++
		}
	}
	return fired, errors.Join(errs...)
}

// fireOnce claims schedule sc's due tick and, if this caller won it,
// queues its firing. Winner and losers alike then move the schedule on to
// the same next tick, so a leader that died after its claim stalls
// nothing.
func (r *Runner) fireOnce(ctx context.Context, sc store.Schedule, now time.Time) (bool, error) {
	tick := sc.NextAt
	won, err := r.Store.ClaimFiring(ctx, sc.ID, tick)
	if err != nil {
		return false, err
	}
	if won {
		owner, name, _ := strings.Cut(sc.Repo, "/")
		repo := jobs.Repo{InstallationID: sc.InstallationID, Owner: owner, Name: name, DefaultBranch: sc.DefaultBranch}
		job := jobs.NewFire(repo, sc.ID, sc.Name, names.ScheduleSubject(sc.ID), tick, now)
		if _, err := r.Queue.Enqueue(ctx, job); err != nil {
			if rerr := r.Store.ReleaseFiring(ctx, sc.ID, tick); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return false, fmt.Errorf("queue the firing of schedule %s of %s: %w", sc.Name, sc.Repo, err)
		}
		zerolog.Ctx(ctx).Info().Str("repo", sc.Repo).Str("schedule", sc.Name).Time("tick", tick).Msg("Schedule fired")
	}
	next := policy.NextFiring(sc.Cron, sc.Timezone, now, tick, r.minInterval())
	if next.IsZero() {
		return won, fmt.Errorf("schedule %s of %s: cron %q cannot be read", sc.Name, sc.Repo, sc.Cron)
	}
	return won, r.Store.ScheduleFired(ctx, sc.ID, tick, next, true)
}

// fire works one firing of a schedule: a run like any other, whose
// trigger is the schedule. A schedule removed since it was queued fires
// nothing.
func (r *Runner) fire(ctx context.Context, jobID int64, j jobs.Fire) error {
	sc, err := r.Store.ScheduleByID(ctx, j.ScheduleID)
	if err != nil {
		return err
	}
	if sc == nil {
		zerolog.Ctx(ctx).Info().Str("schedule", j.Name).Msg("Schedule was removed since it fired; nothing to do")
		return nil
	}
	repo := j.Repo
	repo.DefaultBranch = sc.DefaultBranch
	g, err := r.GitHub(repo)
	if err != nil {
		return err
	}
	issue := jobs.Issue{Number: j.RunSubject, Title: "Scheduled task " + sc.Name, Body: sc.Task, Comments: 0}
	return r.code(ctx, &request{
		jobID: jobID, delivery: j.Delivery, repo: repo, gh: g, trigger: "schedule",
		issueNumber: j.RunSubject, issue: &issue, schedule: sc,
	})
}
