package e2e

import (
	"strings"
	"testing"

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
	settle()
	if runs := e.waitRuns(n, 1); len(runs) != 1 {
		t.Fatalf("runs = %d", len(runs))
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
