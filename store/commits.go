package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RecordCommit stores that run runID wrote commit sha on repo, so that an
// auto-merge can later require every commit of a PR to be LifeOS's own.
// Recording the same commit twice keeps the first record.
func (s *Store) RecordCommit(ctx context.Context, repo, sha string, runID int64) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_commits (repo, sha, run_id) VALUES ($1, $2, $3)
		ON CONFLICT (repo, sha) DO NOTHING`, repo, sha, runID); err != nil {
		return fmt.Errorf("record commit %s of %s in run %d: %w", sha, repo, runID, err)
	}
	return nil
}

// WroteCommit reports whether LifeOS recorded writing commit sha on repo.
func (s *Store) WroteCommit(ctx context.Context, repo, sha string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM lifeos_commits WHERE repo = $1 AND sha = $2`, repo, sha).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up commit %s of %s: %w", sha, repo, err)
	}
	return true, nil
}
