package githubfake

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-github/v89/github"
)

func TestIssuesCommentsLabelsReactions(t *testing.T) {
	f := newFixture(t, map[string]string{"a": "a"})
	n := f.s.AddIssue(testRepo, "Crash", "It crashes", "alice")
	for i := range 35 {
		f.s.AddIssueComment(testRepo, n, "alice", fmt.Sprintf("comment %d", i))
	}

	var all []*github.IssueComment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 10}}
	for {
		page, resp, err := f.gh.Issues.ListComments(ctx, "acme", "widgets", n, opts)
		if err != nil {
			t.Fatalf("list comments: %v", err)
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(all) != 35 || all[34].GetBody() != "comment 34" {
		t.Fatalf("paged through %d comments", len(all))
	}

	c, _, err := f.gh.Issues.CreateComment(ctx, "acme", "widgets", n, &github.IssueComment{Body: github.Ptr("On it")})
	if err != nil || c.GetUser().GetLogin() != "lifeos[bot]" || c.GetID() < 1<<31 {
		t.Fatalf("create comment = %v, %v", c, err)
	}
	if _, _, err := f.gh.Issues.EditComment(ctx, "acme", "widgets", c.GetID(), &github.IssueComment{Body: github.Ptr("Done")}); err != nil {
		t.Fatalf("edit comment: %v", err)
	}
	got := f.repo.Comments(n)
	if last := got[len(got)-1]; last.Body != "Done" || last.Author != "lifeos[bot]" {
		t.Errorf("last comment = %+v", last)
	}

	_, resp, err := f.gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "widgets", all[0].GetID(), "eyes")
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("first reaction: %v %v", resp, err)
	}
	_, resp, err = f.gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "widgets", all[0].GetID(), "eyes")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("repeated reaction: %v %v", resp, err)
	}
	if rs := f.repo.Reactions(all[0].GetID()); len(rs) != 1 || rs[0].Content != "eyes" {
		t.Errorf("reactions = %+v", rs)
	}
	if _, _, err := f.gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "widgets", all[0].GetID(), "thumbsup"); statusOf(err) != 422 {
		t.Errorf("bad reaction content: err = %v, want 422", err)
	}
	if errs := f.s.ValidationErrors(); len(errs) != 1 {
		t.Errorf("validation errors = %v, want the bad reaction", errs)
	}
	f.s.ResetValidationErrors()
	if _, _, err := f.gh.Reactions.CreateIssueReaction(ctx, "acme", "widgets", n, "rocket"); err != nil {
		t.Errorf("issue reaction: %v", err)
	}

	labels, _, err := f.gh.Issues.AddLabelsToIssue(ctx, "acme", "widgets", n, []string{"lifeos", "bug"})
	if err != nil || len(labels) != 2 {
		t.Fatalf("add labels = %v, %v", labels, err)
	}
	if _, err := f.gh.Issues.RemoveLabelForIssue(ctx, "acme", "widgets", n, "bug"); err != nil {
		t.Fatalf("remove label: %v", err)
	}
	if _, err := f.gh.Issues.RemoveLabelForIssue(ctx, "acme", "widgets", n, "bug"); statusOf(err) != 404 {
		t.Errorf("remove absent label: err = %v, want 404", err)
	}
	if _, _, err := f.gh.Issues.Edit(ctx, "acme", "widgets", n, &github.IssueRequest{State: github.Ptr("closed")}); err != nil {
		t.Fatalf("close: %v", err)
	}
	is, _ := f.repo.Issue(n)
	if is.State != "closed" || len(is.Labels) != 1 || is.Labels[0] != "lifeos" {
		t.Errorf("issue = %+v", is)
	}
	gi, _, err := f.gh.Issues.Get(ctx, "acme", "widgets", n)
	if err != nil || gi.GetState() != "closed" || gi.GetComments() != 36 || gi.IsPullRequest() {
		t.Errorf("get issue = %+v, %v", gi, err)
	}
	if _, _, err := f.gh.Issues.Get(ctx, "acme", "widgets", 99); statusOf(err) != 404 {
		t.Errorf("missing issue: err = %v", err)
	}
	noValidationErrors(t, f.s)
}

func TestCollaboratorPermission(t *testing.T) {
	f := newFixture(t, map[string]string{"a": "a"})
	for _, role := range []string{"admin", "maintain", "write", "triage", "read"} {
		f.s.SetPermission(testRepo, role+"-user", role)
	}
	f.s.AddUser("stranger", "User")
	tests := []struct {
		login, permission, role string
		status                  int
	}{
		{"admin-user", "admin", "admin", 200},
		{"maintain-user", "write", "maintain", 200},
		{"write-user", "write", "write", 200},
		{"triage-user", "read", "triage", 200},
		{"read-user", "read", "read", 200},
		{"stranger", "none", "none", 200},
		{"nobody-knows-me", "", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.login, func(t *testing.T) {
			req, err := f.gh.NewRequest(ctx, "GET", "repos/acme/widgets/collaborators/"+tt.login+"/permission", nil)
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Permission string `json:"permission"`
				RoleName   string `json:"role_name"`
				User       struct {
					Login string `json:"login"`
				} `json:"user"`
			}
			resp, err := f.gh.Do(req, &body)
			if resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("status = %v, %v; want %d", resp, err, tt.status)
			}
			if tt.status == 200 && (body.Permission != tt.permission || body.RoleName != tt.role || body.User.Login != tt.login) {
				t.Errorf("got %+v, want permission %s role %s", body, tt.permission, tt.role)
			}
		})
	}
	noValidationErrors(t, f.s)
}

func TestTeamMembership(t *testing.T) {
	f := newFixture(t, map[string]string{"a": "a"})
	f.s.AddTeamMember(testOrg, "maintainers", "alice", "maintainer")
	m, _, err := f.gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "maintainers", "alice")
	if err != nil || m.GetRole() != "maintainer" || m.GetState() != "active" {
		t.Errorf("membership = %v, %v", m, err)
	}
	if _, _, err := f.gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "maintainers", "bob"); statusOf(err) != 404 {
		t.Errorf("non-member: err = %v, want 404", err)
	}
	noValidationErrors(t, f.s)
}
