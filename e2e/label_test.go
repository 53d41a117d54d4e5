package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// fixTypo scripts the model to fix the README typo and finish.
func fixTypo(m *modelfake.Server) {
	m.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": "README.md"})}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{
			"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Finish("Fixed the typo in README.md."),
	)
}

func TestLabelOpensPullRequest(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)

	if code := e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")); code != http.StatusOK {
		t.Fatalf("delivery answered %d", code)
	}
	runs := e.waitRuns(n, 1)
	run := runs[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}

	repo := e.gh.Repo(repoName)
	files, err := repo.Files("lifeos/issue-" + itoa(n))
	if err != nil {
		t.Fatal(err)
	}
	if got := files["README.md"]; got != "# Hello-World\n\nHello, world!\n" {
		t.Errorf("README on branch = %q", got)
	}
	if files["main.go"] != "package main\n\nfunc main() {}\n" || files["scripts/run.sh"] == "" {
		t.Errorf("other files changed: %v", files)
	}
	mainFiles, _ := repo.Files("main")
	if mainFiles["README.md"] != "# Hello-World\n\nHello, wrold!\n" {
		t.Errorf("default branch changed: %q", mainFiles["README.md"])
	}
	sha, _ := repo.BranchSHA("lifeos/issue-" + itoa(n))
	if sha != run.CommitSHA {
		t.Errorf("branch at %s, run recorded %s", sha, run.CommitSHA)
	}
	commit, _ := repo.Commit(sha)
	mainSHA, _ := repo.BranchSHA("main")
	if len(commit.Parents) != 1 || commit.Parents[0] != mainSHA || !strings.Contains(commit.Message, "Fix the README typo") {
		t.Errorf("commit = %+v", commit)
	}

	pulls := repo.Pulls()
	if len(pulls) != 1 {
		t.Fatalf("pulls = %+v", pulls)
	}
	pr := pulls[0]
	if pr.Title != "Fix the README typo" || pr.Head != "lifeos/issue-"+itoa(n) || pr.Base != "main" ||
		!strings.Contains(pr.Body, "Fixes #"+itoa(n)) || !strings.Contains(pr.Body, "Fixed the typo") || pr.User != "lifeos[bot]" {
		t.Errorf("pull = %+v", pr)
	}
	if run.PRNumber != pr.Number {
		t.Errorf("run PR %d, pull %d", run.PRNumber, pr.Number)
	}
	comments := repo.Comments(n)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "#"+itoa(pr.Number)) || comments[0].Author != "lifeos[bot]" {
		t.Errorf("issue comments = %+v", comments)
	}

	// The audit record: model, turns, tokens, every call.
	if run.Model != "gpt-e2e" || run.Turns != 3 || run.TotalTokens == 0 || run.Transcript == "" || run.Actor != maintainer {
		t.Errorf("run record = %+v", run)
	}
	calls, err := e.srv.Store().ModelCalls(t.Context(), run.ID)
	if err != nil || len(calls) != 3 {
		t.Errorf("model calls = %+v, %v", calls, err)
	}
	// The model saw the issue.
	reqs := e.model.Requests()
	if len(reqs) != 3 || !strings.Contains(reqs[0].Messages[len(reqs[0].Messages)-1].Content, "It says wrold.") {
		t.Errorf("model requests = %+v", reqs)
	}
	if errs := e.gh.ValidationErrors(); len(errs) > 0 {
		t.Errorf("requests GitHub would reject: %v", errs)
	}
}

func TestTriageUserCannotTrigger(t *testing.T) {
	e := start(t, envOpts{})
	e.gh.AddUser("triager", "User")
	e.gh.SetPermission(repoName, "triager", "triage")
	n := e.gh.AddIssue(repoName, "Please do", "body", maintainer)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", "triager", "Please do", "body"))

	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusDenied || !strings.Contains(run.Error, "triage") {
		t.Fatalf("run = %+v", run)
	}
	repo := e.gh.Repo(repoName)
	if len(repo.Pulls()) != 0 {
		t.Errorf("a triage user opened a PR")
	}
	if _, ok := repo.BranchSHA("lifeos/issue-" + itoa(n)); ok {
		t.Errorf("a triage user made a branch")
	}
	if c := repo.Comments(n); len(c) != 1 || !strings.Contains(c[0].Body, "write") {
		t.Errorf("comments = %+v", c)
	}
	if len(e.model.Requests()) != 0 {
		t.Errorf("the model was called for a triage user")
	}
}

func TestIgnoredDeliveriesQueueNothing(t *testing.T) {
	e := start(t, envOpts{})
	e.gh.ResetRequests() // start-up asked GitHub who the App is
	n := e.gh.AddIssue(repoName, "t", "b", maintainer)
	tests := []struct {
		name  string
		event string
		body  []byte
	}{
		{"another label", "issues", labeled(t, n, "bug", maintainer, "t", "b")},
		{"the app itself", "issues", labeled(t, n, "lifeos:do", "lifeos[bot]", "t", "b")},
		{"another bot", "issues", labeled(t, n, "lifeos:do", "dependabot[bot]", "t", "b")},
		{"another action", "issues", payload(t, "issues.labeled", func(ev map[string]any) { ev["action"] = "unlabeled" })},
		{"an unhandled event", "star", payload(t, "installation.created", nil)},
		{"an installation removed", "installation", payload(t, "installation.created", func(ev map[string]any) { ev["action"] = "deleted" })},
		{"a push that leaves the policy alone", "push", payload(t, "push", func(ev map[string]any) {
			ev["ref"] = "refs/heads/main"
			ev["commits"].([]any)[0].(map[string]any)["modified"] = []string{"README.md"}
		})},
	}
	for _, tt := range tests {
		code := e.deliver(tt.event, "", tt.body)
		if code != http.StatusOK && code != http.StatusAccepted {
			t.Errorf("%s: answered %d", tt.name, code)
		}
	}
	e.waitIdle(t)
	if got := e.jobCount(); got != 0 {
		t.Errorf("%d jobs queued for ignored deliveries", got)
	}
	if reqs := e.gh.Requests(); len(reqs) != 0 {
		t.Errorf("GitHub was called: %+v", reqs)
	}
}

func TestBadSignatureIsRejected(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "t", "b", maintainer)
	body := labeled(t, n, "lifeos:do", maintainer, "t", "b")
	for name, sig := range map[string]string{
		"wrong secret": sign("not-the-secret", body),
		"missing":      "",
		"garbage":      "sha256=zz",
	} {
		if code := e.deliverSigned("issues", "", body, sig); code != http.StatusUnauthorized {
			t.Errorf("%s signature: answered %d, want 401", name, code)
		}
	}
	e.waitIdle(t)
	if got := e.jobCount(); got != 0 {
		t.Errorf("%d jobs queued for unsigned deliveries", got)
	}
}

func TestRedeliveryRunsOnce(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	body := labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")
	for i := 0; i < 3; i++ {
		if code := e.deliver("issues", "same-delivery-id", body); code != http.StatusOK {
			t.Fatalf("delivery %d answered %d", i, code)
		}
	}
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	// Redelivered after the run finished: still nothing new.
	e.deliver("issues", "same-delivery-id", body)
	e.waitIdle(t)
	if runs := e.waitRuns(n, 1); runs[0].ID != run.ID || runs[0].Status != store.StatusSucceeded {
		t.Errorf("runs = %+v, want the first run alone", runs)
	}
	if pulls := e.gh.Repo(repoName).Pulls(); len(pulls) != 1 {
		t.Errorf("pulls = %d, want 1", len(pulls))
	}
	if got := e.jobCount(); got != 1 {
		t.Errorf("%d jobs, want 1", got)
	}
}

func TestSecondLabelAddsCommitToOpenPR(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	first := e.waitRuns(n, 1)[0]

	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{
			"path": "docs/typos.md", "content": "Checked.\n"})}},
		modelfake.Finish("Added a note."),
	)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	runs := e.waitRuns(n, 2)
	second := runs[1]
	if second.Status != store.StatusSucceeded || second.PRNumber != first.PRNumber {
		t.Fatalf("second run = %+v", second)
	}
	repo := e.gh.Repo(repoName)
	if len(repo.Pulls()) != 1 {
		t.Fatalf("pulls = %+v", repo.Pulls())
	}
	sha, _ := repo.BranchSHA("lifeos/issue-" + itoa(n))
	c, _ := repo.Commit(sha)
	if sha != second.CommitSHA || len(c.Parents) != 1 || c.Parents[0] != first.CommitSHA {
		t.Errorf("branch head %s (parents %v), want a child of %s", sha, c.Parents, first.CommitSHA)
	}
	files, _ := repo.Files(sha)
	if files["README.md"] != "# Hello-World\n\nHello, world!\n" || files["docs/typos.md"] != "Checked.\n" {
		t.Errorf("files = %v", files)
	}
}

func TestNoChangeMeansNoPR(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Is main.go fine?", "Just check.", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": "main.go"})}},
		modelfake.Finish("main.go is fine; nothing to change."),
	)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Is main.go fine?", "Just check."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusNoChange {
		t.Fatalf("run = %+v", run)
	}
	repo := e.gh.Repo(repoName)
	if len(repo.Pulls()) != 0 {
		t.Error("a PR was opened for no change")
	}
	if _, ok := repo.BranchSHA("lifeos/issue-" + itoa(n)); ok {
		t.Error("a branch was made for no change")
	}
	if c := repo.Comments(n); len(c) != 1 || !strings.Contains(c[0].Body, "no change") || !strings.Contains(c[0].Body, "nothing to change") {
		t.Errorf("comments = %+v", c)
	}
}

func TestGarbageToolCallsDoNotCrashTheRun(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{{Name: "edit_file", Arguments: `{"path": "README.md", "old": `}}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{{Name: "rm_rf", Arguments: `{}`}}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{{Name: "write_file", Arguments: `"just a string"`}}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Finish("Fixed it after some confusion."),
	)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	// Each bad call was answered with an error the model could read.
	reqs := e.model.Requests()
	errorsSeen := 0
	for _, m := range reqs[len(reqs)-1].Messages {
		if m.Role == "tool" && strings.HasPrefix(m.Content, "error:") {
			errorsSeen++
		}
	}
	if errorsSeen != 3 {
		t.Errorf("tool errors returned to the model = %d, want 3", errorsSeen)
	}
	files, _ := e.gh.Repo(repoName).Files("lifeos/issue-" + itoa(n))
	if files["README.md"] != "# Hello-World\n\nHello, world!\n" {
		t.Errorf("README = %q", files["README.md"])
	}
}

func TestEscapingPathsAreRefused(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	var calls []modelfake.Reply
	for _, p := range []string{"../outside.txt", "/etc/passwd", ".git/config", "docs/../../x", "a/.git/hooks/pre-commit", ".git"} {
		calls = append(calls, modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": p, "content": "pwned"})}})
	}
	calls = append(calls,
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": "../../etc/passwd"})}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("delete_file", map[string]any{"path": ".git/HEAD"})}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Finish("Fixed the typo."),
	)
	e.model.Script(calls...)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	repo := e.gh.Repo(repoName)
	files, _ := repo.Files("lifeos/issue-" + itoa(n))
	for path, content := range files {
		if strings.Contains(content, "pwned") || strings.Contains(path, ".git") || strings.Contains(path, "outside") {
			t.Errorf("escaping write landed: %s", path)
		}
	}
	if len(files) != 4 {
		t.Errorf("files on branch = %v", files)
	}
	reqs := e.model.Requests()
	refused := 0
	for _, m := range reqs[len(reqs)-1].Messages {
		if m.Role == "tool" && strings.HasPrefix(m.Content, "error:") {
			refused++
		}
	}
	if refused != 8 {
		t.Errorf("refused tool calls = %d, want 8", refused)
	}
}

func TestModelDownFailsWithComment(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(modelfake.Reply{Status: 503}, modelfake.Reply{Status: 503}, modelfake.Reply{Status: 503}, modelfake.Reply{Status: 503})
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusFailed || run.Error == "" {
		t.Fatalf("run = %+v", run)
	}
	repo := e.gh.Repo(repoName)
	if len(repo.Pulls()) != 0 {
		t.Error("PR opened by a failed run")
	}
	if c := repo.Comments(n); len(c) != 1 || !strings.Contains(c[0].Body, "model") {
		t.Errorf("comments = %+v", c)
	}
}

func TestTurnLimitFailsWithComment(t *testing.T) {
	e := start(t, envOpts{configure: func(c *config.Config) { c.MaxTurns = 2 }})
	n := e.gh.AddIssue(repoName, "Loop", "forever", maintainer)
	read := modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("list_files", map[string]any{})}}
	e.model.Script(read, read, read, read)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Loop", "forever"))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusFailed || run.Turns != 2 {
		t.Fatalf("run = %+v", run)
	}
	if c := e.gh.Repo(repoName).Comments(n); len(c) != 1 || !strings.Contains(c[0].Body, "2 turns") {
		t.Errorf("comments = %+v", c)
	}
}

func TestSecondLabelDuringRunStartsNothing(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(
		modelfake.Reply{Delay: 500 * time.Millisecond, ToolCalls: []modelfake.ToolCall{
			modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Finish("Fixed the typo."),
	)
	body := labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")
	e.deliver("issues", "first", body)
	e.waitModelCalled()
	e.deliver("issues", "second", body) // unlabelled and labelled again mid-run
	run := e.waitRuns(n, 1)[0]
	e.waitIdle(t)
	if runs := e.waitRuns(n, 1); runs[0].ID != run.ID || run.Status != store.StatusSucceeded {
		t.Fatalf("runs = %+v", runs)
	}
	if got := len(e.model.Requests()); got != 2 {
		t.Errorf("model calls = %d, want 2 (one run)", got)
	}
	if pulls := e.gh.Repo(repoName).Pulls(); len(pulls) != 1 {
		t.Errorf("pulls = %d, want 1", len(pulls))
	}
}

// TestRepeatedToolCallStopsEarlyWithComment: a model that asks for the
// same call with the same arguments again and again is stopped at the
// fourth, far below the turn limit, and the thread is told why.
func TestRepeatedToolCallStopsEarlyWithComment(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Loop", "forever", maintainer)
	read := modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": "README.md"})}}
	for range 40 {
		e.model.Script(read)
	}
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Loop", "forever"))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusFailed || run.Turns > 4 {
		t.Fatalf("run = %s after %d turns; want failed by the fourth", run.Status, run.Turns)
	}
	if got := len(e.model.Requests()); got > 4 {
		t.Errorf("the model was called %d times; want at most 4", got)
	}
	if c := e.gh.Repo(repoName).Comments(n); len(c) != 1 || !strings.Contains(c[0].Body, "4 times") || !strings.Contains(c[0].Body, "read_file README.md") {
		t.Errorf("comments = %+v; want one saying the same call was repeated", c)
	}
}
