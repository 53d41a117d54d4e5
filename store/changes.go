package store

import (
	"context"
	"fmt"
)

// FileChange is one file a pushed run changed.
type FileChange struct {
	Path           string
	Deleted        bool
	Added, Removed int
}

// RecordChanges stores the files a run's commit changed.
func (s *Store) RecordChanges(ctx context.Context, runID int64, changes []FileChange) error {
	for _, c := range changes {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_run_changes (run_id, path, deleted, added, removed)
			VALUES ($1, $2, $3, $4, $5)`, runID, c.Path, c.Deleted, c.Added, c.Removed); err != nil {
			return fmt.Errorf("record change of %s in run %d: %w", c.Path, runID, err)
		}
	}
	return nil
}

// PullChanges returns the files LifeOS's pushed runs changed on a PR, one
// entry a path with the lines of every run added up (an upper bound of the
// PR's diff), and the commit the newest of those runs pushed.
func (s *Store) PullChanges(ctx context.Context, repo string, pr int) ([]FileChange, string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.path, c.deleted, c.added, c.removed FROM lifeos_run_changes c
		JOIN lifeos_runs r ON r.id = c.run_id WHERE r.repo = $1 AND r.pr_number = $2 AND r.status = $3 ORDER BY r.id`,
		repo, pr, StatusSucceeded)
	if err != nil {
		return nil, "", fmt.Errorf("list changes of %s#%d: %w", repo, pr, err)
	}
	defer rows.Close()
	byPath := map[string]*FileChange{}
	var order []string
	for rows.Next() {
		var c FileChange
		if err := rows.Scan(&c.Path, &c.Deleted, &c.Added, &c.Removed); err != nil {
			return nil, "", fmt.Errorf("scan change: %w", err)
		}
		if prev, ok := byPath[c.Path]; ok {
			prev.Added += c.Added
			prev.Removed += c.Removed
			prev.Deleted = c.Deleted
			continue
		}
		byPath[c.Path] = &c
		order = append(order, c.Path)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	var head string
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(commit_sha), '') FROM lifeos_runs WHERE id = (
		SELECT MAX(id) FROM lifeos_runs WHERE repo = $1 AND pr_number = $2 AND status = $3)`, repo, pr, StatusSucceeded).Scan(&head); err != nil {
		return nil, "", fmt.Errorf("read last commit of %s#%d: %w", repo, pr, err)
	}
	out := make([]FileChange, 0, len(order))
	for _, p := range order {
		out = append(out, *byPath[p])
	}
	return out, head, nil
}
