package githubfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v89/github"
)

// postGraphQL sends one operation as the fixture's installation.
func postGraphQL(t *testing.T, f *fixture, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := f.gh.Client().Post(f.s.URL()+"graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

const markReady = `mutation($input: MarkPullRequestReadyForReviewInput!) {
  markPullRequestReadyForReview(input: $input) { pullRequest { id isDraft } }
}`

func TestGraphQLMarksADraftReady(t *testing.T) {
	f := newFixture(t, map[string]string{"README.md": "hi\n"})
	hello := "hello\n"
	f.s.PushCommit(testRepo, "feature", map[string]*string{"README.md": &hello}, "hello")
	pr, _, err := f.gh.PullRequests.Create(t.Context(), "acme", "widgets", &github.NewPullRequest{
		Title: github.Ptr("t"), Head: github.Ptr("feature"), Base: github.Ptr("main"), Draft: github.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	status, out := postGraphQL(t, f, markReady, map[string]any{"input": map[string]any{"pullRequestId": pr.GetNodeID()}})
	if status != http.StatusOK || out["errors"] != nil {
		t.Fatalf("answer %d %v", status, out)
	}
	if f.repo.Pulls()[0].Draft {
		t.Error("the pull request is still a draft")
	}
	if got := f.s.Requests()[len(f.s.Requests())-1].Route; got != GraphQLRoute("markPullRequestReadyForReview") {
		t.Errorf("route %q", got)
	}
}

// GitHub answers 200 with an errors array, typed, for what the data or
// the schema refuses.
func TestGraphQLRefusals(t *testing.T) {
	f := newFixture(t, map[string]string{"README.md": "hi\n"})
	other := New(Options{})
	t.Cleanup(other.Close)
	for name, c := range map[string]struct {
		query, wantType string
		vars            map[string]any
		invalid         bool
	}{
		"unknown node":  {markReady, "NOT_FOUND", map[string]any{"input": map[string]any{"pullRequestId": nodeID("PullRequest", 999)}}, false},
		"not a pull":    {markReady, "NOT_FOUND", map[string]any{"input": map[string]any{"pullRequestId": nodeID("Issue", 1)}}, false},
		"no input":      {markReady, "", map[string]any{}, true},
		"unknown field": {`mutation { deleteEverything(input: $x) { ok } }`, "undefinedField", map[string]any{"x": 1}, true},
	} {
		t.Run(name, func(t *testing.T) {
			f.s.ResetValidationErrors()
			status, out := postGraphQL(t, f, c.query, c.vars)
			errs, _ := out["errors"].([]any)
			if status != http.StatusOK || len(errs) != 1 {
				t.Fatalf("answer %d %v, want 200 with one error", status, out)
			}
			if got, _ := errs[0].(map[string]any)["type"].(string); c.wantType != "" && got != c.wantType {
				t.Errorf("error type %q, want %q", got, c.wantType)
			}
			if got := len(f.s.ValidationErrors()) > 0; got != c.invalid {
				t.Errorf("reported as a client mistake: %v, want %v (%v)", got, c.invalid, f.s.ValidationErrors())
			}
		})
	}
}

func TestGraphQLNeedsAToken(t *testing.T) {
	f := newFixture(t, nil)
	resp, err := http.Post(f.s.URL()+"graphql", "application/json", strings.NewReader(`{"query":"query { viewer { login } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", resp.StatusCode)
	}
}

const requestReviews = `mutation($input: RequestReviewsByLoginInput!) {
  requestReviewsByLogin(input: $input) { pullRequest { id } }
}`

// Reviews are asked by login and team slug, added to those asked before;
// the author cannot be asked.
func TestGraphQLRequestsReviews(t *testing.T) {
	f := newFixture(t, map[string]string{"README.md": "hi\n"})
	hello := "hello\n"
	f.s.PushCommit(testRepo, "feature", map[string]*string{"README.md": &hello}, "hello")
	pr, _, err := f.gh.PullRequests.Create(t.Context(), "acme", "widgets", &github.NewPullRequest{
		Title: github.Ptr("t"), Head: github.Ptr("feature"), Base: github.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	ask := func(in map[string]any) map[string]any {
		in["pullRequestId"] = pr.GetNodeID()
		_, out := postGraphQL(t, f, requestReviews, map[string]any{"input": in})
		return out
	}
	if out := ask(map[string]any{"userLogins": []any{"alice"}, "union": true}); out["errors"] != nil {
		t.Fatal(out)
	}
	if out := ask(map[string]any{"userLogins": []any{"alice", "bob"}, "teamSlugs": []any{"acme/core"}, "union": true}); out["errors"] != nil {
		t.Fatal(out)
	}
	if got := strings.Join(f.repo.Pulls()[0].Reviewers, ","); got != "alice,bob,acme/core" {
		t.Errorf("reviewers = %q", got)
	}
	if out := ask(map[string]any{"userLogins": []any{pr.GetUser().GetLogin()}}); out["errors"] == nil {
		t.Error("the author was asked to review")
	}
}
