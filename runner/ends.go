package runner

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/secrets"
	"github.com/lifeos/lifeos/store"
)

// This file is how a run ends when its work did not conclude it: the job
// gave up, panicked or was cancelled (worker.Work), or the process working
// on it stopped (the sweeper). The run is finished with a plain reason and
// the people on the thread are told, once.

// endTimeout bounds the store writes and the comment of a run's end, which
// must happen even when the job's context is over.
const endTimeout = 30 * time.Second

// orphanReason is the reason of a run whose process stopped working on it.
const orphanReason = "the process working on it stopped"

// jobEnd says whether a job's attempt was its last, and why the run
// stops if so. A snooze and an attempt River will retry are not ends.
func jobEnd(ctx context.Context, err error, attempt, maxAttempts int) (final bool, reason string) {
	var snooze *river.JobSnoozeError
	var cancel *river.JobCancelError
	switch {
	case err == nil:
		return true, "its job ended without recording the run's outcome"
	case errors.As(err, &snooze):
		return false, ""
	case errors.Is(context.Cause(ctx), river.ErrJobCancelledRemotely):
		return true, "its job was cancelled"
	case errors.As(err, &cancel) && cancel.Unwrap() != nil:
		return true, "LifeOS stopped: " + plainReason(cancel.Unwrap()) // not River's "JobCancelError: " wrapping
	case errors.As(err, &cancel):
		return true, "its job was cancelled"
	case attempt >= maxAttempts:
		return true, fmt.Sprintf("LifeOS gave up after %d attempts: %s", attempt, plainReason(err))
	}
	return false, ""
}

// secretish matches what must never reach a comment: tokens and the query
// strings of URLs (which may carry credentials).
var secretish = regexp.MustCompile(`(?i)(gh[pousr]_[A-Za-z0-9_]+|github_pat_[A-Za-z0-9_]+|sk-[A-Za-z0-9_-]{8,}|(bearer|token)\s+[A-Za-z0-9._-]{20,}|\?[A-Za-z0-9_.-]+=\S*)`)

// plainReason is an error as one line fit for a comment: no newlines, no
// tokens, no query strings.
func plainReason(err error) string {
	return oneLine(strings.TrimSpace(secretish.ReplaceAllString(err.Error(), "[redacted]")))
}

// endJobRun finishes the running run the job started, if any, as failed
// with reason, and tells the thread. It reports whether it ended a run.
func (r *Runner) endJobRun(ctx context.Context, jobID int64, repo jobs.Repo, number int, reason string) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endTimeout)
	defer cancel()
	log := zerolog.Ctx(ctx)
	run, err := r.Store.RunningRunOfJob(ctx, jobID)
	if err != nil {
		log.Error().Err(err).Msg("Could not look for the job's running run")
		return false
	}
	if run == nil {
		return false
	}
	if number == 0 {
		number = run.IssueNumber
	}
	return r.endRun(ctx, run, store.StatusFailed, reason, repo, number)
}

// endRun finishes a running run with status and reason, wakes the jobs
// waiting for it and tells the thread number, best effort. Only the caller
// that ended it tells.
func (r *Runner) endRun(ctx context.Context, run *store.Run, status, reason string, repo jobs.Repo, number int) bool {
	log := zerolog.Ctx(ctx).With().Int64("run", run.ID).Str("status", status).Str("reason", reason).Logger()
	ended, err := r.Store.EndRun(ctx, run.ID, status, reason)
	if err != nil {
		log.Error().Err(err).Msg("Could not end the run")
		return false
	}
	if !ended {
		return false
	}
	log.Warn().Msg("Run ended without its work concluding it")
	r.runEnded(run, status)
	r.wakeWaiters(ctx, run.Repo, run.IssueNumber)
	ctx = log.WithContext(ctx)
	msg := r.endMessage(run, reason)
	if g, err := r.GitHub(repo); err == nil && r.endProgress(ctx, g, run, msg) {
		return true // the run's progress comment tells its end
	}
	if names.IsScheduleSubject(number) {
		number = run.PRNumber // a schedule's thread is its PR, if one is open
	}
	r.tellEnd(ctx, store.Notice{RunID: run.ID, Repo: run.Repo, InstallationID: run.InstallationID,
		Number: number, Body: msg})
	return true
}

// maxNoticeFailures is how many kept run ends one sweep fails to tell
// before it leaves the rest to the next, so an outage costs few requests.
const maxNoticeFailures = 3

// noticeMaxAge is how long a run's end is kept while GitHub refuses it (an
// installation removed, a repository gone): a day, then it is dropped.
const noticeMaxAge = 24 * time.Hour

// endMarker marks the comment that tells a run's end, so it is posted once.
func endMarker(runID int64) string { return fmt.Sprintf("<!-- lifeos:run-%d:end -->", runID) }

// tellEnd tells a run's end on its thread. If GitHub cannot take it, the
// notice is kept and the sweep tells it once GitHub answers (tellNotices).
func (r *Runner) tellEnd(ctx context.Context, n store.Notice) {
	log := zerolog.Ctx(ctx)
	if err := r.postNotice(ctx, n); err != nil {
		log.Error().Err(err).Msg("Could not tell the run's end; the sweep will try again")
		if err := r.Store.AddNotice(ctx, n.RunID, n.Number, n.Body); err != nil {
			log.Error().Err(err).Msg("Could not keep the run's end to tell later")
		}
	}
}

// postNotice comments n on its thread, unless a comment with its marker is
// there already (an earlier post whose answer was lost).
func (r *Runner) postNotice(ctx context.Context, n store.Notice) error {
	g, err := r.GitHub(repoOf(&store.Run{Repo: n.Repo, InstallationID: n.InstallationID}))
	if err != nil {
		return fmt.Errorf("reach GitHub for run %d: %w", n.RunID, err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endTimeout)
	defer cancel()
	marker := endMarker(n.RunID)
	said, err := g.IssueComments(ctx, n.Number)
	if err != nil {
		return fmt.Errorf("read #%d for run %d: %w", n.Number, n.RunID, err)
	}
	for _, c := range said {
		if c.Bot && strings.Contains(c.Body, marker) {
			return nil
		}
	}
	if err := g.Comment(ctx, n.Number, secrets.Scrub(n.Body)+"\n\n"+marker); err != nil {
		return fmt.Errorf("tell #%d of run %d: %w", n.Number, n.RunID, err)
	}
	return nil
}

// tellNotices tells the run ends GitHub could not take before, and
// returns how many it told; those GitHub still refuses wait for the next
// sweep.
func (r *Runner) tellNotices(ctx context.Context) (int, error) {
	notices, err := r.Store.Notices(ctx)
	if err != nil {
		return 0, fmt.Errorf("tell kept run ends: %w", err)
	}
	told, failed := 0, 0
	for _, n := range notices {
		if failed == maxNoticeFailures {
			break // GitHub is likely still down: the next sweep tries again
		}
		log := zerolog.Ctx(ctx).With().Int64("run", n.RunID).Str("repo", n.Repo).Int("issue", n.Number).Logger()
		perr := r.postNotice(ctx, n)
		if perr != nil && r.now().Sub(n.CreatedAt) < noticeMaxAge {
			failed++
			log.Warn().Err(perr).Msg("Still could not tell the run's end")
			continue
		}
		if perr != nil {
			log.Error().Err(perr).Msg("Gave up telling the run's end after a day of trying")
		}
		if err := r.Store.DropNotice(ctx, n.RunID); err != nil {
			return told, fmt.Errorf("tell kept run ends: %w", err)
		}
		if perr == nil {
			told++
		}
	}
	return told, nil
}

// endMessage tells the people that a run ended and how to start afresh.
func (r *Runner) endMessage(run *store.Run, reason string) string {
	if names.IsScheduleSubject(run.IssueNumber) {
		return fmt.Sprintf("LifeOS run %d did not finish: %s.\n\nNothing more will happen on it; the schedule's next firing starts afresh on this PR.",
			run.ID, strings.TrimSuffix(reason, "."))
	}
	return fmt.Sprintf("LifeOS run %d did not finish: %s.\n\nNothing more will happen on it. Label the issue `%s` again, or comment `/lifeos retry`, to start afresh.",
		run.ID, strings.TrimSuffix(reason, "."), r.triggerLabel())
}

// repoOf is the repository a run was made in, as a job names it.
func repoOf(run *store.Run) jobs.Repo {
	owner, name, _ := strings.Cut(run.Repo, "/")
	return jobs.Repo{InstallationID: run.InstallationID, Owner: owner, Name: name}
}
