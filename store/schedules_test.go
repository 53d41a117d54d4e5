package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeos/lifeos/internal/testdb"
)

func TestSchedulesReplaceAndFire(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			repo := "o/sched-" + name
			sc := Schedule{InstallationID: 7, DefaultBranch: "main", Name: "nightly", Cron: "0 3 * * *", Recipe: "doc-hygiene", NextAt: t0}
			other := Schedule{InstallationID: 7, DefaultBranch: "main", Name: "weekly", Cron: "0 3 * * 1", Task: "tidy", NextAt: t0.Add(time.Hour)}
			if err := s.ReplaceSchedules(ctx, repo, []Schedule{sc, other}); err != nil {
				t.Fatal(err)
			}
			due, err := s.DueSchedules(ctx, t0)
			if err != nil || len(due) != 1 || due[0].Name != "nightly" || due[0].Repo != repo || !due[0].NextAt.Equal(t0) {
				t.Fatalf("due = %+v, %v", due, err)
			}
			id := due[0].ID
			if won, err := s.ClaimFiring(ctx, id, t0); err != nil || !won {
				t.Fatalf("first claim: %v %v", won, err)
			}
			if won, _ := s.ClaimFiring(ctx, id, t0); won {
				t.Fatal("a tick was claimed twice")
			}
			if err := s.ScheduleFired(ctx, id, t0, t0.Add(24*time.Hour), true); err != nil {
				t.Fatal(err)
			}
			got, _ := s.ScheduleByID(ctx, id)
			if got == nil || !got.NextAt.Equal(t0.Add(24*time.Hour)) || got.LastFiredAt == nil || !got.LastFiredAt.Equal(t0) {
				t.Fatalf("after firing: %+v", got)
			}
			// A policy change reschedules in place; a schedule left out stops.
			sc.Cron, sc.NextAt = "0 5 * * *", t0.Add(2*time.Hour)
			if err := s.ReplaceSchedules(ctx, repo, []Schedule{sc}); err != nil {
				t.Fatal(err)
			}
			all, _ := s.Schedules(ctx, repo)
			if len(all) != 1 || all[0].ID != id || all[0].Cron != "0 5 * * *" || !all[0].NextAt.Equal(t0.Add(2*time.Hour)) {
				t.Fatalf("after reload: %+v", all)
			}
			if err := s.ReplaceSchedules(ctx, repo, nil); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.ScheduleByID(ctx, id); got != nil {
				t.Fatalf("removed schedule still stored: %+v", got)
			}
		})
	}
}

// Two replicas (two stores on one PostgreSQL database) racing for the same
// tick: exactly one wins each claim.
func TestClaimFiringOnceAcrossReplicas(t *testing.T) {
	url := testdb.PostgresURL(t, "lifeos_store_claims")
	if url == "" {
		t.Skip("LIFEOS_TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	var replicas []*Store
	for range 2 {
		db, err := Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		replicas = append(replicas, New(db, nil))
	}
	tick := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	for round := range 20 {
		var won atomic.Int32
		var wg sync.WaitGroup
		for _, s := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, err := s.ClaimFiring(ctx, 42, tick.Add(time.Duration(round)*time.Minute)); err != nil {
					t.Error(err)
				} else if ok {
					won.Add(1)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("round %d: %d replicas won the tick, want 1", round, won.Load())
		}
	}
}

func TestProposals(t *testing.T) {
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			repo := "o/prop-" + name
			if err := s.RecordProposal(ctx, Proposal{Repo: repo, Fingerprint: "f1", Title: "Add tests", Issue: 9}); err != nil {
				t.Fatal(err)
			}
			ps, err := s.Proposals(ctx, repo)
			if err != nil || len(ps) != 1 || ps[0].Issue != 9 || ps[0].Fingerprint != "f1" {
				t.Fatalf("proposals = %+v, %v", ps, err)
			}
		})
	}
}
