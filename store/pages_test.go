package store

import (
	"context"
	"fmt"
	"testing"
)

// TestListRuns: the filter's repositories, status, trigger and page all
// narrow the list, newest first; an empty repository list shows nothing.
func TestListRuns(t *testing.T) {
	ctx := context.Background()
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			var ids []int64
			for i, n := range []NewRun{
				{Repo: "o/a", Trigger: "label", Status: StatusDenied},
				{Repo: "o/b", Trigger: "command", Status: StatusDenied},
				{Repo: "o/a", Trigger: "command", Status: StatusRunning},
				{Repo: "o/c", Trigger: "label", Status: StatusDenied},
			} {
				n.InstallationID, n.IssueNumber, n.DeliveryID, n.JobID = 1, i+1, fmt.Sprint("d", i), int64(i+1)
				r, err := s.StartRun(ctx, n)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, r.ID)
			}
			cases := []struct {
				f    PageFilter
				want []int64
			}{
				{PageFilter{Limit: 10}, []int64{ids[3], ids[2], ids[1], ids[0]}},
				{PageFilter{Repos: []string{"o/a", "o/b"}, Limit: 10}, []int64{ids[2], ids[1], ids[0]}},
				{PageFilter{Repos: []string{}, Limit: 10}, nil},
				{PageFilter{Status: StatusDenied, Trigger: "label", Limit: 10}, []int64{ids[3], ids[0]}},
				{PageFilter{BeforeID: ids[2], Limit: 1}, []int64{ids[1]}},
			}
			for i, c := range cases {
				runs, err := s.ListRuns(ctx, c.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, r := range runs {
					got = append(got, r.ID)
				}
				if fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Errorf("case %d: ids = %v, want %v", i, got, c.want)
				}
			}
			repos, err := s.RunRepos(ctx)
			if err != nil || fmt.Sprint(repos) != "[o/a o/b o/c]" {
				t.Errorf("RunRepos = %v, %v", repos, err)
			}
			if err := s.RecordCommit(ctx, "o/a", "abc", ids[0]); err != nil {
				t.Fatal(err)
			}
			shas, err := s.RunCommits(ctx, ids[0])
			if err != nil || fmt.Sprint(shas) != "[abc]" {
				t.Errorf("RunCommits = %v, %v", shas, err)
			}
		})
	}
}
