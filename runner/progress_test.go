package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/names"
)

// Edits that come faster than the interval are held and folded: the
// latest is written when the interval is over, the final state at once.
func TestProgressThrottlesEditsAndAlwaysWritesTheEnd(t *testing.T) {
	f := newFakeGitHub()
	id, _ := f.PostComment(context.Background(), 7, "started")
	const interval = 40 * time.Millisecond
	p := &progress{g: f, log: zerolog.Nop(), ctx: context.Background(), id: id, interval: interval, last: time.Now()}
	start := time.Now()
	for i := 0; i < 50; i++ {
		p.update("turn " + strings.Repeat("x", i))
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start)
	time.Sleep(2 * interval) // the held edit is written
	f.postedMu.Lock()
	edits, body := f.posted[0].edits, f.posted[0].body
	f.postedMu.Unlock()
	if most := int(elapsed/interval) + 2; edits == 0 || edits > most {
		t.Errorf("%d edits in %s, want 1 to %d (one per %s)", edits, elapsed, most, interval)
	}
	if body != "turn "+strings.Repeat("x", 49) {
		t.Errorf("body = %q, want the latest state", body)
	}
	p.update("held")
	if err := p.finish(context.Background(), "done"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * interval)
	if got := f.commentsOn(7); len(got) != 1 || got[0] != "done" {
		t.Errorf("comments = %q, want the one comment at its final state", got)
	}
}

// A label run leaves one comment, posted once and edited to its end, and
// the LifeOS check run on its commit with the run's figures and page.
func TestLabelRunReportsProgressAndCheckRun(t *testing.T) {
	h := newHarness(t)
	h.runner.PublicURL = "https://lifeos.example/"
	h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Fixed the greeting")))
	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}
	if h.gh.calls["PostComment"] != 1 || h.gh.calls["Comment"] != 0 {
		t.Errorf("PostComment %d, Comment %d; want one progress comment and no other", h.gh.calls["PostComment"], h.gh.calls["Comment"])
	}
	said := h.gh.commentsOn(7)
	if len(said) != 1 || !strings.HasPrefix(said[0], "LifeOS opened #101") || !strings.Contains(said[0], "[LifeOS run 1](https://lifeos.example/runs/1)") {
		t.Errorf("comments = %q, want one ending as opened, linking the run page", said)
	}
	if len(h.gh.checkRuns) != 1 {
		t.Fatalf("check runs = %+v, want one", h.gh.checkRuns)
	}
	c := h.gh.checkRuns[0].run
	if c.Name != names.CheckRun || c.HeadSHA != h.gh.commits[0].sha || c.Conclusion != "success" || c.DetailsURL != "https://lifeos.example/runs/1" {
		t.Errorf("check run = %+v", c)
	}
	for _, want := range []string{"#7 Greeting is misspelled", "**Files changed:** 1 file", "**Turns:** 1", "**Tokens:** 1100", "**Cost:** $0.0012", "trigger.permission"} {
		if !strings.Contains(c.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, c.Summary)
		}
	}
}

// The base comes from the tarball's header; an archive that names no
// commit costs one branch read instead.
func TestBaseFromTheArchiveOrTheBranch(t *testing.T) {
	for _, noCommit := range []bool{false, true} {
		h := newHarness(t)
		h.gh.archiveNoCommit = noCommit
		h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Fixed the greeting")))
		if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
			t.Fatal(err)
		}
		reads := map[bool]int{false: 0, true: 1}[noCommit]
		if h.gh.calls["BranchHead"] != reads || len(h.gh.commits) != 1 || h.gh.commits[0].parent.CommitSHA != "main-sha-0000000" {
			t.Errorf("archive without commit %v: branch reads %d (want %d), commits %+v", noCommit, h.gh.calls["BranchHead"], reads, h.gh.commits)
		}
	}
}
