package githubfake

import (
	"testing"

	"github.com/google/go-github/v89/github"
)

func TestCompareAndPullCommits(t *testing.T) {
	f := newFixture(t, map[string]string{"README.md": "a\nb\nc\n", "old.txt": "x\ny\n"})
	readme, added := "a\nB\nc\nd\n", "new\n"
	f.s.PushCommit(testRepo, "feature", map[string]*string{"README.md": &readme}, "one")
	head := f.s.PushCommit(testRepo, "feature", map[string]*string{"new.txt": &added, "old.txt": nil}, "two")
	other := "moved on\n"
	f.s.PushCommit(testRepo, "main", map[string]*string{"main.txt": &other}, "main moves")

	cmp, _, err := f.gh.Repositories.CompareCommits(ctx, "acme", "widgets", "main", head, &github.ListOptions{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][3]int{}
	for _, fl := range cmp.Files {
		got[fl.GetFilename()] = [3]int{fl.GetAdditions(), fl.GetDeletions(), fl.GetChanges()}
	}
	want := map[string][3]int{"README.md": {2, 1, 3}, "new.txt": {1, 0, 1}, "old.txt": {0, 2, 2}}
	if len(got) != len(want) || got["README.md"] != want["README.md"] || got["new.txt"] != want["new.txt"] || got["old.txt"] != want["old.txt"] {
		t.Errorf("files = %v, want %v (main's own change left out)", got, want)
	}
	if cmp.GetStatus() != "diverged" || cmp.GetAheadBy() != 2 || cmp.GetBehindBy() != 1 || len(cmp.Commits) != 1 {
		t.Errorf("status %s ahead %d behind %d commits %d", cmp.GetStatus(), cmp.GetAheadBy(), cmp.GetBehindBy(), len(cmp.Commits))
	}
	// Files come on the first page only.
	page2, _, err := f.gh.Repositories.CompareCommits(ctx, "acme", "widgets", "main", head, &github.ListOptions{PerPage: 1, Page: 2})
	if err != nil || len(page2.Files) != 0 || len(page2.Commits) != 1 {
		t.Errorf("page 2: %v, %d files, %d commits", err, len(page2.Files), len(page2.Commits))
	}

	pr, _, err := f.gh.PullRequests.Create(ctx, "acme", "widgets", &github.NewPullRequest{Title: github.Ptr("x"), Head: github.Ptr("feature"), Base: github.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	var shas []string
	opts := &github.ListOptions{PerPage: 1}
	for {
		page, resp, err := f.gh.PullRequests.ListCommits(ctx, "acme", "widgets", pr.GetNumber(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			shas = append(shas, c.GetSHA())
			if c.GetAuthor().GetLogin() != "acme" {
				t.Errorf("commit %s author = %q, want the pusher acme", c.GetSHA(), c.GetAuthor().GetLogin())
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(shas) != 2 || shas[1] != head {
		t.Errorf("pull commits = %v, want 2 ending in %s", shas, head)
	}
	noValidationErrors(t, f.s)
}
