package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// PageFilter selects runs for the run pages: the repositories a person may
// see, optional status and trigger, and a page before a run id.
type PageFilter struct {
	// Repos limits the runs to these repositories; nil means every
	// repository, and an empty non-nil slice means none.
	Repos   []string
	Status  string // "" for any
	Trigger string // "" for any
	// BeforeID keeps runs with a smaller id (older): 0 starts at the newest.
	BeforeID int64
	Limit    int
}

// ListRuns lists the runs the filter selects, newest first.
func (s *Store) ListRuns(ctx context.Context, f PageFilter) ([]*Run, error) {
	if f.Repos != nil && len(f.Repos) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Repos != nil {
		var ps []string
		for _, r := range f.Repos {
			ps = append(ps, arg(r))
		}
		where = append(where, "repo IN ("+strings.Join(ps, ", ")+")")
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Trigger != "" {
		where = append(where, "trigger = "+arg(f.Trigger))
	}
	if f.BeforeID > 0 {
		where = append(where, "id < "+arg(f.BeforeID))
	}
	q := `SELECT ` + runColumns + ` FROM lifeos_runs`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + arg(f.Limit)
	return s.queryRuns(ctx, "list runs", q, args...)
}

// RunRepos lists the repositories that have runs, sorted.
func (s *Store) RunRepos(ctx context.Context) ([]string, error) {
	return s.texts(ctx, "list repositories with runs", `SELECT DISTINCT repo FROM lifeos_runs ORDER BY repo`)
}

// RunCommits lists the commits a run wrote, by SHA, sorted.
func (s *Store) RunCommits(ctx context.Context, runID int64) ([]string, error) {
	return s.texts(ctx, fmt.Sprintf("list commits of run %d", runID),
		`SELECT sha FROM lifeos_commits WHERE run_id = $1 ORDER BY sha`, runID)
}

// texts runs a query of one text column.
func (s *Store) texts(ctx context.Context, what, q string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
