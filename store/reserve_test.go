package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// startRuns starts n running runs of repo o/a in installation 1, one per
// issue, with deliveries named after prefix.
func startRuns(t *testing.T, s *Store, prefix string, n int) []*Run {
	t.Helper()
	var runs []*Run
	for i := range n {
		r, err := s.StartRun(context.Background(), NewRun{Repo: "o/a", InstallationID: 1, IssueNumber: i + 1,
			DeliveryID: fmt.Sprintf("%s-%d", prefix, i), Trigger: "label", Actor: "x", Status: StatusRunning})
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	return runs
}

func TestReserve(t *testing.T) {
	ctx := context.Background()
	budgets := Budgets{Repo: 1000, Installation: 5000}
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			runs := startRuns(t, s, "res-"+name, 4)
			reserve := func(r *Run, held int64) bool {
				t.Helper()
				ok, err := s.Reserve(ctx, Reservation{RunID: r.ID, Repo: "o/a", InstallationID: 1, HeldMicros: held, Budgets: budgets})
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			if !reserve(runs[0], 600) || !reserve(runs[1], 600) {
				t.Fatal("the first two reservations were refused with room left")
			}
			if reserve(runs[2], 600) {
				t.Fatal("a third run started though the first two hold the whole budget")
			}
			if !reserve(runs[1], 300) {
				t.Fatal("a run's own reservation kept it from reserving again")
			}
			// Spending moves money from held to spent: 600 held + 200 spent +
			// 100 still held by run 1 leaves room.
			sp, err := s.Charge(ctx, Charge{RunID: runs[1].ID, Seq: 1, Repo: "o/a", InstallationID: 1, Model: "m", CostMicros: 200})
			if err != nil || sp.Repo != 200 || sp.Installation != 200 {
				t.Fatalf("charge = %+v, %v; want 200 spent", sp, err)
			}
			if !reserve(runs[2], 600) {
				t.Fatal("refused with 100 of the budget neither spent nor held")
			}
			if reserve(runs[3], 0) {
				t.Fatal("a run with no cap started though the budget is all held or spent")
			}
			// A finished run's reservation no longer counts, released or not.
			if err := s.FinishRun(ctx, runs[0].ID, Outcome{Status: StatusFailed}); err != nil {
				t.Fatal(err)
			}
			if err := s.Release(ctx, runs[2].ID); err != nil {
				t.Fatal(err)
			}
			if !reserve(runs[3], 0) {
				t.Fatal("refused though the holders ended")
			}
		})
	}
}

// TestChargeConcurrently runs goroutines that each reserve, then charge
// calls while the month's spending leaves budget, as runs do: the total
// stays within the budget plus one call per run.
func TestChargeConcurrently(t *testing.T) {
	const runners, call, budget = 12, 70, 1000
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			runs := startRuns(t, s, "conc-"+name, runners)
			var wg sync.WaitGroup
			errs := make(chan error, runners)
			for _, r := range runs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- spendUntilSpent(ctx, s, r, call, Budgets{Repo: budget})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			repo, _, err := s.Spent(ctx, "o/a", 1)
			if err != nil {
				t.Fatal(err)
			}
			if repo < budget || repo > budget+runners*call {
				t.Fatalf("spent %d of a %d budget with %d runs of %d a call; want at least the budget and at most one call per run over", repo, budget, runners, call)
			}
		})
	}
}

// spendUntilSpent is one run: it reserves nothing (no cap), then charges
// calls until a charge reports the budget reached.
func spendUntilSpent(ctx context.Context, s *Store, r *Run, call int64, b Budgets) error {
	ok, err := s.Reserve(ctx, Reservation{RunID: r.ID, Repo: r.Repo, InstallationID: r.InstallationID, Budgets: b})
	if err != nil || !ok {
		return err
	}
	for seq := 1; ; seq++ {
		sp, err := s.Charge(ctx, Charge{RunID: r.ID, Seq: seq, Repo: r.Repo, InstallationID: r.InstallationID, Model: "m", CostMicros: call})
		if err != nil {
			return err
		}
		if sp.Repo >= b.Repo {
			return nil
		}
	}
}

// TestReserveConcurrently has runs reserve at once: only as many as the
// budget holds start, as if one took its turn after the other.
func TestReserveConcurrently(t *testing.T) {
	const runners = 16
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			runs := startRuns(t, s, "concres-"+name, runners)
			var wg sync.WaitGroup
			got := make(chan bool, runners)
			for _, r := range runs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := s.Reserve(ctx, Reservation{RunID: r.ID, Repo: r.Repo, InstallationID: 1, HeldMicros: 400, Budgets: Budgets{Installation: 1000}})
					if err != nil {
						t.Error(err)
					}
					got <- ok
				}()
			}
			wg.Wait()
			close(got)
			started := 0
			for ok := range got {
				if ok {
					started++
				}
			}
			if started != 3 {
				t.Fatalf("%d runs reserved 400 each of a 1000 budget; want 3", started)
			}
		})
	}
}
