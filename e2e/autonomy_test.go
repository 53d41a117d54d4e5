package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

func TestRung2PlanThenApprove(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("autonomy: 2\n")})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(modelfake.Finish("1. Replace wrold with world in README.md"))
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	plan := e.waitRuns(n, 1)[0]
	if plan.Status != store.StatusPlanned {
		t.Fatalf("first run = %+v", plan)
	}
	if tools := strings.Join(e.model.Requests()[0].Tools, ","); strings.Contains(tools, "write_file") {
		t.Errorf("the plan run offered %s", tools)
	}
	repo := e.gh.Repo(repoName)
	if _, ok := repo.BranchSHA("lifeos/issue-" + itoa(n)); ok {
		t.Fatal("code before approval")
	}
	if c := e.waitComments(n, 1)[0]; !strings.Contains(c, "Replace wrold") || !strings.Contains(c, "/lifeos approve") {
		t.Errorf("plan comment = %q", c)
	}

	// A reader's approval counts for nothing.
	e.gh.AddUser("reader", "User")
	e.gh.SetPermission(repoName, "reader", "read")
	e.comment(n, false, "reader", "User", "/lifeos approve")
	e.waitIdle(t)
	if runs := e.waitRuns(n, 1); len(runs) != 1 || runs[0].Status != store.StatusPlanned {
		t.Fatalf("runs = %+v, want the plan alone, still planned", runs)
	}

	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Finish("Fixed the typo as planned."),
	)
	e.comment(n, false, maintainer, "User", "/lifeos approve")
	run := e.waitRuns(n, 2)[1]
	if run.Status != store.StatusSucceeded || run.Trigger != "approve" || run.PRNumber == 0 {
		t.Fatalf("approved run = %+v", run)
	}
	reqs := e.model.Requests()
	if prompt := reqs[len(reqs)-2].Messages[1].Content; !strings.Contains(prompt, "Replace wrold with world") {
		t.Errorf("the approved plan is not in the prompt:\n%s", prompt)
	}
}

// passCI records passing checks on the PR's head and delivers the
// check_suite completed success event.
func (e *env) passCI(pr int, extra ...githubfake.CheckRunFixture) {
	e.t.Helper()
	pull, _ := e.gh.Repo(repoName).Pull(pr)
	cr := e.gh.AddCheckRun(repoName, pull.HeadSHA, githubfake.CheckRunFixture{Name: "test", Conclusion: "success", HeadBranch: pull.Head})
	for _, f := range extra {
		f.HeadBranch = pull.Head
		e.gh.AddCheckRun(repoName, pull.HeadSHA, f)
	}
	p := payload(e.t, "check_suite.completed", func(ev map[string]any) {
		cs := ev["check_suite"].(map[string]any)
		cs["id"], cs["head_branch"], cs["head_sha"], cs["conclusion"], cs["status"] = cr.SuiteID, pull.Head, pull.HeadSHA, "success", "completed"
		cs["app"].(map[string]any)["slug"] = "github-actions"
		cs["pull_requests"] = []any{}
	})
	e.deliver("check_suite", "", p)
}

func rung3(t *testing.T) *env {
	e := start(t, envOpts{
		files:     withPolicy("autonomy: 3\nauto_merge:\n  paths: [\"docs/**\"]\n  max_lines: 10\n"),
		configure: func(c *config.Config) { c.Ceilings.MaxAutonomy = 3 },
	})
	// Unless a test sets required checks, main is unprotected, and GitHub
	// answers the merge gate's question with 404.
	e.expectStatus("GET", "/repos/*/*/branches/main/protection/required_status_checks", 404)
	return e
}

// docsPR opens a LifeOS PR that writes path.
func (e *env) docsPR(path, content string) (issue, pr int) {
	e.t.Helper()
	n := e.gh.AddIssue(repoName, "Write "+path, "x", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": path, "content": content})}},
		modelfake.Finish("Wrote "+path),
	)
	e.deliver("issues", "", labeled(e.t, n, "lifeos:do", maintainer, "Write "+path, "x"))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		e.t.Fatalf("run = %+v", run)
	}
	return n, run.PRNumber
}

// merged waits a moment and reports whether the PR was merged.
func (e *env) merged(pr int) bool {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if p, _ := e.gh.Repo(repoName).Pull(pr); p.Merged {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func TestRung3MergesGreenChangesInBounds(t *testing.T) {
	e := rung3(t)
	_, pr := e.docsPR("docs/new.md", "# New\n")
	e.passCI(pr)
	if !e.merged(pr) {
		t.Fatal("a green docs change was not merged")
	}
	files, _ := e.gh.Repo(repoName).Files("main")
	if files["docs/new.md"] != "# New\n" {
		t.Errorf("main lacks the change: %v", files)
	}
	if b := e.waitComments(pr, 1); !strings.Contains(b[len(b)-1], "rung 3") {
		t.Errorf("PR comments = %q", b)
	}
}

func TestRung3LeavesOtherPathsToHumans(t *testing.T) {
	e := rung3(t)
	_, pr := e.docsPR("main.go", "package main\n\nfunc main() { println(1) }\n")
	e.passCI(pr)
	if e.merged(pr) {
		t.Fatal("a change outside auto_merge.paths was merged")
	}
}

func TestRung3NeedsEveryCheckGreen(t *testing.T) {
	e := rung3(t)
	_, pr := e.docsPR("docs/new.md", "# New\n")
	e.passCI(pr, githubfake.CheckRunFixture{Name: "lint", Status: "in_progress"})
	if e.merged(pr) {
		t.Fatal("merged with a check still running")
	}
}

func TestRung3TooLargeIsLeftToHumans(t *testing.T) {
	e := rung3(t)
	_, pr := e.docsPR("docs/long.md", strings.Repeat("line\n", 20))
	e.passCI(pr)
	if e.merged(pr) {
		t.Fatal("a change over auto_merge.max_lines was merged")
	}
}

func TestBelowRung3NothingMerges(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("auto_merge:\n  paths: [\"docs/**\"]\n")})
	_, pr := e.docsPR("docs/new.md", "# New\n")
	e.passCI(pr)
	if e.merged(pr) {
		t.Fatal("merged at rung 1")
	}
}

func TestRung4ProposesWork(t *testing.T) {
	e := start(t, envOpts{
		files:     withPolicy("autonomy: 4\n"),
		configure: func(c *config.Config) { c.Ceilings.MaxAutonomy = 4 },
	})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{
			modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"}),
			modelfake.Call("propose_issue", map[string]any{"title": "Add a spell checker to CI", "body": "Typos keep slipping in."}),
		}},
		modelfake.Finish("Fixed the typo."),
	)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	var proposed githubfake.Issue
	ok := false
	for i := n + 1; i <= n+3 && !ok; i++ {
		if is, found := e.gh.Repo(repoName).Issue(i); found && !is.IsPull {
			proposed, ok = is, true
		}
	}
	if !ok || proposed.Title != "Add a spell checker to CI" || !strings.Contains(strings.Join(proposed.Labels, ","), "lifeos:proposal") {
		t.Fatalf("proposed issue = %+v (found %v)", proposed, ok)
	}
	// Below rung 4 the tool is not even offered.
	e2 := start(t, envOpts{})
	m := e2.gh.AddIssue(repoName, "x", "y", maintainer)
	e2.model.Script(modelfake.Finish("nothing"))
	e2.deliver("issues", "", labeled(t, m, "lifeos:do", maintainer, "x", "y"))
	e2.waitRuns(m, 1)
	if tools := strings.Join(e2.model.Requests()[0].Tools, ","); strings.Contains(tools, "propose_issue") {
		t.Errorf("rung 1 offered %s", tools)
	}
}
