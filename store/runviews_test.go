package store

import (
	"context"
	"testing"
	"time"
)

// seedViews makes three runs on two days, the middle one charged for two
// calls with a changed file, and returns the store and their ids.
func seedViews(t *testing.T, s *Store, clock *time.Time) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for i, r := range []struct {
		repo, day string
		status    string
	}{{"o/a", "2024-03-01T23:59:59Z", StatusRunning}, {"o/b", "2024-03-02T00:00:00Z", StatusRunning}, {"o/a", "2024-03-02T12:00:00Z", StatusDenied}} {
		*clock, _ = time.Parse(time.RFC3339, r.day)
		run, err := s.StartRun(ctx, NewRun{Repo: r.repo, InstallationID: 1, IssueNumber: i + 1, DeliveryID: r.day,
			Trigger: "label", Actor: "alice", Status: r.status})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, run.ID)
	}
	mid := ids[1]
	for seq, cost := range []int64{1500, 2500} {
		if err := s.RecordCall(ctx, ModelCall{RunID: mid, Seq: seq + 1, Model: "m", TotalTokens: 10}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Charge(ctx, Charge{RunID: mid, Seq: seq + 1, Repo: "o/b", InstallationID: 1, Model: "m", CostMicros: cost}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordCall(ctx, ModelCall{RunID: mid, Seq: 3, Model: "m", TotalTokens: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordChanges(ctx, mid, []FileChange{{Path: "b.go", Added: 2, Bytes: 30}, {Path: "a.go", Deleted: true}}); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestRunListFiltersAndCosts(t *testing.T) {
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			var clock time.Time
			s.now = func() time.Time { return clock }
			ids := seedViews(t, s, &clock)
			day := func(d string) time.Time { v, _ := time.Parse("2006-01-02", d); return v }
			tests := []struct {
				name string
				f    RunFilter
				want []int64
			}{
				{"all, newest first", RunFilter{}, []int64{ids[2], ids[1], ids[0]}},
				{"repo", RunFilter{Repo: "o/a"}, []int64{ids[2], ids[0]}},
				{"status", RunFilter{Status: StatusDenied}, []int64{ids[2]}},
				{"limit", RunFilter{Limit: 1}, []int64{ids[2]}},
				{"one day", RunFilter{Since: day("2024-03-02"), Until: day("2024-03-03")}, []int64{ids[2], ids[1]}},
				{"until excludes its day", RunFilter{Until: day("2024-03-02")}, []int64{ids[0]}},
				{"nothing", RunFilter{Repo: "o/none"}, nil},
			}
			for _, tt := range tests {
				rows, err := s.RunList(ctx, tt.f)
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				var got []int64
				for _, r := range rows {
					got = append(got, r.ID)
				}
				if len(got) != len(tt.want) {
					t.Errorf("%s: ids = %v, want %v", tt.name, got, tt.want)
					continue
				}
				for i := range got {
					if got[i] != tt.want[i] {
						t.Errorf("%s: ids = %v, want %v", tt.name, got, tt.want)
					}
				}
			}
			rows, err := s.RunList(ctx, RunFilter{Repo: "o/b"})
			if err != nil || len(rows) != 1 || rows[0].CostMicros != 4000 {
				t.Fatalf("cost of o/b's run = %+v, %v", rows, err)
			}

			calls, err := s.CallCosts(ctx, ids[1])
			if err != nil || len(calls) != 3 || calls[0].CostMicros != 1500 || calls[1].CostMicros != 2500 || calls[2].CostMicros != 0 {
				t.Fatalf("call costs = %+v, %v", calls, err)
			}
			changes, err := s.RunChanges(ctx, ids[1])
			if err != nil || len(changes) != 2 || changes[0].Path != "a.go" || !changes[0].Deleted || changes[1].Bytes != 30 {
				t.Fatalf("changes = %+v, %v", changes, err)
			}
		})
	}
}
