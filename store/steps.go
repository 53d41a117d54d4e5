package store

import (
	"context"
	"fmt"
)

// The durable steps of a run's write-back, in the order they land. A run
// records each as soon as GitHub has it, so a retry of the run's job
// resumes after the last one instead of doing it again.
const (
	StepCommit = "commit" // the commit's SHA
	// StepCommitting is recorded (with the base's SHA) just before a
	// commit is written onto its branch: a retry that finds it without
	// StepCommit looks at the branch for the run's commit.
	StepCommitting = "committing"
	StepOnto       = "onto"    // the open PR the commit goes onto, if any
	StepRef        = "ref"     // the branch now pointing at the commit
	StepPull       = "pull"    // the pull request's number
	StepComment    = "comment" // the marker of the final comment
	// StepProgressPosting is recorded just before the progress comment is
	// posted, StepProgress (its id) once it is: a run that finds the first
	// and not the second looks for its comment's marker on the thread.
	StepProgressPosting = "progress-posting"
	StepProgress        = "progress"
	StepCheck           = "check" // the id of the LifeOS check run on the commit
)

// RecordStep stores that run runID's step landed with value. Recording a
// step twice keeps the first record.
func (s *Store) RecordStep(ctx context.Context, runID int64, step, value string) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_run_steps (run_id, step, value, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (run_id, step) DO NOTHING`, runID, step, value, s.now().UTC()); err != nil {
		return fmt.Errorf("record step %s of run %d: %w", step, runID, err)
	}
	return nil
}

// RunSteps returns the steps run runID recorded, value by step.
func (s *Store) RunSteps(ctx context.Context, runID int64) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT step, value FROM lifeos_run_steps WHERE run_id = $1`, runID)
	if err != nil {
		return nil, fmt.Errorf("list steps of run %d: %w", runID, err)
	}
	defer rows.Close()
	steps := map[string]string{}
	for rows.Next() {
		var step, value string
		if err := rows.Scan(&step, &value); err != nil {
			return nil, fmt.Errorf("scan step of run %d: %w", runID, err)
		}
		steps[step] = value
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list steps of run %d: %w", runID, err)
	}
	return steps, nil
}

// SaveProgress stores what a running run has produced so far (the agent's
// usage, summary and transcript, its commit and PR) without ending it, so
// the run's record survives a crash and a retry can carry on from it.
func (s *Store) SaveProgress(ctx context.Context, id int64, o Outcome) error {
	_, err := s.db.ExecContext(ctx, `UPDATE lifeos_runs SET model = $1, turns = $2, prompt_tokens = $3,
		completion_tokens = $4, total_tokens = $5, branch = $6, commit_sha = $7, pr_number = $8, summary = $9,
		transcript = $10 WHERE id = $11 AND status = 'running'`,
		o.Model, o.Turns, o.PromptTokens, o.CompletionTokens, o.TotalTokens, o.Branch, o.CommitSHA, o.PRNumber,
		o.Summary, o.Transcript, id)
	if err != nil {
		return fmt.Errorf("save progress of run %d: %w", id, err)
	}
	return nil
}

// ChangedFiles is how many files run runID's commit changed.
func (s *Store) ChangedFiles(ctx context.Context, runID int64) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM lifeos_run_changes WHERE run_id = $1`, runID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count changes of run %d: %w", runID, err)
	}
	return n, nil
}
