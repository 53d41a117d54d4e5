package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The ends of runs whose work stopped without concluding them: a job that
// gave up, panicked or was cancelled, and a process that died. River's job
// table (river_job) sits in the same database, so the store can tell which
// runs still have a live job.

// RunningRunOfJob returns the run the job started that is still running,
// or nil when there is none.
func (s *Store) RunningRunOfJob(ctx context.Context, jobID int64) (*Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM lifeos_runs
		WHERE job_id = $1 AND status = 'running' ORDER BY id LIMIT 1`, jobID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get the running run of job %d: %w", jobID, err)
	}
	return r, nil
}

// EndRun finishes a run that is still running with status and a one-line
// reason, keeping what it recorded so far. It reports false when the run
// had already ended (another replica, or the run itself, got there first),
// so exactly one caller tells the people.
func (s *Store) EndRun(ctx context.Context, id int64, status, reason string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE lifeos_runs SET status = $1, error = $2, finished_at = $3
		WHERE id = $4 AND status = 'running'`, status, reason, s.now().UTC(), id)
	if err != nil {
		return false, fmt.Errorf("end run %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("end run %d: %w", id, err)
	}
	return n == 1, nil
}

// JobRunning reports whether River's job is being worked by some process
// now (state running).
func (s *Store) JobRunning(ctx context.Context, jobID int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE id = $1 AND state = 'running'`, jobID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read the state of job %d: %w", jobID, err)
	}
	return n > 0, nil
}

// OrphanedRuns lists the running runs no job will end: their River job is
// gone, or completed, cancelled or discarded. A job that is running,
// waiting for a retry or scheduled still owns its run.
func (s *Store) OrphanedRuns(ctx context.Context) ([]*Run, error) {
	return s.queryRuns(ctx, "list running runs without a live job", `SELECT `+runColumns+` FROM lifeos_runs
		WHERE status = 'running' AND NOT EXISTS (SELECT 1 FROM river_job j
			WHERE j.id = lifeos_runs.job_id AND j.state NOT IN ('completed', 'cancelled', 'discarded'))
		AND NOT (job_id = 0 AND created_at > $1)
		ORDER BY id`, s.now().UTC().Add(-MaxJoblessRun))
}

// MaxJoblessRun is how long a run with no job (a terminal run, `lifeos
// run`) may run before the sweep takes it for an orphan: its process, which
// no lease shows, bounds it to the runner's 30-minute run timeout, so one
// older than this was left by a process that died.
const MaxJoblessRun = 35 * time.Minute
