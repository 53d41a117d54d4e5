package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// latestMergeDecision waits for an auto_merge decision on any of the
// issue's n runs and returns the newest one.
func (e *env) latestMergeDecision(issue, n int) store.Decision {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runs := e.waitRuns(issue, n)
		for i := len(runs) - 1; i >= 0; i-- {
			ds, err := e.srv.Store().Decisions(e.t.Context(), runs[i].ID)
			if err != nil {
				e.t.Fatal(err)
			}
			for j := len(ds) - 1; j >= 0; j-- {
				if strings.HasPrefix(ds[j].Rule, "auto_merge") {
					return ds[j]
				}
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("no auto_merge decision on #%d after 10s", issue)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A writer's commit under LifeOS's own on the PR's branch is not LifeOS's
// work: the PR's real diff touches main.go, outside auto_merge.paths, and a
// commit in it was not written by LifeOS, so a human merges.
func TestRung3RefusesCommitsLifeOSDidNotWrite(t *testing.T) {
	e := rung3(t)
	issue, pr := e.docsPR("docs/new.md", "# New\n")
	branch := "lifeos/issue-" + itoa(issue)
	code := "package main\n\nfunc main() { println(\"pwned\") }\n"
	e.gh.PushCommit(repoName, branch, map[string]*string{"main.go": &code}, "tweak")

	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "docs/more.md", "content": "# More\n"})}},
		modelfake.Finish("Wrote docs/more.md"),
	)
	e.comment(pr, true, maintainer, "User", "/lifeos retry add docs/more.md")
	runs := e.waitRuns(issue, 2)
	if runs[1].Status != store.StatusSucceeded {
		t.Fatalf("retry run = %+v", runs[1])
	}
	e.passCI(pr)
	d := e.latestMergeDecision(issue, 2)
	if d.Allow || d.Rule != "auto_merge.commits" || !strings.Contains(d.Reason, "not written by LifeOS") {
		t.Errorf("decision = %+v; want auto_merge.commits denied for a commit not written by LifeOS", d)
	}
	if e.mergeAttempted() {
		t.Error("LifeOS asked GitHub to merge a PR with a commit it did not write")
	}
}

// The auto-merge reads the policy through the one loader, which refuses a
// remote: reference: a PR whose default branch's policy became one is not
// merged, and the run says why.
func TestRung3RemotePolicyDoesNotMerge(t *testing.T) {
	e := rung3(t)
	issue, pr := e.docsPR("docs/new.md", "# New\n")
	remote := "remote: acme/policies:lifeos.yml\nautonomy: 3\nauto_merge:\n  paths: [\"**\"]\n"
	e.gh.PushCommit(repoName, "main", map[string]*string{".github/lifeos.yml": &remote}, "policy from elsewhere")
	e.passCI(pr)
	d := e.latestMergeDecision(issue, 1)
	if d.Allow || d.Rule != "auto_merge.policy" || !strings.Contains(d.Reason, "remote") {
		t.Errorf("decision = %+v; want auto_merge.policy denied, naming remote", d)
	}
	if e.mergeAttempted() {
		t.Error("LifeOS asked GitHub to merge under a remote: policy")
	}
}
