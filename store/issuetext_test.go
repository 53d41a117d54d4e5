package store

import (
	"context"
	"testing"
)

func TestIssueText(t *testing.T) {
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if got, err := s.IssueTextOf(ctx, "o/r", 1); err != nil || got != nil {
				t.Fatalf("before any trigger = %+v, %v; want none", got, err)
			}
			if err := s.SaveIssueText(ctx, "o/r", 1, IssueText{Title: "t1", Body: "b1", Author: "a"}); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveIssueText(ctx, "o/r", 1, IssueText{Title: "t2", Body: "b2", Author: "a"}); err != nil {
				t.Fatal(err)
			}
			got, err := s.IssueTextOf(ctx, "o/r", 1)
			if err != nil || got == nil || got.Title != "t2" || got.Body != "b2" || got.Author != "a" {
				t.Fatalf("after two triggers = %+v, %v; want the second", got, err)
			}
			if other, _ := s.IssueTextOf(ctx, "o/r", 2); other != nil {
				t.Errorf("issue 2 = %+v, want none", other)
			}
		})
	}
}
