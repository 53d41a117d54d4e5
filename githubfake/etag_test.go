package githubfake

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-github/v89/github"
)

// A GET answers with an ETag; asked again with If-None-Match it answers
// 304 without a body, as GitHub does, until the resource changes. The log
// marks both the conditional request and the 304.
func TestConditionalRequests(t *testing.T) {
	f := newFixture(t, map[string]string{"README.md": "hi\n"})
	ctx := context.Background()
	get := func(etag string) *github.Response {
		t.Helper()
		req, err := f.gh.NewRequest(ctx, http.MethodGet, "repos/"+testRepo+"/issues/1", nil)
		if err != nil {
			t.Fatal(err)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := f.gh.Do(req, nil)
		if err != nil && resp.StatusCode != http.StatusNotModified {
			t.Fatalf("GET issue: %v", err)
		}
		return resp
	}
	number := f.s.AddIssue(testRepo, "Title", "Body", "")
	if number != 1 {
		t.Fatalf("issue number %d", number)
	}
	first := get("")
	etag := first.Header.Get("ETag")
	if first.StatusCode != http.StatusOK || etag == "" {
		t.Fatalf("first GET: %d with ETag %q, want 200 with one", first.StatusCode, etag)
	}
	if again := get(etag); again.StatusCode != http.StatusNotModified || again.Header.Get("ETag") != etag {
		t.Fatalf("conditional GET: %d with ETag %q, want 304 with %q", again.StatusCode, again.Header.Get("ETag"), etag)
	}
	if _, _, err := f.gh.Issues.Edit(ctx, "acme", "widgets", 1, &github.IssueRequest{Title: github.Ptr("New")}); err != nil {
		t.Fatal(err)
	}
	if changed := get(etag); changed.StatusCode != http.StatusOK || changed.Header.Get("ETag") == etag {
		t.Fatalf("conditional GET after an edit: %d with ETag %q, want 200 with a new one", changed.StatusCode, changed.Header.Get("ETag"))
	}
	var conditional, notModified int
	for _, r := range f.s.Requests() {
		if r.Conditional {
			conditional++
		}
		if r.Status == http.StatusNotModified {
			notModified++
		}
	}
	if conditional != 2 || notModified != 1 {
		t.Errorf("log: %d conditional, %d not modified; want 2 and 1", conditional, notModified)
	}
	if errs := f.s.ValidationErrors(); len(errs) > 0 {
		t.Errorf("validation errors: %v", errs)
	}
}
