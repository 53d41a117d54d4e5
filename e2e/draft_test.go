package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// withCI is the sample repository with a GitHub Actions workflow.
func withCI() map[string]string {
	return map[string]string{
		"README.md":                "# Hello-World\n\nHello, wrold!\n",
		"main.go":                  "package main\n\nfunc main() {}\n",
		".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n",
	}
}

// waitPull waits until pull request pr satisfies ok.
func (e *env) waitPull(pr int, ok func(githubfake.Pull) bool) githubfake.Pull {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, _ := e.gh.Repo(repoName).Pull(pr)
		if ok(p) {
			return p
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("pull request #%d after 10s: %+v", pr, p)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A PR on a repository with CI opens as a draft, stays one while its CI
// runs, and is marked ready with a review request once the double's CI
// reports success; LifeOS's own check run never counts.
func TestDraftUntilCIPasses(t *testing.T) {
	e := start(t, envOpts{files: withCI()})
	e.expectStatus("GET", "/repos/*/*/branches/main/protection/required_status_checks", 404)
	issue, pr := e.openPR()
	p, _ := e.gh.Repo(repoName).Pull(pr)
	if !p.Draft || len(p.Reviewers) != 0 {
		t.Fatalf("the new PR = %+v, want a draft with no review asked", p)
	}
	if c := e.gh.Repo(repoName).Comments(issue); len(c) != 1 || !strings.Contains(c[0].Body, "draft until the repository's CI (`.github/workflows/ci.yml`) passes") {
		t.Errorf("issue comments = %+v", c)
	}
	// LifeOS's own check passed and another is still running: a draft.
	e.gh.AddCheckRun(repoName, p.HeadSHA, githubfake.CheckRunFixture{Name: "LifeOS", AppSlug: "lifeos", Conclusion: "success", HeadBranch: p.Head})
	e.gh.AddCheckRun(repoName, p.HeadSHA, githubfake.CheckRunFixture{Name: "lint", Status: "in_progress", HeadBranch: p.Head})
	e.passCI(pr)
	e.waitIdle(t)
	if p, _ := e.gh.Repo(repoName).Pull(pr); !p.Draft {
		t.Fatalf("the PR was marked ready while a check ran: %+v", p)
	}
	e.gh.AddCheckRun(repoName, p.HeadSHA, githubfake.CheckRunFixture{Name: "lint", Conclusion: "success", HeadBranch: p.Head})
	e.passCI(pr)
	p = e.waitPull(pr, func(p githubfake.Pull) bool { return !p.Draft })
	if !slices.Equal(p.Reviewers, []string{maintainer}) {
		t.Errorf("reviewers = %q, want the maintainer who labelled the issue", p.Reviewers)
	}
	b := e.waitComments(pr, 1)
	if !strings.Contains(b[len(b)-1], "marked this PR ready for review and asked @"+maintainer) {
		t.Errorf("PR comments = %q", b)
	}
}

// A draft whose CI keeps failing stays a draft once the fix budget is
// spent, with a comment naming what still fails.
func TestDraftStaysDraftWhenFixesRunOut(t *testing.T) {
	e := start(t, envOpts{files: withCI(), configure: func(c *config.Config) { c.MaxCIFixes = 1 }})
	issue, pr := e.openPR()
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "fix.txt", "content": "x\n"})}},
		modelfake.Finish("Tried a fix."),
	)
	e.failCI(pr, "expected 1, got 2")
	if run := e.waitRuns(issue, 2)[1]; run.Status != store.StatusSucceeded || run.Trigger != "ci" {
		t.Fatalf("fix run = %+v", run)
	}
	comments := len(e.bodies(pr))
	e.failCI(pr, "expected 2, got 3")
	b := e.waitComments(pr, comments+1)
	last := b[len(b)-1]
	for _, want := range []string{"will not try again", "Still failing: `test`", "stays a draft"} {
		if !strings.Contains(last, want) {
			t.Errorf("the last comment lacks %q: %q", want, last)
		}
	}
	if p, _ := e.gh.Repo(repoName).Pull(pr); !p.Draft || len(p.Reviewers) != 0 {
		t.Errorf("the PR = %+v, want a draft with no review asked", p)
	}
}

// A repository without CI gets a ready PR at once, with the review asked
// and a comment saying no checks ran.
func TestNoCIOpensReady(t *testing.T) {
	e := start(t, envOpts{})
	issue, pr := e.openPR()
	p, _ := e.gh.Repo(repoName).Pull(pr)
	if p.Draft || !slices.Equal(p.Reviewers, []string{maintainer}) {
		t.Errorf("the PR = %+v, want ready with the maintainer asked", p)
	}
	if c := e.gh.Repo(repoName).Comments(issue); len(c) != 1 || !strings.Contains(c[0].Body, "No checks ran") {
		t.Errorf("issue comments = %+v", c)
	}
}

// CI that reports only commit statuses readies a draft too: the status
// event is the signal.
func TestDraftReadyOnCommitStatus(t *testing.T) {
	e := start(t, envOpts{files: withCI()})
	e.expectStatus("GET", "/repos/*/*/branches/main/protection/required_status_checks", 404)
	_, pr := e.openPR()
	p, _ := e.gh.Repo(repoName).Pull(pr)
	e.gh.SetStatus(repoName, p.HeadSHA, "ci/jenkins", "success")
	e.deliver("status", "", payload(t, "status", func(ev map[string]any) {
		ev["sha"], ev["state"], ev["context"] = p.HeadSHA, "success", "ci/jenkins"
		ev["branches"] = []any{map[string]any{"name": p.Head, "commit": map[string]any{"sha": p.HeadSHA, "url": "x"}, "protected": false}}
	}))
	p = e.waitPull(pr, func(p githubfake.Pull) bool { return !p.Draft })
	if !slices.Equal(p.Reviewers, []string{maintainer}) {
		t.Errorf("reviewers = %q", p.Reviewers)
	}
}
