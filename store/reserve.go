package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Spending is a month's spending of a repository and of its installation,
// in micro-dollars.
type Spending struct{ Repo, Installation int64 }

// Budgets are a repository's and its installation's monthly budgets, in
// micro-dollars; 0 is no limit.
type Budgets struct{ Repo, Installation int64 }

// Reservation is what a run holds of its month's budgets while it runs.
type Reservation struct {
	RunID          int64
	Repo           string
	InstallationID int64
	// HeldMicros is what the run may still spend: its per-run cap less
	// what it spent before (a resumed run), or 0 for a run with no cap.
	HeldMicros int64
	Budgets    Budgets
}

// Reserve lets a run start if the month's spending and what other running
// runs still hold leave room under both budgets, and then holds
// r.HeldMicros for it (replacing the run's earlier reservation, if any).
// ok is false, and nothing is held, when there is no room. The check and
// the hold are one transaction under the installation's lock, so replicas
// sharing a PostgreSQL database cannot both take the same room.
func (s *Store) Reserve(ctx context.Context, r Reservation) (ok bool, err error) {
	month := monthKey(s.now())
	err = s.budgetTx(ctx, r.InstallationID, func(tx *sql.Tx) error {
		spent, err := spending(ctx, tx, r.Repo, r.InstallationID, month)
		if err != nil {
			return err
		}
		held, err := holdings(ctx, tx, r, month)
		if err != nil {
			return err
		}
		if full(spent.Repo+held.Repo, r.Budgets.Repo) || full(spent.Installation+held.Installation, r.Budgets.Installation) {
			return nil
		}
		ok = true
		_, err = tx.ExecContext(ctx, `INSERT INTO lifeos_reservations (run_id, repo, installation_id, month, held_micros)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (run_id) DO UPDATE SET repo = excluded.repo, installation_id = excluded.installation_id,
				month = excluded.month, held_micros = excluded.held_micros`,
			r.RunID, r.Repo, r.InstallationID, month, r.HeldMicros)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("reserve budget for run %d: %w", r.RunID, err)
	}
	return ok, nil
}

// Release drops a run's reservation at its end.
func (s *Store) Release(ctx context.Context, runID int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM lifeos_reservations WHERE run_id = $1`, runID); err != nil {
		return fmt.Errorf("release the reservation of run %d: %w", runID, err)
	}
	return nil
}

// full reports whether used reaches a budget (0 is no limit).
func full(used, budget int64) bool {
	return budget > 0 && used >= budget
}

// holdings is what running runs other than r's hold this month of r's
// repository and installation.
func holdings(ctx context.Context, tx *sql.Tx, r Reservation, month string) (Spending, error) {
	var h Spending
	err := tx.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN v.repo = $1 THEN v.held_micros ELSE 0 END), 0),
		COALESCE(SUM(v.held_micros), 0)
		FROM lifeos_reservations v JOIN lifeos_runs r ON r.id = v.run_id
		WHERE v.installation_id = $2 AND v.month = $3 AND v.run_id != $4 AND r.status = $5`,
		r.Repo, r.InstallationID, month, r.RunID, StatusRunning).Scan(&h.Repo, &h.Installation)
	if err != nil {
		return Spending{}, fmt.Errorf("read what running runs hold: %w", err)
	}
	return h, nil
}

// spending is the month's spending of repo and its installation, read in tx.
func spending(ctx context.Context, tx *sql.Tx, repo string, installationID int64, month string) (Spending, error) {
	var sp Spending
	err := tx.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN repo = $1 THEN cost_micros ELSE 0 END), 0),
		COALESCE(SUM(cost_micros), 0)
		FROM lifeos_ledger WHERE installation_id = $2 AND month = $3`, repo, installationID, month).Scan(&sp.Repo, &sp.Installation)
	if err != nil {
		return Spending{}, fmt.Errorf("read spending of %s this month: %w", repo, err)
	}
	return sp, nil
}

// budgetTx runs f in a transaction that holds the installation's budget
// lock: on PostgreSQL a transaction-scoped advisory lock, so every
// replica's reservations and charges against one installation's budgets
// take turns; on SQLite the database's single writer connection already
// serialises them.
func (s *Store) budgetTx(ctx context.Context, installationID int64, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if s.db.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, budgetLockClass, int32(installationID)); err != nil {
			return fmt.Errorf("lock the budgets of installation %d: %w", installationID, err)
		}
	}
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// budgetLockClass is the first key of the budgets' advisory locks, apart
// from any other advisory lock in the database (River's among them); the
// second key is the installation's ID folded into 32 bits, so two
// installations may at worst share a lock, never race.
const budgetLockClass int32 = 0x4c4f4253 // "LOBS"
