package e2e

import (
	"strings"
	"testing"

	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// withPolicy is the default repo plus a policy file.
func withPolicy(policy string) map[string]string {
	return map[string]string{
		"README.md":          "# Hello-World\n\nHello, wrold!\n",
		"main.go":            "package main\n\nfunc main() {}\n",
		"secrets/token.txt":  "s3cret\n",
		".github/lifeos.yml": policy,
	}
}

func TestBrokenPolicyIsReportedAndNothingRuns(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("version: 1\nlimits:\n  max_turns: 5\n  max_tunrs: 7\nautonomy: 9\n")})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusDenied {
		t.Fatalf("run = %+v", run)
	}
	if len(e.model.Requests()) != 0 {
		t.Error("the model was called under a broken policy")
	}
	c := e.waitComments(n, 1)[0]
	for _, want := range []string{"line 4", "max_tunrs", "line 5", "autonomy", ".github/lifeos.yml"} {
		if !strings.Contains(c, want) {
			t.Errorf("comment lacks %q:\n%s", want, c)
		}
	}
	ds, _ := e.srv.Store().Decisions(t.Context(), run.ID)
	found := false
	for _, d := range ds {
		found = found || (d.Rule == "policy.file" && !d.Allow)
	}
	if !found {
		t.Errorf("decisions = %+v", ds)
	}
}

func TestForbiddenPathIsRepairedOnFeedback(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("paths:\n  deny: [\"secrets/**\"]\n")})
	n := e.gh.AddIssue(repoName, "Rotate the token", "and fix the typo", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{
			modelfake.Call("write_file", map[string]any{"path": "secrets/token.txt", "content": "new\n"}),
			modelfake.Call("write_file", map[string]any{"path": ".github/workflows/ci.yml", "content": "on: push\n"}),
			modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"}),
		}},
		modelfake.Finish("Rotated the token."),
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{
			modelfake.Call("write_file", map[string]any{"path": "secrets/token.txt", "content": "s3cret\n"}),
			modelfake.Call("delete_file", map[string]any{"path": ".github/workflows/ci.yml"}),
		}},
		modelfake.Finish("Fixed the typo only; the token is off limits."),
	)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Rotate the token", "and fix the typo"))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	// The agent was told each violation and its rule.
	reqs := e.model.Requests()
	feedback := reqs[2].ToolResults()
	joined := ""
	for _, v := range feedback {
		joined += v
	}
	if !strings.Contains(joined, "secrets/token.txt") || !strings.Contains(joined, ".github/workflows/ci.yml") || !strings.Contains(joined, "paths.deny") {
		t.Errorf("feedback to the agent = %q", joined)
	}
	files, _ := e.gh.Repo(repoName).Files("lifeos/issue-" + itoa(n))
	if files["secrets/token.txt"] != "s3cret\n" || files[".github/workflows/ci.yml"] != "" || !strings.Contains(files["README.md"], "world") {
		t.Errorf("files = %v", files)
	}
}

func TestForbiddenPathThatStaysStopsTheRun(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("paths:\n  deny: [\"secrets/**\"]\nlimits:\n  max_files: 2\n")})
	n := e.gh.AddIssue(repoName, "Rotate the token", "", maintainer)
	write := modelfake.Reply{ToolCalls: []modelfake.ToolCall{
		modelfake.Call("write_file", map[string]any{"path": "secrets/token.txt", "content": "new\n"}),
		modelfake.Call("write_file", map[string]any{"path": "a.txt", "content": "a\n"}),
		modelfake.Call("write_file", map[string]any{"path": "b.txt", "content": "b\n"}),
	}}
	e.model.Script(write, modelfake.Finish("Rotated."), modelfake.Finish("Rotated, really."))
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Rotate the token", ""))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusFailed {
		t.Fatalf("run = %+v", run)
	}
	repo := e.gh.Repo(repoName)
	if _, ok := repo.BranchSHA("lifeos/issue-" + itoa(n)); ok || len(repo.Pulls()) != 0 {
		t.Error("a violating change was pushed")
	}
	c := e.waitComments(n, 1)[0]
	for _, want := range []string{"paths.deny", "secrets/token.txt", "limits.max_files"} {
		if !strings.Contains(c, want) {
			t.Errorf("comment lacks %q:\n%s", want, c)
		}
	}
}

func TestPolicyEditedOnPRBranchChangesNothing(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("paths:\n  deny: [\"secrets/**\"]\n")})
	issue, pr := e.openPR()
	// Someone loosens the policy on the PR branch.
	e.gh.PushCommit(repoName, "lifeos/issue-"+itoa(issue), map[string]*string{".github/lifeos.yml": ptr("paths:\n  deny: []\n")}, "loosen")
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "secrets/token.txt", "content": "leaked\n"})}},
		modelfake.Finish("Changed the token."),
		modelfake.Finish("Changed the token anyway."),
	)
	e.comment(pr, true, maintainer, "User", "/lifeos retry change the token")
	run := e.waitRuns(issue, 2)[1]
	if run.Status != store.StatusFailed {
		t.Fatalf("retry run = %+v", run)
	}
	files, _ := e.gh.Repo(repoName).Files("lifeos/issue-" + itoa(issue))
	if files["secrets/token.txt"] != "s3cret\n" {
		t.Errorf("token = %q", files["secrets/token.txt"])
	}
}

func TestAgentCannotEditItsOwnPolicy(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("limits:\n  max_turns: 10\n")})
	n := e.gh.AddIssue(repoName, "More turns", "", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": ".github/lifeos.yml", "content": "limits:\n  max_turns: 40\n"})}},
		modelfake.Finish("Raised my limits."),
		modelfake.Finish("Raised my limits."),
	)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "More turns", ""))
	if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusFailed {
		t.Fatalf("run = %+v", run)
	}
	if len(e.gh.Repo(repoName).Pulls()) != 0 {
		t.Error("the agent changed its own policy")
	}
}

func TestPolicyTriggerRules(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("trigger:\n  label: lifeos:go\n  min_permission: maintain\n")})
	e.gh.AddUser("writer", "User")
	e.gh.SetPermission(repoName, "writer", "write")
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	// The server's default label is not this repo's trigger.
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusDenied {
		t.Fatalf("default label run = %+v", run)
	}
	// A writer is below this repo's minimum.
	e.deliver("issues", "", labeled(t, n, "lifeos:go", "writer", "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 2)[1]; run.Status != store.StatusDenied || !strings.Contains(run.Error, "maintain") {
		t.Fatalf("writer run = %+v", run)
	}
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, "lifeos:go", maintainer, "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 3)[2]; run.Status != store.StatusSucceeded {
		t.Fatalf("admin run = %+v", run)
	}
}

func ptr(s string) *string { return &s }

func TestOrgDefaultPolicyApplies(t *testing.T) {
	e := start(t, envOpts{})
	e.gh.AddRepo(installationID, "Codertocat/.github", map[string]string{
		"lifeos.yml": "paths:\n  deny: [\"docs/**\"]\n",
	})
	n := e.gh.AddIssue(repoName, "Edit the guide", "", maintainer)
	write := modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "docs/guide.md", "content": "new\n"})}}
	e.model.Script(write, modelfake.Finish("Edited."), modelfake.Finish("Edited."))
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Edit the guide", ""))
	if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusFailed {
		t.Fatalf("run = %+v", run)
	}
	if c := strings.Join(e.bodies(n), "\n"); !strings.Contains(c, "docs/guide.md") {
		t.Errorf("comments = %q", c)
	}
}

func TestUserAllowlist(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("trigger:\n  users: [alice]\n")})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusDenied {
		t.Fatalf("run by a user outside the allowlist = %+v", run)
	}
	e.gh.AddUser("alice", "User")
	e.gh.SetPermission(repoName, "alice", "write")
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", "alice", "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 2)[1]; run.Status != store.StatusSucceeded {
		t.Fatalf("run by alice = %+v", run)
	}
}

func TestTeamAllowlist(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("trigger:\n  teams: [Codertocat/maintainers]\n")})
	e.gh.AddTeam("Codertocat", "maintainers")
	e.gh.AddUser("bob", "User")
	e.gh.SetPermission(repoName, "bob", "write")
	e.gh.AddTeamMember("Codertocat", "maintainers", "bob", "member")
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	// An admin outside the team is refused; bob, in it, may. GitHub tells
	// a non-member with 404.
	e.expectStatus("GET", "/orgs/Codertocat/teams/maintainers/memberships/"+maintainer, 404)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusDenied {
		t.Fatalf("run by a non-member = %+v", run)
	}
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", "bob", "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 2)[1]; run.Status != store.StatusSucceeded {
		t.Fatalf("run by a team member = %+v", run)
	}
}
