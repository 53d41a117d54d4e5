package store

import (
	"context"
	"testing"
)

func TestWroteCommit(t *testing.T) {
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			run, err := s.StartRun(ctx, NewRun{Repo: "o/r", IssueNumber: 1, DeliveryID: "d-commits", JobID: 1, Trigger: "label", Status: StatusRunning})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // recording twice is not an error
				if err := s.RecordCommit(ctx, "o/r", "abc", run.ID); err != nil {
					t.Fatal(err)
				}
			}
			for _, tt := range []struct {
				repo, sha string
				want      bool
			}{{"o/r", "abc", true}, {"o/r", "abd", false}, {"o/other", "abc", false}} {
				got, err := s.WroteCommit(ctx, tt.repo, tt.sha)
				if err != nil || got != tt.want {
					t.Errorf("WroteCommit(%s, %s) = %v, %v; want %v", tt.repo, tt.sha, got, err, tt.want)
				}
			}
		})
	}
}

// TestCommitChanges checks that the files a commit's run changed come back
// with the bytes each wrote, and that a change recorded without a size (as
// every change from before sizes were kept) comes back as unknown, -1.
func TestCommitChanges(t *testing.T) {
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			run, err := s.StartRun(ctx, NewRun{Repo: "o/r", IssueNumber: 1, DeliveryID: "d-sizes", JobID: 1, Trigger: "label", Status: StatusRunning})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RecordCommit(ctx, "o/r", "abc", run.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.RecordChanges(ctx, run.ID, []FileChange{{Path: "a.txt", Added: 1, Bytes: 250000}, {Path: "b.txt", Deleted: true, Removed: 3}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.db.ExecContext(ctx, `INSERT INTO lifeos_run_changes (run_id, path, deleted, added, removed) VALUES ($1, 'old.txt', FALSE, 1, 0)`, run.ID); err != nil {
				t.Fatal(err)
			}
			got, err := s.CommitChanges(ctx, "o/r", "abc")
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"a.txt": 250000, "b.txt": 0, "old.txt": -1}
			if len(got) != len(want) {
				t.Fatalf("got %+v, want %v", got, want)
			}
			for _, c := range got {
				if b, ok := want[c.Path]; !ok || c.Bytes != b {
					t.Errorf("%s: bytes %d, want %d", c.Path, c.Bytes, b)
				}
			}
			if other, err := s.CommitChanges(ctx, "o/other", "abc"); err != nil || len(other) != 0 {
				t.Errorf("another repository's commit: %+v, %v; want nothing", other, err)
			}
		})
	}
}
