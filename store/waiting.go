package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Ack is what a command's first pass learned and did: the sender's role,
// the issue it is about, and that it was acknowledged. A command that waits
// for an active run reads it back instead of asking GitHub again.
type Ack struct {
	DeliveryID string
	Role       string
	Issue      int
	PR         int
	// ProgressID is the progress comment that says the command is queued
	// (0 for none, -1 while it is being posted): the run it starts takes
	// the comment over.
	ProgressID int64
}

// RecordAck records a command's acknowledgement; recording it twice keeps
// the first.
func (s *Store) RecordAck(ctx context.Context, a Ack) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_acks (delivery_id, role, issue_number, pr_number, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (delivery_id) DO NOTHING`, a.DeliveryID, a.Role, a.Issue, a.PR, s.now().UTC())
	if err != nil {
		return fmt.Errorf("record the acknowledgement of delivery %s: %w", a.DeliveryID, err)
	}
	return nil
}

// AckOf returns a delivery's acknowledgement, or nil.
func (s *Store) AckOf(ctx context.Context, deliveryID string) (*Ack, error) {
	a := Ack{DeliveryID: deliveryID}
	err := s.db.QueryRowContext(ctx, `SELECT role, issue_number, pr_number, progress_comment_id FROM lifeos_acks WHERE delivery_id = $1`,
		deliveryID).Scan(&a.Role, &a.Issue, &a.PR, &a.ProgressID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the acknowledgement of delivery %s: %w", deliveryID, err)
	}
	return &a, nil
}

// SetAckProgress records the progress comment of a queued command (-1
// just before it is posted).
func (s *Store) SetAckProgress(ctx context.Context, deliveryID string, commentID int64) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE lifeos_acks SET progress_comment_id = $1 WHERE delivery_id = $2`, commentID, deliveryID); err != nil {
		return fmt.Errorf("record the progress comment of delivery %s: %w", deliveryID, err)
	}
	return nil
}

// AddWaiter records that a job waits for the issue's active run to end.
func (s *Store) AddWaiter(ctx context.Context, repo string, issue int, jobID int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_waiters (job_id, repo, issue_number, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (job_id) DO NOTHING`, jobID, repo, issue, s.now().UTC())
	if err != nil {
		return fmt.Errorf("record job %d as waiting on %s#%d: %w", jobID, repo, issue, err)
	}
	return nil
}

// RemoveWaiter forgets a job that no longer waits.
func (s *Store) RemoveWaiter(ctx context.Context, jobID int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM lifeos_waiters WHERE job_id = $1`, jobID); err != nil {
		return fmt.Errorf("forget waiting job %d: %w", jobID, err)
	}
	return nil
}

// Waiters lists the jobs waiting on an issue, oldest first.
func (s *Store) Waiters(ctx context.Context, repo string, issue int) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT job_id FROM lifeos_waiters WHERE repo = $1 AND issue_number = $2
		ORDER BY created_at, job_id`, repo, issue)
	if err != nil {
		return nil, fmt.Errorf("list jobs waiting on %s#%d: %w", repo, issue, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan waiting job: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
