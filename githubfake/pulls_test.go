package githubfake

import (
	"strings"
	"testing"

	"github.com/google/go-github/v89/github"
)

func TestPullRequestLifecycle(t *testing.T) {
	f := newFixture(t, map[string]string{"README.md": "hello\n"})
	change := "changed\n"
	headSHA := f.s.PushCommit(testRepo, "feature", map[string]*string{"README.md": &change}, "change readme")

	newPull := &github.NewPullRequest{Title: github.Ptr("Change"), Head: github.Ptr("feature"), Base: github.Ptr("main"), Body: github.Ptr("body")}
	pr, _, err := f.gh.PullRequests.Create(ctx, "acme", "widgets", newPull)
	if err != nil {
		t.Fatalf("create pull: %v", err)
	}
	if pr.GetNumber() != 1 || pr.GetHead().GetSHA() != headSHA || pr.GetBase().GetRef() != "main" ||
		pr.GetUser().GetLogin() != "lifeos[bot]" || pr.GetUser().GetType() != "Bot" || pr.GetState() != "open" {
		t.Errorf("pull = number %d head %s base %s user %s/%s state %s", pr.GetNumber(), pr.GetHead().GetSHA(),
			pr.GetBase().GetRef(), pr.GetUser().GetLogin(), pr.GetUser().GetType(), pr.GetState())
	}

	_, _, err = f.gh.PullRequests.Create(ctx, "acme", "widgets", newPull)
	if statusOf(err) != 422 || !strings.Contains(errorText(err), "A pull request already exists for acme:feature.") {
		t.Errorf("second pull: err = %v, want 422 already exists", err)
	}
	_, _, err = f.gh.PullRequests.Create(ctx, "acme", "widgets", &github.NewPullRequest{Title: github.Ptr("x"), Head: github.Ptr("nope"), Base: github.Ptr("main")})
	if statusOf(err) != 422 {
		t.Errorf("missing head branch: err = %v, want 422", err)
	}
	_, _, err = f.gh.PullRequests.Create(ctx, "acme", "widgets", &github.NewPullRequest{Title: github.Ptr("x"), Head: github.Ptr("main"), Base: github.Ptr("main")})
	if statusOf(err) != 422 || !strings.Contains(errorText(err), "No commits between") {
		t.Errorf("head == base: err = %v, want 422 no commits", err)
	}

	// Issues and pulls share numbers.
	issue, _, err := f.gh.Issues.Create(ctx, "acme", "widgets", &github.IssueRequest{Title: github.Ptr("bug")})
	if err != nil || issue.GetNumber() != 2 {
		t.Fatalf("issue after pull = %v, %v; want number 2", issue.GetNumber(), err)
	}

	list, _, err := f.gh.PullRequests.List(ctx, "acme", "widgets", &github.PullRequestListOptions{Head: "acme:feature", Base: "main"})
	if err != nil || len(list) != 1 {
		t.Fatalf("list by head = %d pulls, %v", len(list), err)
	}
	list, _, _ = f.gh.PullRequests.List(ctx, "acme", "widgets", &github.PullRequestListOptions{Head: "acme:other"})
	if len(list) != 0 {
		t.Errorf("list by other head = %d pulls, want 0", len(list))
	}

	// A push to the head moves the PR; merging with the old sha conflicts.
	again := "again\n"
	newHead := f.s.PushCommit(testRepo, "feature", map[string]*string{"README.md": &again}, "again")
	_, _, err = f.gh.PullRequests.Merge(ctx, "acme", "widgets", 1, "", &github.PullRequestOptions{SHA: headSHA})
	if statusOf(err) != 409 {
		t.Errorf("merge with stale sha: err = %v, want 409", err)
	}
	res, _, err := f.gh.PullRequests.Merge(ctx, "acme", "widgets", 1, "", &github.PullRequestOptions{SHA: newHead, MergeMethod: "merge"})
	if err != nil || !res.GetMerged() {
		t.Fatalf("merge = %v, %v", res, err)
	}
	files, _ := f.repo.Files("main")
	if files["README.md"] != "again\n" {
		t.Errorf("main README = %q after merge", files["README.md"])
	}
	mc, _ := f.repo.Commit(res.GetSHA())
	if len(mc.Parents) != 2 || !strings.HasPrefix(mc.Message, "Merge pull request #1 from acme/feature") {
		t.Errorf("merge commit = %+v", mc)
	}
	got, _, err := f.gh.PullRequests.Get(ctx, "acme", "widgets", 1)
	if err != nil || !got.GetMerged() || got.GetState() != "closed" || got.GetMergeCommitSHA() != res.GetSHA() {
		t.Errorf("merged pull = merged %v state %s, %v", got.GetMerged(), got.GetState(), err)
	}
	_, _, err = f.gh.PullRequests.Merge(ctx, "acme", "widgets", 1, "", nil)
	if statusOf(err) != 405 {
		t.Errorf("merging twice: err = %v, want 405", err)
	}
	if p, _ := f.repo.Pull(1); !p.Merged || p.Head != "feature" {
		t.Errorf("Repo.Pull = %+v", p)
	}
	noValidationErrors(t, f.s)
}

func TestSquashAndConflicts(t *testing.T) {
	f := newFixture(t, map[string]string{"a.txt": "base\n"})
	ours, theirs := "ours\n", "theirs\n"
	f.s.PushCommit(testRepo, "left", map[string]*string{"a.txt": &ours}, "left")
	f.s.PushCommit(testRepo, "main", map[string]*string{"a.txt": &theirs}, "right")
	n := f.s.AddPull(testRepo, "left", "main", "Left", "", "alice")
	pr, _, err := f.gh.PullRequests.Get(ctx, "acme", "widgets", n)
	if err != nil || pr.GetMergeable() || pr.GetMergeableState() != "dirty" {
		t.Errorf("conflicting pull mergeable = %v (%s), %v", pr.GetMergeable(), pr.GetMergeableState(), err)
	}
	if _, _, err := f.gh.PullRequests.Merge(ctx, "acme", "widgets", n, "", nil); statusOf(err) != 405 {
		t.Errorf("merge with conflict: err = %v, want 405", err)
	}

	other := "other\n"
	f.s.PushCommit(testRepo, "right", map[string]*string{"b.txt": &other}, "add b")
	n = f.s.AddPull(testRepo, "right", "main", "Add b", "", "alice")
	res, _, err := f.gh.PullRequests.Merge(ctx, "acme", "widgets", n, "", &github.PullRequestOptions{MergeMethod: "squash"})
	if err != nil {
		t.Fatalf("squash: %v", err)
	}
	c, _ := f.repo.Commit(res.GetSHA())
	if len(c.Parents) != 1 || !strings.HasPrefix(c.Message, "Add b (#") || c.Author.Name != "alice" {
		t.Errorf("squash commit = %+v", c)
	}
	files, _ := f.repo.Files("main")
	if files["a.txt"] != "theirs\n" || files["b.txt"] != "other\n" {
		t.Errorf("main after squash = %v", files)
	}
	noValidationErrors(t, f.s)
}

func TestReviewsAndReviewComments(t *testing.T) {
	f := newFixture(t, map[string]string{"a.go": "package a\n"})
	x := "package a // x\n"
	f.s.PushCommit(testRepo, "f", map[string]*string{"a.go": &x}, "x")
	n := f.s.AddPull(testRepo, "f", "main", "X", "", "alice")
	rid := f.s.AddReview(testRepo, n, "bob", "CHANGES_REQUESTED", "please fix")
	f.s.AddReviewComment(testRepo, n, rid, "bob", "a.go", 1, "rename this")
	f.s.AddReviewComment(testRepo, n, 0, "carol", "a.go", 1, "nit")

	reviews, _, err := f.gh.PullRequests.ListReviews(ctx, "acme", "widgets", n, nil)
	if err != nil || len(reviews) != 2 || reviews[0].GetState() != "CHANGES_REQUESTED" {
		t.Fatalf("reviews = %v, %v", reviews, err)
	}
	comments, _, err := f.gh.PullRequests.ListComments(ctx, "acme", "widgets", n, nil)
	if err != nil || len(comments) != 2 || comments[0].GetPath() != "a.go" || comments[0].GetLine() != 1 {
		t.Fatalf("review comments = %v, %v", comments, err)
	}
	byReview, _, err := f.gh.PullRequests.ListReviewComments(ctx, "acme", "widgets", n, rid, nil)
	if err != nil || len(byReview) != 1 || byReview[0].GetBody() != "rename this" {
		t.Fatalf("comments of review = %v, %v", byReview, err)
	}
	noValidationErrors(t, f.s)
}
