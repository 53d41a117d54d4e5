package githubfake

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v89/github"
)

// TestOnRequestRunsAfterTheAnswer: a hook runs once per request on its
// route, after the request was answered and recorded, and may call the
// double (it runs outside the lock); hooks on other routes do not run.
func TestOnRequestRunsAfterTheAnswer(t *testing.T) {
	f := newFixture(t, map[string]string{"README.md": "hi\n"})
	n := f.s.AddIssue(testRepo, "Title", "Body", testOrg)
	seen := make(chan Request, 2)
	f.s.OnRequest("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", func(r Request) {
		seen <- r
		if reqs := f.s.Requests(); reqs[len(reqs)-1].Route != r.Route {
			t.Errorf("the hook ran before its request was recorded: last = %+v", reqs[len(reqs)-1])
		}
	})
	var other atomic.Int32
	f.s.OnRequest("POST /repos/{owner}/{repo}/pulls", func(Request) { other.Add(1) })
	ctx := context.Background()
	if _, _, err := f.gh.Issues.CreateComment(ctx, testOrg, "widgets", n, &github.IssueComment{Body: github.Ptr("one")}); err != nil {
		t.Fatal(err)
	}
	// The hook runs once the answer is flushed: the client may have it first.
	select {
	case r := <-seen:
		if r.Status != 201 || r.Method != "POST" {
			t.Fatalf("hook saw %+v; want the comment answered 201", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the hook did not run within 5s")
	}
	if len(seen) != 0 {
		t.Errorf("the hook ran again for one request")
	}
	if n := other.Load(); n != 0 {
		t.Errorf("a hook on another route ran %d times", n)
	}
	noValidationErrors(t, f.s)
}
