package store

import (
	"context"
	"fmt"
	"time"
)

// A job's lease says a live process works it. The worker renews it while
// the job runs; the leader's sweep hands back to River, at once, a job
// River still calls running whose lease expired: its process died, and
// River's own rescue of stuck jobs would wait an hour.

// RenewLease records that this process works attempt of job until until.
func (s *Store) RenewLease(ctx context.Context, jobID int64, attempt int, until time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_run_leases (job_id, attempt, lease_until) VALUES ($1, $2, $3)
		ON CONFLICT (job_id) DO UPDATE SET attempt = excluded.attempt, lease_until = excluded.lease_until`,
		jobID, attempt, until.UTC())
	if err != nil {
		return fmt.Errorf("renew the lease of job %d: %w", jobID, err)
	}
	return nil
}

// ReleaseLease drops the job's lease once its attempt returned; River
// knows the job's state from then on.
func (s *Store) ReleaseLease(ctx context.Context, jobID int64, attempt int) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM lifeos_run_leases WHERE job_id = $1 AND attempt = $2`, jobID, attempt)
	if err != nil {
		return fmt.Errorf("release the lease of job %d: %w", jobID, err)
	}
	return nil
}

// expiredLease is the condition, in SQL over river_job j, that the job
// is running on the attempt whose lease expired before $1.
const expiredLease = `j.state = 'running' AND EXISTS (SELECT 1 FROM lifeos_run_leases l
	WHERE l.job_id = j.id AND l.attempt = j.attempt AND l.lease_until < $1)`

// ExpiredLeases lists the jobs River calls running whose lease expired
// before now: no live process works them.
func (s *Store) ExpiredLeases(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT j.id FROM river_job j WHERE `+expiredLease+` ORDER BY j.id`, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("list jobs with an expired lease: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan job id: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// HandBackJob makes a running job whose lease expired before now
// available to every live process at once, and reports whether it did.
//
// River's client has no call to retry a job another (dead) client was
// running: its rescuer does that after RescueStuckJobsAfter (an hour) and
// never for a job younger than its worker's timeout. So the store updates
// river_job itself, in one statement that checks the job is still running
// on the attempt whose lease expired: a job that ended, or that a live
// process took over since, is left alone.
func (s *Store) HandBackJob(ctx context.Context, jobID int64, now time.Time) (bool, error) {
	dbNow := "now()"
	if s.db.Dialect == SQLite {
		dbNow = "datetime('now', 'subsec')" // River's own format for SQLite times
	}
	res, err := s.db.ExecContext(ctx, `UPDATE river_job AS j SET state = 'available', scheduled_at = `+dbNow+`
		WHERE `+expiredLease+` AND j.id = $2`, now.UTC(), jobID)
	if err != nil {
		return false, fmt.Errorf("hand job %d back to River: %w", jobID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("hand job %d back to River: %w", jobID, err)
	}
	return n == 1, nil
}

// StopRequestedOfJob returns the running run of the job when someone asked
// to stop it, or 0: how a stop reaches the replica working the run.
func (s *Store) StopRequestedOfJob(ctx context.Context, jobID int64) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(r.id), 0) FROM lifeos_runs r
		JOIN lifeos_cancels c ON c.run_id = r.id WHERE r.job_id = $1 AND r.status = 'running'`, jobID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("read the stop of job %d: %w", jobID, err)
	}
	return id, nil
}
