package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// RunFilter chooses the runs RunList returns. Zero fields do not filter.
type RunFilter struct {
	Repo   string
	Status string
	// Since and Until bound the runs' creation time: Since <= created < Until.
	Since, Until time.Time
	// Limit caps the runs returned, newest first; 0 is no cap.
	Limit int
}

// RunCostRow is a run with what its model calls cost, in micro-dollars.
type RunCostRow struct {
	*Run
	CostMicros int64
}

// RunList lists the runs f chooses, newest first, each with its cost.
func (s *Store) RunList(ctx context.Context, f RunFilter) ([]RunCostRow, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Repo != "" {
		add("repo = $%d", f.Repo)
	}
	if f.Status != "" {
		add("status = $%d", f.Status)
	}
	if !f.Since.IsZero() {
		add("created_at >= $%d", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		add("created_at < $%d", f.Until.UTC())
	}
	q := `SELECT ` + runColumns + `, (SELECT COALESCE(SUM(l.cost_micros), 0) FROM lifeos_ledger l WHERE l.run_id = lifeos_runs.id)
		FROM lifeos_runs`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []RunCostRow
	for rows.Next() {
		var row RunCostRow
		var cost int64
		r, err := scanRun(scanWith(rows, &cost))
		if err != nil {
			return nil, fmt.Errorf("scan run: %w", err)
		}
		row.Run, row.CostMicros = r, cost
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// scanWith is a row whose Scan fills extra destinations after the ones its
// caller passes, for a query with columns after runColumns.
func scanWith(rows *sql.Rows, extra ...any) interface{ Scan(...any) error } {
	return scanner(func(dest ...any) error { return rows.Scan(append(dest, extra...)...) })
}

type scanner func(...any) error

func (f scanner) Scan(dest ...any) error { return f(dest...) }

// CallCost is one model call of a run with what it cost, in micro-dollars
// (0 when no charge was recorded for it).
type CallCost struct {
	ModelCall
	CostMicros int64
}

// CallCosts lists a run's model calls in order, each with its charge.
func (s *Store) CallCosts(ctx context.Context, runID int64) ([]CallCost, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.run_id, c.seq, c.model, c.prompt_tokens, c.cached_tokens, c.completion_tokens,
		c.total_tokens, c.created_at, COALESCE(l.cost_micros, 0)
		FROM lifeos_model_calls c LEFT JOIN lifeos_ledger l ON l.run_id = c.run_id AND l.seq = c.seq
		WHERE c.run_id = $1 ORDER BY c.seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("list calls of run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []CallCost
	for rows.Next() {
		var c CallCost
		if err := rows.Scan(&c.RunID, &c.Seq, &c.Model, &c.PromptTokens, &c.CachedTokens, &c.CompletionTokens, &c.TotalTokens,
			&c.CreatedAt, &c.CostMicros); err != nil {
			return nil, fmt.Errorf("scan call of run %d: %w", runID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list calls of run %d: %w", runID, err)
	}
	return out, nil
}

// RunChanges lists the files a run's commit changed, by path, with the bytes
// each wrote (-1 when unknown, as in CommitChanges).
func (s *Store) RunChanges(ctx context.Context, runID int64) ([]FileChange, error) {
	return s.querySizedChanges(ctx, fmt.Sprintf("run %d", runID), `SELECT path, deleted, added, removed, bytes FROM lifeos_run_changes
		WHERE run_id = $1 ORDER BY path`, runID)
}
