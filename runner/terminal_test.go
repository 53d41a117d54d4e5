package runner

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/store"
)

// TestRunIssueNeedsNoLabelOrRole: a terminal run works the issue through
// the label run's pipeline with no trigger label and no one's role asked
// (whoever holds the App's key needs neither), and opens the PR.
func TestRunIssueNeedsNoLabelOrRole(t *testing.T) {
	h := newHarness(t)
	h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Fixed the greeting")))
	run, err := h.runner.RunIssue(h.ctx, testRepo, 7)
	if err != nil || run.Status != store.StatusSucceeded || run.Trigger != TriggerTerminal || run.PRNumber == 0 {
		t.Fatalf("run %+v, %v", run, err)
	}
	if h.hasDecision(run.ID, "trigger.permission", "") {
		t.Error("a terminal run checked someone's role")
	}
	if h.gh.calls["Role"] != 0 {
		t.Errorf("asked GitHub for a role %d times", h.gh.calls["Role"])
	}
	if len(h.gh.commits) != 1 || !strings.HasPrefix(h.gh.commits[0].message, "Greeting is misspelled (#7)") {
		t.Errorf("commits %+v", h.gh.commits)
	}
}

// TestRunIssueEndsTheRunWhenItFails: an error the pipeline returns (which
// River would retry for a job) ends a terminal run as failed, and the
// issue is told.
func TestRunIssueEndsTheRunWhenItFails(t *testing.T) {
	h := newHarness(t)
	h.gh.fail["Snapshot"] = errors.New("the tarball broke")
	run, err := h.runner.RunIssue(h.ctx, testRepo, 7)
	if err == nil || run == nil || run.Status != store.StatusFailed || !strings.Contains(run.Error, "the tarball broke") {
		t.Fatalf("run %+v, %v", run, err)
	}
	if cs := h.gh.commentsOn(7); len(cs) != 1 || !strings.Contains(cs[0], "the tarball broke") {
		t.Errorf("comments on #7: %q", cs)
	}
}

// TestDryRunHoldsBackEveryWrite: over DryRun the run reads GitHub as ever
// and writes nothing, printing the commit with its diff, the branch, the
// pull request and the comment instead.
func TestDryRunHoldsBackEveryWrite(t *testing.T) {
	h := newHarness(t)
	h.gh.tree["greet.txt"] = []byte("helo\n")
	var out bytes.Buffer
	dry := &DryRun{Real: h.gh, Out: &out}
	h.runner.GitHub = func(jobs.Repo) (GitHub, error) { return dry, nil }
	h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Fixed the greeting")))
	run, err := h.runner.RunIssue(h.ctx, testRepo, 7)
	if err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("run %+v, %v", run, err)
	}
	if len(h.gh.commits)+len(h.gh.created)+len(h.gh.moved)+len(h.gh.posted)+len(h.gh.pullBodies) != 0 {
		t.Errorf("writes reached GitHub: commits %v, branches %v %v, comments %v, pulls %v",
			h.gh.commits, h.gh.created, h.gh.moved, h.gh.posted, h.gh.pullBodies)
	}
	for _, want := range []string{"would push a commit", "-helo\n+hello\n", "would create the branch lifeos/issue-7", "would open a pull request", "would comment on #7"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if dry.Writes() < 3 {
		t.Errorf("%d writes held back", dry.Writes())
	}
}

// TestJoblessRunsOutliveTheRunTimeout: the sweep leaves a jobless run
// alone for store.MaxJoblessRun, which must outlast the timeout RunIssue
// puts on it.
func TestJoblessRunsOutliveTheRunTimeout(t *testing.T) {
	if store.MaxJoblessRun <= DefaultRunTimeout {
		t.Errorf("store.MaxJoblessRun %s is within DefaultRunTimeout %s", store.MaxJoblessRun, DefaultRunTimeout)
	}
}
