package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// monthKey is the ledger's month key: the calendar month of t in UTC, as
// "2006-01". The store owns it, because it is the stored format of
// lifeos_ledger.month and rows written under one format must still be found
// by the next version; a test checks it agrees with policy.Month, the month
// the budget policy reasons about.
func monthKey(t time.Time) string {
	return t.UTC().Format("2006-01")
}

// Charge is the cost of one model call, in micro-dollars.
type Charge struct {
	RunID          int64
	Seq            int
	Repo           string
	InstallationID int64
	Model          string
	CostMicros     int64
}

// Charge records a model call's cost in the current month, spends it from
// the run's reservation, and returns the month's spending after it, all in
// one transaction, so the caller's budget check sees its own charge and
// every charge committed before it.
func (s *Store) Charge(ctx context.Context, c Charge) (Spending, error) {
	now := s.now().UTC()
	var out Spending
	err := s.budgetTx(ctx, c.InstallationID, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lifeos_ledger (run_id, seq, repo, installation_id, month, model, cost_micros, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.RunID, c.Seq, c.Repo, c.InstallationID, monthKey(now), c.Model, c.CostMicros, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lifeos_reservations
			SET held_micros = CASE WHEN held_micros > $1 THEN held_micros - $1 ELSE 0 END WHERE run_id = $2`, c.CostMicros, c.RunID); err != nil {
			return err
		}
		var err error
		out, err = spending(ctx, tx, c.Repo, c.InstallationID, monthKey(now))
		return err
	})
	if err != nil {
		return Spending{}, fmt.Errorf("charge run %d call %d: %w", c.RunID, c.Seq, err)
	}
	return out, nil
}

// Spent returns what this month's model calls cost the repo and the
// installation, in micro-dollars.
func (s *Store) Spent(ctx context.Context, repo string, installationID int64) (repoMicros, installationMicros int64, err error) {
	month := monthKey(s.now())
	err = s.db.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN repo = $1 THEN cost_micros ELSE 0 END), 0),
		COALESCE(SUM(cost_micros), 0)
		FROM lifeos_ledger WHERE installation_id = $2 AND month = $3`, repo, installationID, month).Scan(&repoMicros, &installationMicros)
	if err != nil {
		return 0, 0, fmt.Errorf("read spending of %s this month: %w", repo, err)
	}
	return repoMicros, installationMicros, nil
}

// RunCost returns what a run's model calls cost, in micro-dollars.
func (s *Store) RunCost(ctx context.Context, runID int64) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(cost_micros), 0) FROM lifeos_ledger WHERE run_id = $1`, runID).Scan(&n); err != nil {
		return 0, fmt.Errorf("read cost of run %d: %w", runID, err)
	}
	return n, nil
}
