package store

import (
	"context"
	"fmt"
	"time"
)

// Decision is one policy decision stored with its run.
type Decision struct {
	RunID     int64
	Seq       int
	Allow     bool
	Rule      string
	Reason    string
	CreatedAt time.Time
}

// RecordDecision appends a decision to a run's audit trail.
func (s *Store) RecordDecision(ctx context.Context, runID int64, allow bool, rule, reason string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_decisions (run_id, seq, allow, rule, reason, created_at)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM lifeos_decisions WHERE run_id = $1), $2, $3, $4, $5)`,
		runID, allow, rule, reason, s.now().UTC())
	if err != nil {
		return fmt.Errorf("record decision %s of run %d: %w", rule, runID, err)
	}
	return nil
}

// Decisions lists a run's decisions in order.
func (s *Store) Decisions(ctx context.Context, runID int64) ([]Decision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, seq, allow, rule, reason, created_at FROM lifeos_decisions
		WHERE run_id = $1 ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("list decisions of run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.RunID, &d.Seq, &d.Allow, &d.Rule, &d.Reason, &d.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan decision: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
