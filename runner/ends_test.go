package runner

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/store"
)

// workAttempt works a label job through its River worker as attempt of
// maxAttempts.
func (h *harness) workAttempt(w *worker[jobs.Run], j jobs.Run, attempt, maxAttempts int) error {
	d, _ := j.Meta()
	return w.Work(h.ctx, &river.Job[jobs.Run]{
		JobRow: &rivertype.JobRow{ID: h.ids[d.ID], Attempt: attempt, MaxAttempts: maxAttempts, Kind: j.Kind()}, Args: j})
}

// riverJob records a River job in state and returns its id.
func (h *harness) riverJob(state string) int64 {
	h.t.Helper()
	var id int64
	if err := h.db.QueryRowContext(h.ctx, `INSERT INTO river_job (kind, args, state) VALUES ('test', '{}', $1) RETURNING id`,
		state).Scan(&id); err != nil {
		h.t.Fatal(err)
	}
	return id
}

// errGateway is GitHub failing, with a token in the URL that must never
// reach a comment.
var errGateway = errors.New("GET https://api.github.com/repos/octo/hello/collaborators/alice/permission?access_token=ghs_secret123: 502 Bad Gateway []")

func TestLastAttemptErrorFailsTheRunAndSaysSo(t *testing.T) {
	h := newHarness(t)
	w := &worker[jobs.Run]{r: h.runner, work: h.runner.label}
	h.gh.fail["Role"] = errGateway
	if err := h.workAttempt(w, h.labelJob("alice", "lifeos:do"), 3, 3); !errors.Is(err, errGateway) {
		t.Fatalf("Work = %v, want the GitHub error for River", err)
	}
	run := h.latest()
	if run.Status != store.StatusFailed || run.FinishedAt == nil {
		t.Fatalf("run = %s, finished %v; want failed", run.Status, run.FinishedAt)
	}
	if !strings.Contains(run.Error, "LifeOS gave up after 3 attempts") || !strings.Contains(run.Error, "502 Bad Gateway") {
		t.Errorf("reason = %q", run.Error)
	}
	said := h.gh.commentsOn(7)
	if len(said) != 1 || !strings.Contains(said[0], "gave up after 3 attempts") || !strings.Contains(said[0], "/lifeos retry") {
		t.Fatalf("comments = %q; want one plain comment", said)
	}
	if strings.Contains(said[0]+run.Error, "ghs_") || strings.Contains(said[0], "\n>") {
		t.Errorf("a secret or raw error reached the thread: %q", said[0])
	}

	// With GitHub well again, a relabel starts afresh.
	delete(h.gh.fail, "Role")
	h.model.then(reply(t, writeFile("hello.txt", "hello\n"), finish("Fixed")))
	if err := h.workAttempt(w, h.labelJob("alice", "lifeos:do"), 1, 3); err != nil {
		t.Fatalf("relabel: %v", err)
	}
	if again := h.latest(); again.ID == run.ID || again.Status != store.StatusSucceeded || again.PRNumber == 0 {
		t.Fatalf("relabel run = %+v; want a new run with a PR", again)
	}
}

func TestEarlierAttemptErrorLeavesTheRunForTheRetry(t *testing.T) {
	h := newHarness(t)
	w := &worker[jobs.Run]{r: h.runner, work: h.runner.label}
	h.gh.fail["Role"] = errGateway
	j := h.labelJob("alice", "lifeos:do")
	if err := h.workAttempt(w, j, 1, 3); !errors.Is(err, errGateway) {
		t.Fatalf("Work = %v", err)
	}
	first := h.latest()
	if first.Status != store.StatusRunning || len(h.gh.commentsOn(7)) != 0 {
		t.Fatalf("after attempt 1: run %s, comments %q; want running and silent", first.Status, h.gh.commentsOn(7))
	}
	// The retry takes the run over and finishes it.
	delete(h.gh.fail, "Role")
	h.model.then(reply(t, writeFile("hello.txt", "hello\n"), finish("Fixed")))
	if err := h.workAttempt(w, j, 2, 3); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if run := h.latest(); run.ID != first.ID || run.Status != store.StatusSucceeded {
		t.Fatalf("retry run = %d %s; want run %d succeeded", run.ID, run.Status, first.ID)
	}
}

func TestPanicIsRecoveredAndFailsTheRun(t *testing.T) {
	h := newHarness(t)
	w := &worker[jobs.Run]{r: h.runner, work: func(ctx context.Context, jobID int64, j jobs.Run) error {
		if _, err := h.store.StartRun(ctx, store.NewRun{Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
			IssueNumber: 7, DeliveryID: j.Delivery.ID, JobID: jobID, Trigger: "label", Actor: "alice", Status: store.StatusRunning}); err != nil {
			return err
		}
		panic("index out of range")
	}}
	err := h.workAttempt(w, h.labelJob("alice", "lifeos:do"), 1, 3)
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Fatalf("Work = %v; want a cancel, so River does not retry", err)
	}
	run := h.latest()
	if run.Status != store.StatusFailed || !strings.Contains(run.Error, "internal error: index out of range") {
		t.Fatalf("run = %s %q", run.Status, run.Error)
	}
	if said := h.gh.commentsOn(7); len(said) != 1 || !strings.Contains(said[0], "did not finish") {
		t.Fatalf("comments = %q", said)
	}
}

func TestSweepFinishesRunsWithoutALiveJob(t *testing.T) {
	h := newHarness(t)
	start := func(issue int, jobID int64) *store.Run {
		t.Helper()
		run, err := h.store.StartRun(h.ctx, store.NewRun{Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
			IssueNumber: issue, DeliveryID: h.delivery("issues").ID, JobID: jobID, Trigger: "label", Actor: "alice", Status: store.StatusRunning})
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	orphan := start(7, 424242) // its job is gone
	live := start(8, h.riverJob("running"))
	if n, err := h.runner.Sweep(h.ctx); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1", n, err)
	}
	if got, _ := h.store.Run(h.ctx, orphan.ID); got.Status != store.StatusFailed || got.Error != orphanReason {
		t.Errorf("orphan = %s %q", got.Status, got.Error)
	}
	if got, _ := h.store.Run(h.ctx, live.ID); got.Status != store.StatusRunning {
		t.Errorf("a run with a live job was swept: %s", got.Status)
	}
	if said := h.gh.commentsOn(7); len(said) != 1 || !strings.Contains(said[0], orphanReason) {
		t.Errorf("comments = %q", said)
	}
	if n, err := h.runner.Sweep(h.ctx); err != nil || n != 0 {
		t.Fatalf("second Sweep = %d, %v; want 0", n, err)
	}
}

func TestStopFinishesARunNoProcessWorks(t *testing.T) {
	h := newHarness(t)
	run, err := h.store.StartRun(h.ctx, store.NewRun{Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
		IssueNumber: 7, DeliveryID: h.delivery("issues").ID, JobID: h.riverJob("retryable"), Trigger: "label", Actor: "alice", Status: store.StatusRunning})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.work(h.commandJob("alice", "stop", 7)); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.store.Run(h.ctx, run.ID); got.Status != store.StatusCancelled || got.FinishedAt == nil {
		t.Fatalf("run = %s; want cancelled at once", got.Status)
	}
	if said := h.gh.commentsOn(7); len(said) != 1 || !strings.Contains(said[0], "no process was working on it") {
		t.Fatalf("comments = %q", said)
	}
}

// TestCancelledJobEndsTheRunInPlainWords: a job cancelled through River
// from outside (JobCancel on the client) or by a workflow returning
// river.JobCancel finishes its run, and the reason on the run and the
// thread is plain words, not River's "JobCancelError: ..." wrapping.
func TestCancelledJobEndsTheRunInPlainWords(t *testing.T) {
	startRun := func(h *harness, jobID int64, j jobs.Run) error {
		_, err := h.store.StartRun(context.WithoutCancel(h.ctx), store.NewRun{Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
			IssueNumber: 7, DeliveryID: j.Delivery.ID, JobID: jobID, Trigger: "label", Actor: "alice", Status: store.StatusRunning})
		return err
	}
	cases := []struct {
		name       string
		remotely   bool
		returns    error
		wantReason string
	}{
		{name: "cancelled through River", remotely: true, returns: context.Canceled,
			wantReason: "its job was cancelled"},
		{name: "a workflow returns JobCancel", returns: river.JobCancel(errors.New("the repository is archived")),
			wantReason: "LifeOS stopped: the repository is archived"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			w := &worker[jobs.Run]{r: h.runner, work: func(ctx context.Context, jobID int64, j jobs.Run) error {
				if err := startRun(h, jobID, j); err != nil {
					return err
				}
				return c.returns
			}}
			j := h.labelJob("alice", "lifeos:do")
			if c.remotely {
				base := h.ctx
				ctx, cancel := context.WithCancelCause(base)
				cancel(river.ErrJobCancelledRemotely)
				h.ctx = ctx
				_ = h.workAttempt(w, j, 1, 3)
				h.ctx = base
			} else {
				_ = h.workAttempt(w, j, 1, 3)
			}
			run := h.latest()
			if run.Status != store.StatusFailed || run.FinishedAt == nil || run.Error != c.wantReason {
				t.Fatalf("run = %s %q, finished %v; want failed with %q", run.Status, run.Error, run.FinishedAt, c.wantReason)
			}
			said := h.gh.commentsOn(7)
			if len(said) != 1 || !strings.Contains(said[0], c.wantReason) || strings.Contains(said[0], "Error:") {
				t.Fatalf("comments = %q; want one plain comment saying %q", said, c.wantReason)
			}
		})
	}
}

// TestRunEndIsToldOnceGitHubAnswersAgain: a run that ends while GitHub
// cannot take the comment is told later, by the sweep, as soon as GitHub
// answers, and once only.
func TestRunEndIsToldOnceGitHubAnswersAgain(t *testing.T) {
	h := newHarness(t)
	w := &worker[jobs.Run]{r: h.runner, work: h.runner.label}
	h.gh.fail["Role"] = errGateway
	h.gh.fail["Comment"] = errGateway
	if err := h.workAttempt(w, h.labelJob("alice", "lifeos:do"), 3, 3); !errors.Is(err, errGateway) {
		t.Fatalf("Work = %v", err)
	}
	if run := h.latest(); run.Status != store.StatusFailed {
		t.Fatalf("run = %s; want failed", run.Status)
	}
	if _, err := h.runner.Sweep(h.ctx); err != nil { // GitHub still down: nothing told, nothing lost
		t.Fatal(err)
	}
	if said := h.gh.commentsOn(7); len(said) != 0 {
		t.Fatalf("comments while GitHub refuses them = %q", said)
	}
	delete(h.gh.fail, "Comment")
	for range 2 {
		if _, err := h.runner.Sweep(h.ctx); err != nil {
			t.Fatal(err)
		}
	}
	said := h.gh.commentsOn(7)
	if len(said) != 1 || !strings.Contains(said[0], "gave up after 3 attempts") {
		t.Fatalf("comments once GitHub answers = %q; want the run's end told once", said)
	}
}

// TestKeptRunEndIsDroppedAfterADay: a run's end GitHub refuses for a day
// (an installation removed, say) is dropped rather than tried for ever.
func TestKeptRunEndIsDroppedAfterADay(t *testing.T) {
	h := newHarness(t)
	w := &worker[jobs.Run]{r: h.runner, work: h.runner.label}
	h.gh.fail["Role"] = errGateway
	h.gh.fail["Comment"] = errGateway
	if err := h.workAttempt(w, h.labelJob("alice", "lifeos:do"), 3, 3); !errors.Is(err, errGateway) {
		t.Fatalf("Work = %v", err)
	}
	if kept, err := h.store.Notices(h.ctx); err != nil || len(kept) != 1 {
		t.Fatalf("kept notices = %+v (%v); want the run's end", kept, err)
	}
	h.runner.Now = func() time.Time { return testNow.Add(25 * time.Hour) }
	if _, err := h.runner.Sweep(h.ctx); err != nil {
		t.Fatal(err)
	}
	if kept, err := h.store.Notices(h.ctx); err != nil || len(kept) != 0 {
		t.Fatalf("kept notices after a day = %+v (%v); want none", kept, err)
	}
}
