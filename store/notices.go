package store

import (
	"context"
	"fmt"
	"time"
)

// Notice is a run's end that could not be told on its thread because
// GitHub could not take the comment; the sweep tells it later.
type Notice struct {
	RunID          int64
	Repo           string
	InstallationID int64
	// Number is the issue or PR to tell.
	Number int
	Body   string
	// CreatedAt is when the run's end could first not be told.
	CreatedAt time.Time
}

// maxNotices bounds one sweep's notices, so a long GitHub outage does not
// make one sweep post without end.
const maxNotices = 50

// AddNotice keeps body to be told on number for the run; a run keeps its
// first notice.
func (s *Store) AddNotice(ctx context.Context, runID int64, number int, body string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_run_notices (run_id, number, body, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (run_id) DO NOTHING`, runID, number, body, s.now().UTC())
	if err != nil {
		return fmt.Errorf("keep the end notice of run %d: %w", runID, err)
	}
	return nil
}

// Notices lists the notices still to tell, oldest run first.
func (s *Store) Notices(ctx context.Context) ([]Notice, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT n.run_id, r.repo, r.installation_id, n.number, n.body, n.created_at
		FROM lifeos_run_notices n JOIN lifeos_runs r ON r.id = n.run_id ORDER BY n.run_id LIMIT $1`, maxNotices)
	if err != nil {
		return nil, fmt.Errorf("list end notices: %w", err)
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var n Notice
		if err := rows.Scan(&n.RunID, &n.Repo, &n.InstallationID, &n.Number, &n.Body, &n.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan end notice: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// DropNotice forgets the run's notice once it has been told.
func (s *Store) DropNotice(ctx context.Context, runID int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM lifeos_run_notices WHERE run_id = $1`, runID); err != nil {
		return fmt.Errorf("drop the end notice of run %d: %w", runID, err)
	}
	return nil
}
