package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// taskRequests is what one task asked of GitHub, as the double counted it.
type taskRequests struct {
	api []string // "METHOD path", token exchanges left out
	// conditional carried If-None-Match; notModified were answered 304,
	// which GitHub does not count against the rate limit.
	conditional, notModified, tokens int
}

func (e *env) taskRequests() taskRequests {
	var t taskRequests
	for _, r := range e.gh.Requests() {
		if strings.HasSuffix(r.Path, "/access_tokens") {
			t.tokens++
			continue
		}
		line := r.Method + " " + r.Path
		if r.Conditional {
			t.conditional++
			line += " (conditional"
			if r.Status == http.StatusNotModified {
				t.notModified++
				line += ", 304"
			}
			line += ")"
		}
		t.api = append(t.api, line)
	}
	return t
}

func (t taskRequests) String() string {
	return fmt.Sprintf("%d API requests, %d conditional (%d answered 304), %d token exchanges:\n  %s",
		len(t.api), t.conditional, t.notModified, t.tokens, strings.Join(t.api, "\n  "))
}

// The minimal sequences of the tasks TestAPIEconomy measures: what a task
// must ask of GitHub, each request once, with the installation token
// cached.
var (
	minimalLabel = []string{"permission of the sender", "branch head", "tarball", "tree", "commit",
		"create ref", "create pull", "comment"}
	minimalRetry = []string{"permission of the commenter", "reaction on the command", "pull (head ref and sha)",
		"review comments", "issue comments (the conversation)", "tarball of the head", "tree", "commit",
		"update ref", "comment"}
	minimalCIFix = []string{"pull (head ref and sha)", "check runs of the suite", "annotations", "job log",
		"issue comments (the conversation)", "tarball of the head", "tree", "commit", "update ref", "comment"}
)

// TestAPIEconomy reports the GitHub requests of three tasks beside their
// minimal sequences (issue 13, target 4), with the conditional ones: a
// one-commit label → PR, a three-iteration /lifeos retry conversation on
// the PR, and a CI-fix loop of two fixes. It reports; the label → PR
// run's budget is asserted in one place, TestOneFileChangeRequestBudget.
func TestAPIEconomy(t *testing.T) {
	e := start(t, envOpts{})
	e.openPR() // the process's first run pays for the token and the owner's policy

	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	e.gh.ResetRequests()
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded || run.PRNumber == 0 {
		t.Fatalf("label run = %+v", run)
	}
	label := e.taskRequests()
	t.Logf("label → PR, one commit: minimal %d (%s); %s", len(minimalLabel), strings.Join(minimalLabel, ", "), label)
	pr := run.PRNumber

	e.gh.ResetRequests()
	var perRetry []int
	for i := range 3 {
		before := len(e.gh.Requests())
		e.model.Script(
			modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{
				"path": "NOTES.md", "content": fmt.Sprintf("iteration %d\n", i)})}},
			modelfake.Finish(fmt.Sprintf("Wrote iteration %d.", i)),
		)
		comments := len(e.bodies(pr))
		if _, code := e.comment(pr, true, maintainer, "User", fmt.Sprintf("/lifeos retry iteration %d", i)); code != http.StatusOK {
			t.Fatalf("retry %d: delivery answered %d", i, code)
		}
		if r := e.waitRuns(n, 2+i)[1+i]; r.Status != store.StatusSucceeded || r.Trigger != "retry" {
			t.Fatalf("retry %d = %+v", i, r)
		}
		e.waitComments(pr, comments+2) // the command's own comment and LifeOS's reply
		e.waitIdle(t)
		perRetry = append(perRetry, len(e.gh.Requests())-before)
	}
	retry := e.taskRequests()
	t.Logf("/lifeos retry ×3 on the PR: minimal %d per iteration (%s), %d in all; per iteration %v; %s",
		len(minimalRetry), strings.Join(minimalRetry, ", "), 3*len(minimalRetry), perRetry, retry)

	e.gh.ResetRequests()
	var perFix []int
	for i := range 2 {
		before := len(e.gh.Requests())
		e.model.Script(
			modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{
				"path": "fix.txt", "content": fmt.Sprintf("fix %d\n", i)})}},
			modelfake.Finish(fmt.Sprintf("Fixed CI %d.", i)),
		)
		e.failCI(pr, fmt.Sprintf("expected %d, got %d", i, i+1))
		if r := e.waitRuns(n, 5+i)[4+i]; r.Status != store.StatusSucceeded || r.Trigger != "ci" {
			t.Fatalf("CI fix %d = %+v", i, r)
		}
		e.waitIdle(t)
		perFix = append(perFix, len(e.gh.Requests())-before)
	}
	ci := e.taskRequests()
	t.Logf("CI-fix loop, two fixes: minimal %d per fix (%s), %d in all; per fix %v; %s",
		len(minimalCIFix), strings.Join(minimalCIFix, ", "), 2*len(minimalCIFix), perFix, ci)
}
