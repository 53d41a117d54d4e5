package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// StatusCancelled is a run stopped by /lifeos stop.
const StatusCancelled = "cancelled"

// RequestCancel asks the worker of a run to stop it at its next safe point.
// Asking twice is harmless.
func (s *Store) RequestCancel(ctx context.Context, runID int64, actor string) error {
	if requested, err := s.CancelRequested(ctx, runID); err != nil || requested {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_cancels (run_id, actor, created_at) VALUES ($1, $2, $3)`,
		runID, actor, s.now().UTC())
	if err != nil {
		if requested, cerr := s.CancelRequested(ctx, runID); cerr == nil && requested {
			return nil
		}
		return fmt.Errorf("request cancel of run %d: %w", runID, err)
	}
	return nil
}

// CancelRequested reports whether someone asked to stop the run.
func (s *Store) CancelRequested(ctx context.Context, runID int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM lifeos_cancels WHERE run_id = $1`, runID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read cancel of run %d: %w", runID, err)
	}
	return n > 0, nil
}

// LatestRun returns the issue's newest run, or nil.
func (s *Store) LatestRun(ctx context.Context, repo string, issue int) (*Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM lifeos_runs
		WHERE repo = $1 AND issue_number = $2 ORDER BY id DESC LIMIT 1`, repo, issue))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get latest run of %s#%d: %w", repo, issue, err)
	}
	return r, nil
}

// CI attempt actions.
const (
	CIFix     = "fix"     // a fix run was started for this failure
	CIStopped = "stopped" // bounds reached: a human was asked to look
)

// CIAttempt is what LifeOS did about one failed head commit of a PR.
type CIAttempt struct {
	HeadSHA   string
	Signature string
	Action    string
}

// CIAttempts lists a PR's CI attempts, oldest first.
func (s *Store) CIAttempts(ctx context.Context, repo string, pr int) ([]CIAttempt, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT head_sha, signature, action FROM lifeos_ci_attempts
		WHERE repo = $1 AND pr_number = $2 ORDER BY created_at, head_sha`, repo, pr)
	if err != nil {
		return nil, fmt.Errorf("list CI attempts of %s#%d: %w", repo, pr, err)
	}
	defer rows.Close()
	var out []CIAttempt
	for rows.Next() {
		var a CIAttempt
		if err := rows.Scan(&a.HeadSHA, &a.Signature, &a.Action); err != nil {
			return nil, fmt.Errorf("scan CI attempt: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ClaimCIAttempt records what is done about a failed head commit. It
// returns false when that commit was already handled (by a redelivery, or
// by the other of check_suite and workflow_run reporting the same failure).
func (s *Store) ClaimCIAttempt(ctx context.Context, repo string, pr int, a CIAttempt) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_ci_attempts (repo, pr_number, head_sha, signature, action, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, repo, pr, a.HeadSHA, a.Signature, a.Action, s.now().UTC())
	if err != nil {
		return false, fmt.Errorf("record CI attempt on %s#%d: %w", repo, pr, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record CI attempt on %s#%d: %w", repo, pr, err)
	}
	return n == 1, nil
}

// PR outcomes.
const (
	OutcomeMerged   = "merged"
	OutcomeRejected = "rejected"
)

// PROutcome is how a LifeOS PR ended.
type PROutcome struct {
	Repo    string
	PR      int
	Issue   int
	Outcome string
	Actor   string
}

// RecordOutcome stores how a PR ended; it reports false if it already was.
func (s *Store) RecordOutcome(ctx context.Context, o PROutcome) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_outcomes (repo, pr_number, issue_number, outcome, actor, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, o.Repo, o.PR, o.Issue, o.Outcome, o.Actor, s.now().UTC())
	if err != nil {
		return false, fmt.Errorf("record outcome of %s#%d: %w", o.Repo, o.PR, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record outcome of %s#%d: %w", o.Repo, o.PR, err)
	}
	return n == 1, nil
}

// OutcomeCounts counts a repo's PR outcomes by kind.
func (s *Store) OutcomeCounts(ctx context.Context, repo string) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT outcome, count(*) FROM lifeos_outcomes WHERE repo = $1 GROUP BY outcome`, repo)
	if err != nil {
		return nil, fmt.Errorf("count outcomes of %s: %w", repo, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("scan outcome count: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}
