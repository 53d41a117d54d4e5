package runner

import (
	"slices"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// TestLabelRunOneLongLineOverByteLimitFails checks that a file of one
// 250 KB line, which max_lines counts as a single line, is refused by
// limits.max_bytes: nothing is pushed and the run fails naming the limit.
func TestLabelRunOneLongLineOverByteLimitFails(t *testing.T) {
	h := newHarness(t)
	h.setPolicy("limits:\n  max_lines: 1000\n  max_bytes: 100000\n")
	line := strings.Repeat("x", 250_000)
	h.model.then(
		reply(t, writeFile("blob.txt", line), finish("Added the blob")),
		reply(t, finish("Added the blob, really")),
	)

	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}

	run := h.latest()
	if run.Status != store.StatusFailed {
		t.Errorf("run status = %s, want failed", run.Status)
	}
	if len(h.gh.commits) != 0 || h.gh.calls["CreateBranch"] != 0 || h.gh.calls["CreatePull"] != 0 {
		t.Errorf("commits %d, branches %d, PRs %d; want nothing written", len(h.gh.commits), h.gh.calls["CreateBranch"], h.gh.calls["CreatePull"])
	}
	said := h.gh.commentsOn(7)
	if len(said) != 1 || !strings.Contains(said[0], "limits.max_bytes") || !strings.Contains(said[0], "writes 250000 bytes") {
		t.Errorf("comments = %q, want one naming the byte limit", said)
	}
	if !h.hasDecision(run.ID, "limits.max_bytes", "the policy allows at most 100000") {
		t.Errorf("decisions = %q, want the bytes refused", h.decisions(run.ID))
	}
}

// TestAutoMergeBoundsTheBytesLifeOSWrote checks that auto-merge bounds a PR
// by the bytes LifeOS recorded for its commits, which GitHub's diff does not
// give: two runs, each inside limits.max_bytes, together are not.
func TestAutoMergeBoundsTheBytesLifeOSWrote(t *testing.T) {
	h := newHarness(t)
	h.setPolicy("autonomy: 3\nlimits:\n  max_bytes: 100000\nauto_merge:\n  paths: [\"docs/**\"]\n")
	h.model.then(reply(t, writeFile("docs/a.md", strings.Repeat("a", 60000)), finish("Wrote a")))
	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}
	pr := h.gh.pulls[h.latest().PRNumber]
	h.gh.failed = []gh.FailedCheck{{Name: "test", Conclusion: "failure", Title: "A"}}
	h.model.then(reply(t, writeFile("docs/b.md", strings.Repeat("b", 60000)), finish("Wrote b")))
	if err := h.work(h.ciJob(pr.Number, pr.HeadSHA, false)); err != nil {
		t.Fatal(err)
	}
	if run := h.latest(); run.Status != store.StatusSucceeded || len(h.gh.commits) != 2 {
		t.Fatalf("fix run %s, commits %d; want a second commit pushed", run.Status, len(h.gh.commits))
	}

	pr = h.gh.pulls[pr.Number]
	h.gh.failed = nil
	h.gh.checkResults = []policy.CheckResult{{Name: "test", Status: "completed", Conclusion: "success"}}
	if err := h.work(h.ciJob(pr.Number, pr.HeadSHA, true)); err != nil {
		t.Fatal(err)
	}
	if len(h.gh.merges) != 0 {
		t.Errorf("merged %v; want a human to merge", h.gh.merges)
	}
	want := "limits.max_bytes deny: the change breaks the policy: the change writes 120000 bytes; the policy allows at most 100000"
	if ds := h.decisions(h.latest().ID); !slices.Contains(ds, want) {
		t.Errorf("decisions = %q, want %q", ds, want)
	}
}
