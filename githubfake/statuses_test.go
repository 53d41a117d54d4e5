package githubfake

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-github/v89/github"
)

func TestCommitStatusesAndCombinedStatus(t *testing.T) {
	f := newFixture(t, map[string]string{"a": "a"})
	sha, _ := f.repo.BranchSHA("main")

	combined, _, err := f.gh.Repositories.GetCombinedStatus(ctx, "acme", "widgets", sha, nil)
	if err != nil || combined.GetState() != "pending" || combined.GetTotalCount() != 0 {
		t.Fatalf("combined status without statuses = %v, %v; want pending, 0", combined, err)
	}

	f.s.SetStatus(testRepo, sha, "ci/jenkins", "pending")
	f.s.SetStatus(testRepo, "main", "ci/jenkins", "success") // supersedes the pending one
	st, _, err := f.gh.Repositories.CreateStatus(ctx, "acme", "widgets", sha, github.RepoStatus{
		State: github.Ptr("failure"), Context: github.Ptr("lint"), Description: github.Ptr("2 problems"),
		TargetURL: github.Ptr("https://ci.example/1"),
	})
	if err != nil || st.GetState() != "failure" || st.GetContext() != "lint" || st.GetCreator().GetLogin() != "lifeos[bot]" {
		t.Fatalf("create status = %v, %v", st, err)
	}
	combined, _, err = f.gh.Repositories.GetCombinedStatus(ctx, "acme", "widgets", "main", nil)
	if err != nil || combined.GetState() != "failure" || combined.GetTotalCount() != 2 || combined.GetSHA() != sha {
		t.Fatalf("combined status = %v, %v; want failure over 2 contexts", combined, err)
	}
	states := map[string]string{}
	for _, s := range combined.Statuses {
		states[s.GetContext()] = s.GetState()
	}
	if states["ci/jenkins"] != "success" || states["lint"] != "failure" {
		t.Errorf("latest per context = %v", states)
	}
	if all := f.repo.Statuses(sha); len(all) != 3 || all[2].Description != "2 problems" {
		t.Errorf("Repo.Statuses = %+v", all)
	}

	// No context means "default"; the state is checked against the spec.
	if st, _, err := f.gh.Repositories.CreateStatus(ctx, "acme", "widgets", sha, github.RepoStatus{State: github.Ptr("success")}); err != nil || st.GetContext() != "default" {
		t.Errorf("status without context = %v, %v", st, err)
	}
	if _, _, err := f.gh.Repositories.CreateStatus(ctx, "acme", "widgets", sha, github.RepoStatus{State: github.Ptr("green")}); statusOf(err) != 422 {
		t.Errorf("bad state: err = %v, want 422", err)
	}
	f.s.ResetValidationErrors()
	if _, _, err := f.gh.Repositories.CreateStatus(ctx, "acme", "widgets", strings.Repeat("0", 40), github.RepoStatus{State: github.Ptr("success")}); statusOf(err) != 422 {
		t.Errorf("status on unknown commit: err = %v, want 422", err)
	}
	noValidationErrors(t, f.s)
}

func TestCombinedStatusPages(t *testing.T) {
	f := newFixture(t, map[string]string{"a": "a"})
	sha, _ := f.repo.BranchSHA("main")
	for i := range 5 {
		f.s.SetStatus(testRepo, sha, fmt.Sprintf("ci/%d", i), "success")
	}
	seen := map[string]bool{}
	opts := &github.ListOptions{PerPage: 2}
	pages := 0
	for {
		combined, resp, err := f.gh.Repositories.GetCombinedStatus(ctx, "acme", "widgets", sha, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if combined.GetTotalCount() != 5 {
			t.Errorf("total_count = %d, want 5", combined.GetTotalCount())
		}
		for _, s := range combined.Statuses {
			seen[s.GetContext()] = true
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if pages != 3 || len(seen) != 5 {
		t.Errorf("read %d contexts over %d pages, want 5 over 3", len(seen), pages)
	}
	noValidationErrors(t, f.s)
}

func TestCheckRunsForRefPages(t *testing.T) {
	f := newFixture(t, map[string]string{"a": "a"})
	sha, _ := f.repo.BranchSHA("main")
	for i := range 101 {
		f.s.AddCheckRun(testRepo, sha, CheckRunFixture{Name: fmt.Sprintf("job-%03d", i)})
	}
	opts := &github.ListCheckRunsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	first, resp, err := f.gh.Checks.ListCheckRunsForRef(ctx, "acme", "widgets", sha, opts)
	if err != nil || len(first.CheckRuns) != 100 || first.GetTotal() != 101 || resp.NextPage != 2 || resp.LastPage != 2 {
		t.Fatalf("first page = %d runs of %d, next %d, last %d, %v", len(first.CheckRuns), first.GetTotal(), resp.NextPage, resp.LastPage, err)
	}
	opts.Page = resp.NextPage
	second, resp, err := f.gh.Checks.ListCheckRunsForRef(ctx, "acme", "widgets", sha, opts)
	if err != nil || len(second.CheckRuns) != 1 || resp.NextPage != 0 || resp.PrevPage != 1 {
		t.Fatalf("second page = %d runs, next %d, prev %d, %v", len(second.CheckRuns), resp.NextPage, resp.PrevPage, err)
	}
	// Newest first: the oldest run is the one on the last page.
	if name := second.CheckRuns[0].GetName(); name != "job-000" {
		t.Errorf("last page holds %s, want job-000", name)
	}
	noValidationErrors(t, f.s)
}

func TestRequiredStatusChecksGuardMerges(t *testing.T) {
	f := newFixture(t, map[string]string{"README.md": "hello\n"})
	change := "changed\n"
	head := f.s.PushCommit(testRepo, "feature", map[string]*string{"README.md": &change}, "change")
	pr, _, err := f.gh.PullRequests.Create(ctx, "acme", "widgets", &github.NewPullRequest{
		Title: github.Ptr("Change"), Head: github.Ptr("feature"), Base: github.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}

	if _, resp, err := f.gh.Repositories.GetRequiredStatusChecks(ctx, "acme", "widgets", "main"); !errors.Is(err, github.ErrBranchNotProtected) || resp.StatusCode != 404 {
		t.Errorf("unprotected branch: err = %v, want 404 branch not protected", err)
	}
	if _, _, err := f.gh.Repositories.GetRequiredStatusChecks(ctx, "acme", "widgets", "nope"); statusOf(err) != 404 {
		t.Errorf("missing branch: err = %v, want 404", err)
	}

	f.s.SetRequiredChecks(testRepo, "main", "build", "ci/jenkins")
	req, _, err := f.gh.Repositories.GetRequiredStatusChecks(ctx, "acme", "widgets", "main")
	if err != nil || req.Checks == nil || len(*req.Checks) != 2 || (*req.Checks)[0].Context != "build" || (*req.Checks)[0].AppID != nil ||
		req.Contexts == nil || strings.Join(*req.Contexts, ",") != "build,ci/jenkins" {
		t.Fatalf("required status checks = %+v, %v", req, err)
	}
	if b, _, err := f.gh.Repositories.GetBranch(ctx, "acme", "widgets", "main", 0); err != nil || !b.GetProtected() {
		t.Errorf("branch = %v, %v; want protected", b, err)
	}
	if p, _, _ := f.gh.PullRequests.Get(ctx, "acme", "widgets", pr.GetNumber()); p.GetMergeableState() != "blocked" {
		t.Errorf("mergeable_state = %q, want blocked", p.GetMergeableState())
	}

	merge := func() error {
		_, _, err := f.gh.PullRequests.Merge(ctx, "acme", "widgets", pr.GetNumber(), "", &github.PullRequestOptions{SHA: head, MergeMethod: "squash"})
		return err
	}
	if err := merge(); statusOf(err) != 405 || !strings.Contains(errorText(err), `"build" is expected`) {
		t.Errorf("merge with no checks: err = %v, want 405 build expected", err)
	}
	f.s.AddCheckRun(testRepo, head, CheckRunFixture{Name: "build", Conclusion: "failure"})
	if err := merge(); statusOf(err) != 405 || !strings.Contains(errorText(err), `"build" is failing`) {
		t.Errorf("merge with build failing: err = %v, want 405 build failing", err)
	}
	f.s.AddCheckRun(testRepo, head, CheckRunFixture{Name: "build"}) // re-run, passes
	f.s.SetStatus(testRepo, head, "ci/jenkins", "pending")
	if err := merge(); statusOf(err) != 405 || !strings.Contains(errorText(err), `"ci/jenkins" is failing`) {
		t.Errorf("merge with a pending status: err = %v, want 405", err)
	}
	f.s.SetStatus(testRepo, head, "ci/jenkins", "success")
	if err := merge(); err != nil {
		t.Errorf("merge with required checks passing: %v", err)
	}

	f.s.SetRequiredChecks(testRepo, "main")
	if _, _, err := f.gh.Repositories.GetRequiredStatusChecks(ctx, "acme", "widgets", "main"); !errors.Is(err, github.ErrBranchNotProtected) {
		t.Errorf("protection removed: err = %v, want branch not protected", err)
	}
	noValidationErrors(t, f.s)
}

func TestStatusesNeedTheirPermissions(t *testing.T) {
	s := New(Options{})
	t.Cleanup(s.Close)
	s.AddInstallation(testInstallation, testOrg)
	s.AddRepo(testInstallation, testRepo, map[string]string{"a": "a"})
	s.SetInstallationPermissions(testInstallation, map[string]string{"metadata": "read", "contents": "read", "checks": "read"})
	gh := installationClient(t, s, testInstallation)
	if _, _, err := gh.Repositories.GetCombinedStatus(ctx, "acme", "widgets", "main", nil); statusOf(err) != 403 {
		t.Errorf("combined status without statuses:read: err = %v, want 403", err)
	}
	if _, _, err := gh.Repositories.CreateStatus(ctx, "acme", "widgets", "main", github.RepoStatus{State: github.Ptr("success")}); statusOf(err) != 403 {
		t.Errorf("create status without statuses:write: err = %v, want 403", err)
	}
	if _, _, err := gh.Repositories.GetRequiredStatusChecks(ctx, "acme", "widgets", "main"); statusOf(err) != 403 {
		t.Errorf("required checks without administration:read: err = %v, want 403", err)
	}
	noValidationErrors(t, s)
}
