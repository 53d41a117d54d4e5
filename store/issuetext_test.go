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

func TestAcksAndWaiters(t *testing.T) {
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if a, err := s.AckOf(ctx, "d1"); err != nil || a != nil {
				t.Fatalf("ack before = %+v, %v", a, err)
			}
			for _, role := range []string{"write", "admin"} {
				if err := s.RecordAck(ctx, Ack{DeliveryID: "d1", Role: role, Issue: 3, PR: 4}); err != nil {
					t.Fatal(err)
				}
			}
			if a, err := s.AckOf(ctx, "d1"); err != nil || a == nil || a.Role != "write" || a.Issue != 3 || a.PR != 4 {
				t.Fatalf("ack = %+v, %v; want the first", a, err)
			}
			for _, id := range []int64{7, 5, 7} {
				if err := s.AddWaiter(ctx, "o/r", 3, id); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.AddWaiter(ctx, "o/r", 9, 8); err != nil {
				t.Fatal(err)
			}
			if ids, err := s.Waiters(ctx, "o/r", 3); err != nil || len(ids) != 2 {
				t.Fatalf("waiters = %v, %v; want 2", ids, err)
			}
			if err := s.RemoveWaiter(ctx, 7); err != nil {
				t.Fatal(err)
			}
			if ids, _ := s.Waiters(ctx, "o/r", 3); len(ids) != 1 || ids[0] != 5 {
				t.Errorf("waiters after removal = %v, want [5]", ids)
			}
		})
	}
}
