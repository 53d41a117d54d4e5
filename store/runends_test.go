package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/lifeos/lifeos/internal/testdb"
)

// storesWithRiver returns stores on SQLite and (when configured)
// PostgreSQL whose databases also hold River's real tables.
func storesWithRiver(t *testing.T) map[string]*DB {
	t.Helper()
	ctx := context.Background()
	out := map[string]*DB{}
	db, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := rivermigrate.New(riversqlite.New(db.DB), nil)
	migrateRiver(t, m, err)
	out["sqlite"] = db
	if url := testdb.PostgresURL(t, "lifeos_store_runends_test"); url != "" {
		pg, err := Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		pm, err := rivermigrate.New(riverpgxv5.New(pool), nil)
		migrateRiver(t, pm, err)
		out["postgres"] = pg
	}
	return out
}

func migrateRiver[TTx any](t *testing.T, m *rivermigrate.Migrator[TTx], err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Migrate(context.Background(), rivermigrate.DirectionUp, nil); err != nil {
		t.Fatalf("migrate River's tables: %v", err)
	}
}

// riverJob inserts a River job row in state and returns its id.
func riverJob(t *testing.T, db *DB, state string) int64 {
	t.Helper()
	var finalized any
	if state == "completed" || state == "cancelled" || state == "discarded" {
		finalized = time.Now().UTC()
	}
	var id int64
	err := db.QueryRowContext(context.Background(), `INSERT INTO river_job (kind, args, state, finalized_at)
		VALUES ('test', '{}', $1, $2) RETURNING id`, state, finalized).Scan(&id)
	if err != nil {
		t.Fatalf("insert a %s River job: %v", state, err)
	}
	return id
}

func TestOrphanedRunsAreThoseWithoutALiveJob(t *testing.T) {
	ctx := context.Background()
	for name, db := range storesWithRiver(t) {
		t.Run(name, func(t *testing.T) {
			s := New(db, nil)
			want := map[int]bool{} // issue -> orphaned
			start := func(issue int, jobID int64, orphan bool) {
				t.Helper()
				_, err := s.StartRun(ctx, NewRun{Repo: "o/r", InstallationID: 1, IssueNumber: issue,
					DeliveryID: "d" + itoaTest(issue), JobID: jobID, Trigger: "label", Actor: "alice", Status: StatusRunning})
				if err != nil {
					t.Fatal(err)
				}
				want[issue] = orphan
			}
			for i, state := range []string{"running", "retryable", "scheduled", "available"} {
				start(10+i, riverJob(t, db, state), false)
			}
			for i, state := range []string{"completed", "cancelled", "discarded"} {
				start(20+i, riverJob(t, db, state), true)
			}
			start(30, 987654, true) // its job is gone
			// A finished run is never an orphan, whatever its job.
			done := riverJob(t, db, "completed")
			start(31, done, false)
			if ok, err := s.EndRun(ctx, mustRunningOf(t, s, done).ID, StatusFailed, "boom"); err != nil || !ok {
				t.Fatalf("EndRun = %v, %v", ok, err)
			}

			runs, err := s.OrphanedRuns(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int]bool{}
			for _, r := range runs {
				got[r.IssueNumber] = true
			}
			for issue, orphan := range want {
				if got[issue] != orphan {
					t.Errorf("issue %d: orphaned = %v, want %v", issue, got[issue], orphan)
				}
			}
		})
	}
}

func TestEndRunEndsOnlyARunningRun(t *testing.T) {
	ctx := context.Background()
	for name, db := range storesWithRiver(t) {
		t.Run(name, func(t *testing.T) {
			s := New(db, nil)
			job := riverJob(t, db, "running")
			run, err := s.StartRun(ctx, NewRun{Repo: "o/r", InstallationID: 1, IssueNumber: 3, DeliveryID: "d1",
				JobID: job, Trigger: "label", Actor: "alice", Status: StatusRunning})
			if err != nil {
				t.Fatal(err)
			}
			if live, err := s.JobRunning(ctx, job); err != nil || !live {
				t.Fatalf("JobRunning(running job) = %v, %v", live, err)
			}
			if live, err := s.JobRunning(ctx, riverJob(t, db, "retryable")); err != nil || live {
				t.Fatalf("JobRunning(retryable job) = %v, %v", live, err)
			}
			if ok, err := s.EndRun(ctx, run.ID, StatusFailed, "LifeOS gave up"); err != nil || !ok {
				t.Fatalf("first EndRun = %v, %v", ok, err)
			}
			if ok, err := s.EndRun(ctx, run.ID, StatusCancelled, "again"); err != nil || ok {
				t.Fatalf("second EndRun = %v, %v; want false", ok, err)
			}
			got, err := s.Run(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != StatusFailed || got.Error != "LifeOS gave up" || got.FinishedAt == nil {
				t.Fatalf("ended run = %s %q finished %v", got.Status, got.Error, got.FinishedAt)
			}
			if r, err := s.RunningRunOfJob(ctx, job); err != nil || r != nil {
				t.Fatalf("RunningRunOfJob after the end = %+v, %v", r, err)
			}
			// The issue is free for a fresh run.
			if _, err := s.StartRun(ctx, NewRun{Repo: "o/r", InstallationID: 1, IssueNumber: 3, DeliveryID: "d2",
				JobID: job + 100, Trigger: "label", Actor: "alice", Status: StatusRunning}); err != nil {
				t.Fatalf("fresh run after the end: %v", err)
			}
		})
	}
}

func mustRunningOf(t *testing.T, s *Store, jobID int64) *Run {
	t.Helper()
	r, err := s.RunningRunOfJob(context.Background(), jobID)
	if err != nil || r == nil {
		t.Fatalf("RunningRunOfJob(%d) = %+v, %v", jobID, r, err)
	}
	return r
}

func itoaTest(n int) string { return fmt.Sprint(n) }

// TestAJoblessRunIsAnOrphanOnlyOnceItIsOld: a run with no job (a terminal
// run, `lifeos run`) is worked by a process the sweep cannot see; it is an
// orphan only once it is older than MaxJoblessRun, which that process's
// own timeout keeps it under.
func TestAJoblessRunIsAnOrphanOnlyOnceItIsOld(t *testing.T) {
	ctx := context.Background()
	for name, db := range storesWithRiver(t) {
		t.Run(name, func(t *testing.T) {
			now := time.Now()
			clock := func() time.Time { return now }
			s := New(db, clock)
			for issue, age := range map[int]time.Duration{40: time.Minute, 41: MaxJoblessRun + time.Minute} {
				now = time.Now().Add(-age)
				if _, err := s.StartRun(ctx, NewRun{Repo: "o/jobless", InstallationID: 1, IssueNumber: issue,
					DeliveryID: "terminal-" + itoaTest(issue), Trigger: "terminal", Status: StatusRunning}); err != nil {
					t.Fatal(err)
				}
			}
			now = time.Now()
			runs, err := s.OrphanedRuns(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int]bool{}
			for _, r := range runs {
				if r.Repo == "o/jobless" {
					got[r.IssueNumber] = true
				}
			}
			if got[40] || !got[41] {
				t.Errorf("orphaned jobless runs: %v, want only issue 41", got)
			}
		})
	}
}
