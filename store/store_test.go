package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lifeos/lifeos/internal/testdb"
)

// testStores returns a migrated store on SQLite and, when
// LIFEOS_TEST_DATABASE_URL is set, one on that PostgreSQL database.
func testStores(t *testing.T) map[string]*Store {
	t.Helper()
	ctx := context.Background()
	out := map[string]*Store{}
	db, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	out["sqlite"] = New(db, nil)
	if url := testdb.PostgresURL(t, "lifeos_store_test"); url != "" {
		pg, err := Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		out["postgres"] = New(pg, nil)
	}
	return out
}

func TestRunLifecycle(t *testing.T) {
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			n := NewRun{Repo: "o/r", InstallationID: 7, IssueNumber: 3, DeliveryID: "d1", JobID: 11,
				Trigger: "label", Actor: "alice", Status: StatusRunning}
			run, err := s.StartRun(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			if run.ID == 0 || run.Status != StatusRunning || run.StartedAt == nil || run.FinishedAt != nil {
				t.Fatalf("started run = %+v", run)
			}

			// The same delivery retried by the same job takes the run over.
			again, err := s.StartRun(ctx, n)
			if err != nil || again.ID != run.ID {
				t.Fatalf("retry of same job: %v, %+v", err, again)
			}
			// A redelivery queued as another job is a duplicate.
			n2 := n
			n2.JobID = 12
			if _, err := s.StartRun(ctx, n2); !errors.Is(err, ErrDuplicateDelivery) {
				t.Fatalf("redelivery: err = %v, want ErrDuplicateDelivery", err)
			}
			// Another delivery on the same issue waits for the active run.
			n3 := n
			n3.DeliveryID, n3.JobID = "d2", 13
			active, err := s.StartRun(ctx, n3)
			if !errors.Is(err, ErrActiveRun) || active.ID != run.ID {
				t.Fatalf("second trigger: err = %v, run = %+v", err, active)
			}

			if err := s.RecordCall(ctx, ModelCall{RunID: run.ID, Seq: 1, Model: "m", PromptTokens: 10, CachedTokens: 4, CompletionTokens: 5, TotalTokens: 15}); err != nil {
				t.Fatal(err)
			}
			if err := s.RecordCall(ctx, ModelCall{RunID: run.ID, Seq: 2, Model: "m", PromptTokens: 20, CompletionTokens: 1, TotalTokens: 21}); err != nil {
				t.Fatal(err)
			}
			calls, err := s.ModelCalls(ctx, run.ID)
			if err != nil || len(calls) != 2 || calls[1].TotalTokens != 21 || calls[0].CachedTokens != 4 {
				t.Fatalf("calls = %+v, %v", calls, err)
			}

			out := Outcome{Status: StatusSucceeded, Model: "m", Turns: 2, TotalTokens: 36, Branch: "lifeos/issue-3",
				CommitSHA: "abc", PRNumber: 4, Summary: "did it", Transcript: "[]"}
			if err := s.FinishRun(ctx, run.ID, out); err != nil {
				t.Fatal(err)
			}
			got, err := s.Run(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != StatusSucceeded || got.PRNumber != 4 || got.CommitSHA != "abc" || got.FinishedAt == nil || got.Summary != "did it" {
				t.Fatalf("finished run = %+v", got)
			}
			if a, err := s.ActiveRun(ctx, "o/r", 3); err != nil || a != nil {
				t.Fatalf("active after finish = %+v, %v", a, err)
			}
			// Now the next delivery may start.
			next, err := s.StartRun(ctx, n3)
			if err != nil || next.ID == run.ID {
				t.Fatalf("next run: %v %+v", err, next)
			}
			runs, err := s.IssueRuns(ctx, "o/r", 3)
			if err != nil || len(runs) != 2 || runs[0].ID != run.ID {
				t.Fatalf("issue runs = %+v, %v", runs, err)
			}
			all, err := s.ListRuns(ctx, PageFilter{Limit: 10})
			if err != nil || len(all) != 2 || all[0].ID != next.ID {
				t.Fatalf("runs = %+v, %v", all, err)
			}
		})
	}
}

func TestDeniedRunIsFinal(t *testing.T) {
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			run, err := s.StartRun(ctx, NewRun{Repo: "o/r", IssueNumber: 1, DeliveryID: "x", Trigger: "label",
				Actor: "bob", Status: StatusDenied, Error: "triage"})
			if err != nil {
				t.Fatal(err)
			}
			if run.FinishedAt == nil || time.Since(*run.FinishedAt) > time.Minute {
				t.Fatalf("denied run not final: %+v", run)
			}
			if a, _ := s.ActiveRun(ctx, "o/r", 1); a != nil {
				t.Fatalf("denied run is active: %+v", a)
			}
		})
	}
}

func TestOpenRejectsOtherURLs(t *testing.T) {
	if _, err := Open(context.Background(), "mysql://x", ""); err == nil {
		t.Fatal("want an error for a non-postgres URL")
	}
}

func TestDecisions(t *testing.T) {
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			run, err := s.StartRun(ctx, NewRun{Repo: "o/r", IssueNumber: 9, DeliveryID: "dec", Trigger: "label", Actor: "a", Status: StatusRunning})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RecordDecision(ctx, run.ID, true, "trigger.permission", "@a has admin access"); err != nil {
				t.Fatal(err)
			}
			if err := s.RecordDecision(ctx, run.ID, false, "paths.deny", "secrets/x is denied"); err != nil {
				t.Fatal(err)
			}
			ds, err := s.Decisions(ctx, run.ID)
			if err != nil || len(ds) != 2 || ds[0].Seq != 1 || !ds[0].Allow || ds[1].Allow || ds[1].Rule != "paths.deny" {
				t.Fatalf("decisions = %+v, %v", ds, err)
			}
		})
	}
}

func TestLedger(t *testing.T) {
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			a, _ := s.StartRun(ctx, NewRun{Repo: "o/a", InstallationID: 1, IssueNumber: 1, DeliveryID: "l1", Trigger: "label", Actor: "x", Status: StatusRunning})
			b, _ := s.StartRun(ctx, NewRun{Repo: "o/b", InstallationID: 1, IssueNumber: 1, DeliveryID: "l2", Trigger: "label", Actor: "x", Status: StatusRunning})
			c, _ := s.StartRun(ctx, NewRun{Repo: "p/c", InstallationID: 2, IssueNumber: 1, DeliveryID: "l3", Trigger: "label", Actor: "x", Status: StatusRunning})
			for i, ch := range []Charge{
				{RunID: a.ID, Seq: 1, Repo: "o/a", InstallationID: 1, Model: "m", CostMicros: 100},
				{RunID: a.ID, Seq: 2, Repo: "o/a", InstallationID: 1, Model: "m", CostMicros: 50},
				{RunID: b.ID, Seq: 1, Repo: "o/b", InstallationID: 1, Model: "m", CostMicros: 7},
				{RunID: c.ID, Seq: 1, Repo: "p/c", InstallationID: 2, Model: "m", CostMicros: 1000},
			} {
				if _, err := s.Charge(ctx, ch); err != nil {
					t.Fatalf("charge %d: %v", i, err)
				}
			}
			repo, inst, err := s.Spent(ctx, "o/a", 1)
			if err != nil || repo != 150 || inst != 157 {
				t.Fatalf("spent = %d, %d, %v", repo, inst, err)
			}
			if cost, err := s.RunCost(ctx, a.ID); err != nil || cost != 150 {
				t.Fatalf("run cost = %d, %v", cost, err)
			}
		})
	}
}
