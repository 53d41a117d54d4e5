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
