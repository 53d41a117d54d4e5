package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Run statuses. Queued and running are active; the rest are final.
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded" // a commit was pushed and a PR opened or updated
	StatusNoChange  = "no_change" // the agent finished without changing anything
	StatusFailed    = "failed"    // the model, a limit or GitHub stopped the run
	StatusDenied    = "denied"    // the trigger was refused by policy
	StatusPlanned   = "planned"   // a /lifeos plan run posted its plan
)

// ErrDuplicateDelivery means the webhook delivery already made a run.
var ErrDuplicateDelivery = errors.New("delivery already handled")

// ErrActiveRun means the issue already has an active run.
var ErrActiveRun = errors.New("issue already has an active run")

// Run is one attempt by the agent at an issue: the audit record.
type Run struct {
	ID               int64
	Repo             string
	InstallationID   int64
	IssueNumber      int
	DeliveryID       string
	JobID            int64
	Trigger          string
	Actor            string
	Status           string
	Model            string
	Turns            int
	PromptTokens     int64
	CompletionTokens int64
	TotalTokens      int64
	Branch           string
	CommitSHA        string
	PRNumber         int
	Summary          string
	Error            string
	Transcript       string
	CreatedAt        time.Time
	StartedAt        *time.Time
	FinishedAt       *time.Time
}

// NewRun is what is known when a run starts.
type NewRun struct {
	Repo           string
	InstallationID int64
	IssueNumber    int
	DeliveryID     string
	JobID          int64
	Trigger        string
	Actor          string
	Status         string // StatusRunning, or a final status for a refused trigger
	Error          string
}

// StartRun records a new run. It returns ErrDuplicateDelivery when the
// delivery already has a run (unless that run is still marked running by the
// same job, i.e. the job is being retried after a crash: then that run is
// returned to be taken over), and ErrActiveRun when another run on the issue
// is active.
func (s *Store) StartRun(ctx context.Context, n NewRun) (*Run, error) {
	if existing, err := s.runByDelivery(ctx, n.DeliveryID); err == nil {
		if existing.Status == StatusRunning && existing.JobID == n.JobID && n.JobID != 0 {
			return existing, nil
		}
		return existing, ErrDuplicateDelivery
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if n.Status == StatusRunning {
		if active, err := s.ActiveRun(ctx, n.Repo, n.IssueNumber); err != nil {
			return nil, err
		} else if active != nil {
			return active, ErrActiveRun
		}
	}
	now := s.now().UTC()
	var finished *time.Time
	if n.Status != StatusRunning {
		finished = &now
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO lifeos_runs
		(repo, installation_id, issue_number, delivery_id, job_id, trigger, actor, status, error, created_at, started_at, finished_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		n.Repo, n.InstallationID, n.IssueNumber, n.DeliveryID, n.JobID, n.Trigger, n.Actor, n.Status, n.Error,
		now, now, finished).Scan(&id)
	if err != nil {
		// Another replica won a race for the same delivery or issue.
		if existing, derr := s.runByDelivery(ctx, n.DeliveryID); derr == nil {
			return existing, ErrDuplicateDelivery
		}
		if active, aerr := s.ActiveRun(ctx, n.Repo, n.IssueNumber); aerr == nil && active != nil {
			return active, ErrActiveRun
		}
		return nil, fmt.Errorf("insert run for %s#%d: %w", n.Repo, n.IssueNumber, err)
	}
	return s.Run(ctx, id)
}

// Outcome is what a finished run reports.
type Outcome struct {
	Status           string
	Model            string
	Turns            int
	PromptTokens     int64
	CompletionTokens int64
	TotalTokens      int64
	Branch           string
	CommitSHA        string
	PRNumber         int
	Summary          string
	Error            string
	Transcript       string
}

// FinishRun stores a run's outcome and marks it final.
func (s *Store) FinishRun(ctx context.Context, id int64, o Outcome) error {
	_, err := s.db.ExecContext(ctx, `UPDATE lifeos_runs SET status = $1, model = $2, turns = $3,
		prompt_tokens = $4, completion_tokens = $5, total_tokens = $6, branch = $7, commit_sha = $8,
		pr_number = $9, summary = $10, error = $11, transcript = $12, finished_at = $13 WHERE id = $14`,
		o.Status, o.Model, o.Turns, o.PromptTokens, o.CompletionTokens, o.TotalTokens, o.Branch, o.CommitSHA,
		o.PRNumber, o.Summary, o.Error, o.Transcript, s.now().UTC(), id)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", id, err)
	}
	return nil
}

// ModelCall is the token usage of one model call in a run.
type ModelCall struct {
	RunID        int64
	Seq          int
	Model        string
	PromptTokens int64
	// CachedTokens are the prompt tokens the endpoint served from its
	// prompt cache, a part of PromptTokens.
	CachedTokens     int64
	CompletionTokens int64
	TotalTokens      int64
	CreatedAt        time.Time
}

// RecordCall stores one model call's usage as soon as it is known, so a
// crash mid-run still leaves the tokens spent on record.
func (s *Store) RecordCall(ctx context.Context, c ModelCall) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_model_calls
		(run_id, seq, model, prompt_tokens, cached_tokens, completion_tokens, total_tokens, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.RunID, c.Seq, c.Model, c.PromptTokens, c.CachedTokens, c.CompletionTokens, c.TotalTokens, s.now().UTC())
	if err != nil {
		return fmt.Errorf("record model call %d of run %d: %w", c.Seq, c.RunID, err)
	}
	return nil
}

// ModelCalls lists a run's model calls in order.
func (s *Store) ModelCalls(ctx context.Context, runID int64) ([]ModelCall, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, seq, model, prompt_tokens, cached_tokens, completion_tokens, total_tokens, created_at
		FROM lifeos_model_calls WHERE run_id = $1 ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("list model calls of run %d: %w", runID, err)
	}
	defer rows.Close()
	var calls []ModelCall
	for rows.Next() {
		var c ModelCall
		if err := rows.Scan(&c.RunID, &c.Seq, &c.Model, &c.PromptTokens, &c.CachedTokens, &c.CompletionTokens, &c.TotalTokens, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan model call: %w", err)
		}
		calls = append(calls, c)
	}
	return calls, rows.Err()
}

const runColumns = `id, repo, installation_id, issue_number, delivery_id, job_id, trigger, actor, status, model,
	turns, prompt_tokens, completion_tokens, total_tokens, branch, commit_sha, pr_number, summary, error,
	transcript, created_at, started_at, finished_at`

func scanRun(row interface{ Scan(...any) error }) (*Run, error) {
	var r Run
	var started, finished sql.NullTime
	err := row.Scan(&r.ID, &r.Repo, &r.InstallationID, &r.IssueNumber, &r.DeliveryID, &r.JobID, &r.Trigger,
		&r.Actor, &r.Status, &r.Model, &r.Turns, &r.PromptTokens, &r.CompletionTokens, &r.TotalTokens,
		&r.Branch, &r.CommitSHA, &r.PRNumber, &r.Summary, &r.Error, &r.Transcript, &r.CreatedAt, &started, &finished)
	if err != nil {
		return nil, err
	}
	if started.Valid {
		r.StartedAt = &started.Time
	}
	if finished.Valid {
		r.FinishedAt = &finished.Time
	}
	return &r, nil
}

// Run returns the run with the given id.
func (s *Store) Run(ctx context.Context, id int64) (*Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM lifeos_runs WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("get run %d: %w", id, err)
	}
	return r, nil
}

func (s *Store) runByDelivery(ctx context.Context, deliveryID string) (*Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM lifeos_runs WHERE delivery_id = $1`, deliveryID))
	if err != nil {
		return nil, fmt.Errorf("get run of delivery %s: %w", deliveryID, err)
	}
	return r, nil
}

// ActiveRun returns the issue's active run, or nil when there is none.
func (s *Store) ActiveRun(ctx context.Context, repo string, issue int) (*Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM lifeos_runs
		WHERE repo = $1 AND issue_number = $2 AND status IN ('queued', 'running')`, repo, issue))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get active run of %s#%d: %w", repo, issue, err)
	}
	return r, nil
}

// IssueRuns lists an issue's runs, oldest first.
func (s *Store) IssueRuns(ctx context.Context, repo string, issue int) ([]*Run, error) {
	return s.queryRuns(ctx, fmt.Sprintf("list runs of %s#%d", repo, issue), `SELECT `+runColumns+` FROM lifeos_runs
		WHERE repo = $1 AND issue_number = $2 ORDER BY id`, repo, issue)
}

// queryRuns runs a query of runColumns and scans every run; what names the
// query in errors.
func (s *Store) queryRuns(ctx context.Context, what, q string, args ...any) ([]*Run, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var runs []*Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("scan run: %w", err)
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}
