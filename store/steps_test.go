package store

import (
	"context"
	"maps"
	"testing"
)

func TestRunSteps(t *testing.T) {
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			run, err := s.StartRun(ctx, NewRun{Repo: "o/r", IssueNumber: 1, DeliveryID: "d-steps", JobID: 1, Trigger: "label", Status: StatusRunning})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []struct{ step, value string }{
				{StepCommit, "abc"}, {StepRef, "lifeos/issue-1"}, {StepCommit, "abd"}, // a second commit record keeps the first
			} {
				if err := s.RecordStep(ctx, run.ID, st.step, st.value); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.RunSteps(ctx, run.ID)
			want := map[string]string{StepCommit: "abc", StepRef: "lifeos/issue-1"}
			if err != nil || !maps.Equal(got, want) {
				t.Fatalf("RunSteps = %v, %v; want %v", got, err, want)
			}
			if err := s.SaveProgress(ctx, run.ID, Outcome{CommitSHA: "abc", PRNumber: 9, Summary: "did it", Turns: 3}); err != nil {
				t.Fatal(err)
			}
			r, err := s.Run(ctx, run.ID)
			if err != nil || r.Status != StatusRunning || r.CommitSHA != "abc" || r.PRNumber != 9 || r.Summary != "did it" || r.Turns != 3 {
				t.Fatalf("run after SaveProgress = %+v, %v; want it running with the progress", r, err)
			}
		})
	}
}
