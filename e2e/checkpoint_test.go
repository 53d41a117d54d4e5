package e2e

import (
	"strings"
	"testing"

	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// A run that reaches its turn limit with changes pushes them as a
// checkpoint in a draft PR and says where it stopped, what it spent and
// how to go on; /lifeos retry continues from the branch with what was
// tried, finishes, and the PR (no CI here) is then marked ready.
func TestTurnLimitCheckpointThenRetryFinishes(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("limits:\n  max_turns: 2\n")})
	n := e.gh.AddIssue(repoName, "Greet everyone", "Fix the typo and add a guide line.", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": "docs/guide.md"})}},
	)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Greet everyone", "Fix the typo and add a guide line."))
	first := e.waitRuns(n, 1)[0]
	if first.PRNumber == 0 || first.CommitSHA == "" || !strings.Contains(first.Error, "checkpoint") {
		t.Fatalf("the limited run = %+v, want a checkpoint with a PR", first)
	}
	repo := e.gh.Repo(repoName)
	branch := "lifeos/issue-" + itoa(n)
	files, _ := repo.Files(branch)
	if files["README.md"] != "# Hello-World\n\nHello, world!\n" {
		t.Errorf("the checkpoint's README = %q", files["README.md"])
	}
	pr, _ := repo.Pull(first.PRNumber)
	if !pr.Draft {
		t.Errorf("the checkpoint's PR = %+v, want a draft", pr)
	}
	c := repo.Comments(n)
	if len(c) != 1 {
		t.Fatalf("issue comments = %+v", c)
	}
	for _, want := range []string{"limit of 2 turns", "It spent 2 turns", "$", "as a checkpoint", "`/lifeos retry`"} {
		if !strings.Contains(c[0].Body, want) {
			t.Errorf("the checkpoint comment lacks %q: %q", want, c[0].Body)
		}
	}

	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "docs/guide.md", "content": "# Guide\n\nStep one.\nStep two.\n"})}},
		modelfake.Finish("Fixed the typo and added step two."),
	)
	e.comment(n, false, maintainer, "User", "/lifeos retry")
	second := e.waitRuns(n, 2)[1]
	if second.Status != store.StatusSucceeded || second.PRNumber != first.PRNumber {
		t.Fatalf("the retry = %+v", second)
	}
	reqs := e.model.Requests()
	prompt := reqs[len(reqs)-2].Messages[1].Content
	for _, want := range []string{"Checkpoint: LifeOS stopped before finishing", "wrote `README.md`", "edit_file README.md, read_file docs/guide.md"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("the retry's prompt lacks %q:\n%s", want, prompt)
		}
	}
	files, _ = repo.Files(branch)
	if files["README.md"] != "# Hello-World\n\nHello, world!\n" || files["docs/guide.md"] != "# Guide\n\nStep one.\nStep two.\n" {
		t.Errorf("the branch after the retry = %q", files)
	}
	if pr, _ := repo.Pull(first.PRNumber); pr.Draft || len(pr.Reviewers) != 1 {
		t.Errorf("the PR after the retry = %+v, want ready with a review asked", pr)
	}
	if len(repo.Pulls()) != 1 {
		t.Errorf("pulls = %+v, want the one", repo.Pulls())
	}
}

// A checkpoint is unfinished work: its draft stays a draft when CI passes
// on it.
func TestCheckpointStaysDraftWhenCIPasses(t *testing.T) {
	files := withCI()
	files[".github/lifeos.yml"] = "limits:\n  max_turns: 1\n"
	e := start(t, envOpts{files: files})
	e.expectStatus("GET", "/repos/*/*/branches/main/protection/required_status_checks", 404)
	n := e.gh.AddIssue(repoName, "Greet everyone", "Fix the typo.", maintainer)
	e.model.Script(modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})}})
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Greet everyone", "Fix the typo."))
	run := e.waitRuns(n, 1)[0]
	if run.PRNumber == 0 {
		t.Fatalf("run = %+v", run)
	}
	e.passCI(run.PRNumber)
	e.waitIdle(t)
	if p, _ := e.gh.Repo(repoName).Pull(run.PRNumber); !p.Draft || len(p.Reviewers) != 0 {
		t.Errorf("the checkpoint's PR after CI passed = %+v, want still a draft", p)
	}
}
