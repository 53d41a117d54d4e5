package e2e

import (
	"net/http"
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

// TestDrainKeepsTakingDeliveries stops the server while a run is working:
// during the grace period the health check says "draining" (so a load
// balancer sends new traffic elsewhere) but deliveries are still taken and
// queued, and the next process works them. GitHub does not redeliver by
// itself, so a delivery refused during a deploy would be lost.
func TestDrainKeepsTakingDeliveries(t *testing.T) {
	e := start(t, envOpts{})
	e.slowRun()
	e.stop()
	if !e.waitHealth(http.StatusServiceUnavailable) {
		t.Fatal("the health check never said the server was draining")
	}
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	if code := e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")); code >= 300 {
		t.Fatalf("a delivery during the drain answered %d", code)
	}
	e.shutdown()

	// Both the interrupted run and the one queued during the drain run in
	// the next process, perhaps at once: answer each by its own progress.
	e.model.HandleFunc(func(req modelfake.Request) modelfake.Reply {
		if len(req.ToolResults()) == 0 {
			return modelfake.Calls(modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"}))
		}
		return modelfake.Finish("Fixed the typo in README.md.")
	})
	e2 := start(t, envOpts{from: e})
	if run := e2.waitRuns(n, 1)[0]; run.Status != store.StatusSucceeded {
		t.Fatalf("the delivery taken during the drain ran as %+v", run)
	}
}
