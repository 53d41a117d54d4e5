package runner

import (
	"strings"
	"testing"

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
