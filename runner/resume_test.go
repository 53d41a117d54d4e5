package runner

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/store"
)

// writeBackPoints are the GitHub writes of a label run's write-back after
// its commit; failing one is the run's process dying there.
var writeBackPoints = []string{"CreatePull", "EditComment"}

// forgetSteps drops the steps a run recorded of its writes to GitHub
// after the commit: the crash came after GitHub took a write but before
// the store heard of it. The progress comment's intent, recorded before
// its write, stays.
func (h *harness) forgetSteps(runID int64) {
	h.t.Helper()
	if _, err := h.db.ExecContext(h.ctx, `DELETE FROM lifeos_run_steps WHERE run_id = $1 AND step NOT IN ($2, $3, $4)`, runID, store.StepCommit, store.StepOnto, store.StepProgressPosting); err != nil {
		h.t.Fatal(err)
	}
}

// botSaid puts what LifeOS posted on number into the thread GitHub lists.
func (h *harness) botSaid(number int) {
	for i, c := range h.gh.posted {
		if c.number == number {
			h.gh.comments[number] = append(h.gh.comments[number], gh.Comment{ID: int64(i + 1), Author: testAppSlug + "[bot]", Bot: true, Body: c.body})
		}
	}
}

// wroteOnce checks that issue 7's run wrote one commit, one branch, one PR
// and one "opened" comment, and called the model only once.
func (h *harness) wroteOnce(t *testing.T) {
	t.Helper()
	if len(h.model.got) != 1 || len(h.gh.commits) != 1 || len(h.gh.created) != 1 {
		t.Errorf("model calls %d, commits %d, branches %v; want one each", len(h.model.got), len(h.gh.commits), h.gh.created)
	}
	pulls := 0
	for _, pr := range h.gh.pulls {
		if pr.HeadRef == "lifeos/issue-7" {
			pulls++
		}
	}
	opened := 0
	for _, body := range h.gh.commentsOn(7) {
		if strings.Contains(body, "LifeOS opened #") {
			opened++
		}
		if strings.Contains(body, "could not finish") {
			t.Errorf("comment %q says the run failed", body)
		}
	}
	if pulls != 1 || opened != 1 || len(h.gh.commentsOn(7)) != 1 {
		t.Errorf("pull requests %d, opened comments %d (%q); want one each", pulls, opened, h.gh.commentsOn(7))
	}
	if run := h.latest(); run.Status != store.StatusSucceeded || run.PRNumber == 0 || run.Summary != "Wrote greet.txt" {
		t.Errorf("run = status %s, PR %d, summary %q (%s); want succeeded with its PR and summary", run.Status, run.PRNumber, run.Summary, run.Error)
	}
}

// A run whose write-back stopped at any point, its writes recorded or
// not, is resumed by its job's retry from the last write: nothing is
// written twice and the model is not asked again.
func TestRetriedRunResumesItsWriteBack(t *testing.T) {
	for _, point := range writeBackPoints {
		for _, recorded := range []bool{true, false} {
			name := point
			if !recorded {
				name += " unrecorded"
			}
			t.Run(name, func(t *testing.T) {
				h := newHarness(t)
				h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Wrote greet.txt")))
				j := h.labelJob("alice", "lifeos:do")
				h.gh.fail[point] = errGateway
				if err := h.work(j); !errors.Is(err, errGateway) {
					t.Fatalf("first attempt = %v, want the GitHub error for the retry", err)
				}
				delete(h.gh.fail, point)
				if !recorded {
					h.forgetSteps(h.latest().ID)
					h.botSaid(7)
				}
				if err := h.work(j); err != nil {
					t.Fatalf("retry: %v", err)
				}
				h.wroteOnce(t)
			})
		}
	}
}

// A retry after the final comment was posted but not recorded finds the
// comment by its marker and does not post it again.
func TestRetriedRunFindsItsPostedComment(t *testing.T) {
	h := newHarness(t)
	h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Wrote greet.txt")))
	j := h.labelJob("alice", "lifeos:do")
	if err := h.work(j); err != nil {
		t.Fatal(err)
	}
	run := h.latest()
	// The process died after posting, before the outcome was stored.
	h.forgetSteps(run.ID)
	if _, err := h.db.ExecContext(h.ctx, `UPDATE lifeos_runs SET status = 'running', finished_at = NULL WHERE id = $1`, run.ID); err != nil {
		t.Fatal(err)
	}
	h.botSaid(7)
	if err := h.work(j); err != nil {
		t.Fatalf("retry: %v", err)
	}
	h.wroteOnce(t)
}

// A relabel after a run that died once its PR was open carries on with
// that PR, whether the store recorded it or GitHub shows it.
func TestRelabelAdoptsTheAppsOpenPull(t *testing.T) {
	for _, recorded := range []bool{true, false} {
		t.Run(map[bool]string{true: "recorded", false: "found"}[recorded], func(t *testing.T) {
			h := newHarness(t)
			w := &worker[jobs.Run]{r: h.runner, work: h.runner.label}
			h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Wrote greet.txt")))
			h.gh.fail["EditComment"] = errGateway
			if err := h.workAttempt(w, h.labelJob("alice", "lifeos:do"), 3, 3); !errors.Is(err, errGateway) {
				t.Fatalf("first run = %v, want the GitHub error", err)
			}
			delete(h.gh.fail, "EditComment")
			first := h.latest()
			if first.Status != store.StatusFailed || len(h.gh.pulls) != 1 {
				t.Fatalf("first run = %s with %d PRs; want failed with its PR open", first.Status, len(h.gh.pulls))
			}
			if !recorded {
				if _, err := h.db.ExecContext(h.ctx, `UPDATE lifeos_runs SET pr_number = 0 WHERE id = $1`, first.ID); err != nil {
					t.Fatal(err)
				}
			}
			var pr gh.Pull
			for _, p := range h.gh.pulls {
				pr = p
			}
			h.model.then(reply(t, writeFile("greet.txt", "hello again\n"), finish("Rewrote greet.txt")))
			if err := h.workAttempt(w, h.labelJob("alice", "lifeos:do"), 1, 3); err != nil {
				t.Fatalf("relabel: %v", err)
			}
			run := h.latest()
			if run.ID == first.ID || run.Status != store.StatusSucceeded || run.PRNumber != pr.Number {
				t.Fatalf("relabel run = %s, PR %d (%s); want succeeded on #%d", run.Status, run.PRNumber, run.Error, pr.Number)
			}
			if len(h.gh.pulls) != 1 || h.gh.branches["lifeos/issue-7"].CommitSHA != run.CommitSHA {
				t.Errorf("%d PRs, branch at %s; want one PR, the branch at %s", len(h.gh.pulls), h.gh.branches["lifeos/issue-7"].CommitSHA, run.CommitSHA)
			}
			said := h.gh.commentsOn(7)
			if last := said[len(said)-1]; !strings.Contains(last, fmt.Sprintf("#%d", pr.Number)) {
				t.Errorf("last comment = %q, want it to name #%d", last, pr.Number)
			}
		})
	}
}

// A retry whose earlier attempt died once its commit was on the branch,
// before the store heard of it, adopts the commit by its LifeOS-Run
// trailer: the model is not asked again and nothing is written twice.
func TestRetriedRunAdoptsItsUnrecordedCommit(t *testing.T) {
	h := newHarness(t)
	h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Wrote greet.txt")))
	j := h.labelJob("alice", "lifeos:do")
	h.gh.fail["CreatePull"] = errGateway
	if err := h.work(j); !errors.Is(err, errGateway) {
		t.Fatalf("first attempt = %v, want the GitHub error for the retry", err)
	}
	delete(h.gh.fail, "CreatePull")
	if _, err := h.db.ExecContext(h.ctx, `DELETE FROM lifeos_run_steps WHERE run_id = $1 AND step IN ($2, $3)`, h.latest().ID, store.StepCommit, store.StepRef); err != nil {
		t.Fatal(err)
	}
	if err := h.work(j); err != nil {
		t.Fatalf("retry: %v", err)
	}
	h.wroteOnce(t)
	if h.gh.calls["CreateBranch"] != 1 || h.gh.calls["CommitOnBranch"] != 1 {
		t.Errorf("branches created %d, commits written %d; want 1 each", h.gh.calls["CreateBranch"], h.gh.calls["CommitOnBranch"])
	}
}
