package e2e

import (
	"strings"
	"testing"
)

// mergedDocsPR opens a LifeOS PR that changes docs/guide.md and adds
// docs/new.md, and has rung 3 merge it.
func (e *env) mergedDocsPR() (issue, pr int) {
	e.t.Helper()
	issue, pr = e.docsPR("docs/new.md", "# New\n")
	e.passCI(pr)
	if !e.merged(pr) {
		e.t.Fatalf("the PR was not merged: %+v", e.mergeDecision(issue))
	}
	return issue, pr
}

// /lifeos revert on a merged LifeOS PR opens a PR on lifeos/revert-N
// whose tree is the one before the merge, linked both ways.
func TestRevertOpensTheInversePR(t *testing.T) {
	e := rung3(t)
	repo := e.gh.Repo(repoName)
	before, _ := repo.Files("main")
	_, pr := e.mergedDocsPR()
	// Work merged since, on another file, stays.
	later := "# Later\n"
	e.gh.PushCommit(repoName, "main", map[string]*string{"docs/later.md": &later}, "later work")
	comments := len(e.bodies(pr))
	e.comment(pr, true, maintainer, "User", "/lifeos revert")
	b := e.waitComments(pr, comments+2) // the command, then the answer
	var revert int
	for _, p := range repo.Pulls() {
		if p.Head == "lifeos/revert-"+itoa(pr) {
			revert = p.Number
			if p.Base != "main" || !strings.Contains(p.Body, "Reverts #"+itoa(pr)) || !strings.Contains(p.Title, "Revert") {
				t.Errorf("the revert PR = %+v", p)
			}
		}
	}
	if revert == 0 {
		t.Fatalf("no revert PR; pulls = %+v, comments %q", repo.Pulls(), b)
	}
	if last := b[len(b)-1]; !strings.Contains(last, "opened #"+itoa(revert)+" to revert this PR") {
		t.Errorf("the comment on #%d = %q", pr, last)
	}
	files, _ := repo.Files("lifeos/revert-" + itoa(pr))
	want := before
	want["docs/later.md"] = later
	if len(files) != len(want) {
		t.Errorf("the revert's tree = %q, want %q", files, want)
	}
	for p, c := range want {
		if files[p] != c {
			t.Errorf("the revert's %s = %q, want %q", p, files[p], c)
		}
	}
	// Asked again: the open revert is named, not doubled.
	e.comment(pr, true, maintainer, "User", "/lifeos revert")
	b = e.waitComments(pr, len(b)+2)
	if last := b[len(b)-1]; !strings.Contains(last, "#"+itoa(revert)+" already reverts this PR") || len(repo.Pulls()) != 2 {
		t.Errorf("asked again: %q, pulls %d", last, len(repo.Pulls()))
	}
}

// A file the PR changed that changed again since is a conflict: reported,
// and nothing is written.
func TestRevertConflictIsReported(t *testing.T) {
	e := rung3(t)
	repo := e.gh.Repo(repoName)
	_, pr := e.mergedDocsPR()
	edited := "# New, edited by hand\n"
	e.gh.PushCommit(repoName, "main", map[string]*string{"docs/new.md": &edited}, "edit")
	comments := len(e.bodies(pr))
	e.comment(pr, true, maintainer, "User", "/lifeos revert")
	b := e.waitComments(pr, comments+2) // the command, then the answer
	if last := b[len(b)-1]; !strings.Contains(last, "did not revert") || !strings.Contains(last, "`docs/new.md` changed since it merged") {
		t.Errorf("the comment = %q", last)
	}
	if _, ok := repo.BranchSHA("lifeos/revert-" + itoa(pr)); ok || len(repo.Pulls()) != 1 {
		t.Errorf("a revert was written: pulls %+v", repo.Pulls())
	}
}
