package store

import (
	"context"
	"database/sql"
	"fmt"
)

// FileChange is one file a pushed run changed. Bytes is the size of the
// content it wrote (0 for a deletion), or -1 when unknown: changes recorded
// before sizes were kept have none.
type FileChange struct {
	Path           string
	Deleted        bool
	Added, Removed int
	Bytes          int
}

// RecordChanges stores the files a run's commit changed.
func (s *Store) RecordChanges(ctx context.Context, runID int64, changes []FileChange) error {
	for _, c := range changes {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_run_changes (run_id, path, deleted, added, removed, bytes)
			VALUES ($1, $2, $3, $4, $5, $6)`, runID, c.Path, c.Deleted, c.Added, c.Removed, c.Bytes); err != nil {
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

// CommitChanges returns the files changed by the run that wrote commit sha
// on repo (see RecordCommit), with the bytes each wrote; none when LifeOS
// did not record the commit.
func (s *Store) CommitChanges(ctx context.Context, repo, sha string) ([]FileChange, error) {
	return s.querySizedChanges(ctx, fmt.Sprintf("commit %s of %s", sha, repo), `SELECT rc.path, rc.deleted, rc.added, rc.removed, rc.bytes
		FROM lifeos_commits c JOIN lifeos_run_changes rc ON rc.run_id = c.run_id
		WHERE c.repo = $1 AND c.sha = $2 ORDER BY rc.path`, repo, sha)
}

// querySizedChanges runs a query of path, deleted, added, removed and bytes
// and scans every change, a size not recorded as -1; what names the query's
// subject in errors.
func (s *Store) querySizedChanges(ctx context.Context, what, q string, args ...any) ([]FileChange, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list changes of %s: %w", what, err)
	}
	defer rows.Close()
	var out []FileChange
	for rows.Next() {
		var c FileChange
		var size sql.NullInt64
		if err := rows.Scan(&c.Path, &c.Deleted, &c.Added, &c.Removed, &size); err != nil {
			return nil, fmt.Errorf("scan change of %s: %w", what, err)
		}
		c.Bytes = -1
		if size.Valid {
			c.Bytes = int(size.Int64)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list changes of %s: %w", what, err)
	}
	return out, nil
}
