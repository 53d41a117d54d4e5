package runner

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"github.com/lifeos/lifeos/store"
)

func TestStatusCommand(t *testing.T) {
	tests := []struct {
		name      string
		sender    string
		reactions []string
		say       []string
	}{
		{
			name: "writer", sender: "alice", reactions: []string{"555:eyes"},
			say: []string{"**LifeOS run 1** (label by @alice): **succeeded**, 3 turns, 1100 tokens, PR #101, commit abcdef1."},
		},
		// A reply to a reader would let anyone make the App talk.
		{name: "reader", sender: "eve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.finishedRun(store.Outcome{Status: store.StatusSucceeded, Turns: 3, TotalTokens: 1100, PRNumber: 101, CommitSHA: "abcdef1234567890"})

			if err := h.work(h.commandJob(tt.sender, "status", 7)); err != nil {
				t.Fatal(err)
			}

			if !slices.Equal(h.gh.reactions, tt.reactions) {
				t.Errorf("reactions = %q, want %q", h.gh.reactions, tt.reactions)
			}
			if got := h.gh.commentsOn(7); !slices.Equal(got, tt.say) {
				t.Errorf("comments = %q, want %q", got, tt.say)
			}
		})
	}
}

func TestRetryWhileRunActiveSnoozesWithoutGitHub(t *testing.T) {
	h := newHarness(t)
	d := h.delivery("issues")
	active, err := h.store.StartRun(h.ctx, store.NewRun{Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
		IssueNumber: 7, DeliveryID: d.ID, JobID: h.jobID, Trigger: "label", Actor: "alice", Status: store.StatusRunning})
	if err != nil {
		t.Fatal(err)
	}
	job := h.commandJob("alice", "retry", 7)

	for pass := 1; pass <= 2; pass++ {
		before := h.gh.total()
		err := h.work(job)
		var snooze *river.JobSnoozeError
		if !errors.As(err, &snooze) || snooze.Duration != waitSafetyNet {
			t.Fatalf("pass %d: err = %v, want a snooze of %s", pass, err, waitSafetyNet)
		}
		calls := h.gh.total() - before
		switch {
		case pass == 1 && (calls != 3 || h.gh.calls["Role"] != 1 || h.gh.calls["React"] != 1 || h.gh.calls["PostComment"] != 1):
			t.Errorf("first pass: %d GitHub calls %v, want the role, the 👀 and the queued comment only", calls, h.gh.calls)
		case pass == 2 && calls != 0:
			t.Errorf("second pass: %d GitHub calls %v, want none while run %d is active", calls, h.gh.calls, active.ID)
		}
	}
	waiters, err := h.store.Waiters(h.ctx, testRepo.FullName(), 7)
	if err != nil || !slices.Equal(waiters, []int64{h.ids[job.DeliveryID]}) {
		t.Errorf("waiters = %v, %v; want the command's job", waiters, err)
	}
	want := fmt.Sprintf("⏳ LifeOS queued `/lifeos retry` from @alice: it starts when run %d on this issue ends.", active.ID)
	if len(h.model.got) != 0 || len(h.gh.posted) != 1 || !strings.HasPrefix(h.gh.posted[0].body, want) {
		t.Errorf("model calls %d, comments %+v; want none and the queued comment %q", len(h.model.got), h.gh.posted, want)
	}
	if run := h.latest(); run.ID != active.ID || run.Status != store.StatusRunning {
		t.Errorf("latest run = %d %s, want the active run %d still running", run.ID, run.Status, active.ID)
	}
}

// A retry whose first attempt failed mid-run (GitHub down) leaves its run
// marked running; River's retry of the same job must take that run over,
// not wait for it forever.
func TestRetryCommandTakesOverItsOwnRunOnRetry(t *testing.T) {
	h := newHarness(t)
	job := h.commandJob("alice", "retry", 7)
	h.gh.fail["Snapshot"] = errors.New("GitHub is down")
	if err := h.work(job); err == nil {
		t.Fatal("first attempt: no error, want GitHub's")
	}
	first := h.latest()

	delete(h.gh.fail, "Snapshot")
	h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Fixed")))
	if err := h.work(job); err != nil {
		t.Fatalf("retry: %v, want the run taken over and finished", err)
	}

	run := h.latest()
	if run.ID != first.ID || run.Status != store.StatusSucceeded || run.Trigger != "retry" {
		t.Errorf("run %d %s (%s), want run %d taken over and succeeded", run.ID, run.Status, run.Trigger, first.ID)
	}
	if h.gh.calls["CreatePull"] != 1 {
		t.Errorf("PRs opened = %d, want 1", h.gh.calls["CreatePull"])
	}
}
