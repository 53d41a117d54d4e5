package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// TestShutdownMidRunResumesAfterRestart stops the server (as SIGTERM does)
// while the agent waits on the model: nothing half-written reaches GitHub,
// and the restarted server finishes the queued run exactly once.
func TestShutdownMidRunResumesAfterRestart(t *testing.T) {
	e := start(t, envOpts{})
	n := e.slowRun()
	began := time.Now()
	e.shutdown()
	if took := time.Since(began); took > 15*time.Second {
		t.Errorf("shutdown took %s", took)
	}
	repo := e.gh.Repo(repoName)
	if _, ok := repo.BranchSHA("lifeos/issue-" + itoa(n)); ok || len(repo.Pulls()) != 0 {
		t.Fatal("an interrupted run wrote to GitHub")
	}

	// The next process picks the job up again.
	fixTypo(e.model)
	e2 := start(t, envOpts{from: e})
	run := e2.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("resumed run = %+v", run)
	}
	if pulls := repo.Pulls(); len(pulls) != 1 {
		t.Fatalf("pulls = %+v", pulls)
	}
	files, _ := repo.Files("lifeos/issue-" + itoa(n))
	if !strings.Contains(files["README.md"], "world") {
		t.Errorf("README = %q", files["README.md"])
	}
}

// TestShutdownLetsRunningWorkFinish stops the server while a run is a
// second from done: the grace period lets it finish and open its PR before
// the process exits.
func TestShutdownLetsRunningWorkFinish(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(
		modelfake.Reply{Delay: time.Second, ToolCalls: []modelfake.ToolCall{
			modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Finish("Fixed the typo."),
	)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	e.waitModelCalled()
	e.shutdown()
	if pulls := e.gh.Repo(repoName).Pulls(); len(pulls) != 1 {
		t.Fatalf("the run did not finish during the grace period: pulls = %+v", pulls)
	}
}
