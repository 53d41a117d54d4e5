package runner

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/store"
)

// leaseHarness is a harness whose runner keeps leases, on a clock the
// test moves.
func leaseHarness(t *testing.T) (*harness, *time.Time) {
	h := newHarness(t)
	clock := testNow
	h.runner.Leases = h.store
	h.runner.Now = func() time.Time { return clock }
	return h, &clock
}

// jobState reads a River job's state.
func (h *harness) jobState(id int64) string {
	h.t.Helper()
	var state string
	if err := h.db.QueryRowContext(h.ctx, `SELECT state FROM river_job WHERE id = $1`, id).Scan(&state); err != nil {
		h.t.Fatal(err)
	}
	return state
}

func TestHandBackTakesOnlyTheJobsWhoseLeaseExpired(t *testing.T) {
	h, clock := leaseHarness(t)
	dead, alive := h.riverJob("running"), h.riverJob("running")
	// The dead process took its lease and was killed before renewing it.
	if err := h.store.RenewLease(h.ctx, dead, 0, clock.Add(DefaultLeaseTTL)); err != nil {
		t.Fatal(err)
	}
	*clock = clock.Add(DefaultLeaseTTL + time.Second)
	releaseAlive := h.runner.holdLease(h.ctx, alive, 0)
	defer releaseAlive()

	if n, err := h.runner.HandBack(h.ctx); err != nil || n != 1 {
		t.Fatalf("HandBack = %d, %v; want 1", n, err)
	}
	if st := h.jobState(dead); st != "available" {
		t.Errorf("the dead process's job is %s, want available", st)
	}
	if st := h.jobState(alive); st != "running" {
		t.Errorf("the live worker's job is %s, want running", st)
	}
	if n, err := h.runner.HandBack(h.ctx); err != nil || n != 0 {
		t.Fatalf("second HandBack = %d, %v; want 0", n, err)
	}
}

func TestTheWorkerHoldsItsLeaseWhileItWorks(t *testing.T) {
	h, clock := leaseHarness(t)
	j := h.labelJob("alice", "lifeos:do")
	d, _ := j.Meta()
	jobID := h.riverJob("running")
	h.ids[d.ID] = jobID
	var whileWorking []int64
	w := &worker[jobs.Run]{r: h.runner, work: func(ctx context.Context, _ int64, _ jobs.Run) error {
		ids, err := h.store.ExpiredLeases(ctx, clock.Add(DefaultLeaseTTL+time.Second))
		whileWorking = ids
		return err
	}}
	if err := h.workAttempt(w, j, 0, 3); err != nil {
		t.Fatal(err)
	}
	if len(whileWorking) != 1 || whileWorking[0] != jobID {
		t.Fatalf("while working, leases past their TTL = %v; want the job's (%d)", whileWorking, jobID)
	}
	// Work returned: River owns the job's state again, so no lease is left
	// for the sweep to expire.
	if ids, err := h.store.ExpiredLeases(h.ctx, clock.Add(time.Hour)); err != nil || len(ids) != 0 {
		t.Fatalf("after Work, expired leases = %v, %v; want none", ids, err)
	}
}

func TestAStopAskedOnAnotherReplicaCancelsTheRunHere(t *testing.T) {
	h, _ := leaseHarness(t)
	h.runner.LeaseTimes = LeaseTimes{StopPoll: 5 * time.Millisecond}
	j := h.labelJob("alice", "lifeos:do")
	d, _ := j.Meta()
	jobID := h.riverJob("running")
	h.ids[d.ID] = jobID
	var cause error
	w := &worker[jobs.Run]{r: h.runner, work: func(ctx context.Context, jobID int64, j jobs.Run) error {
		run, err := h.store.StartRun(ctx, store.NewRun{Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
			IssueNumber: 7, DeliveryID: j.Delivery.ID, JobID: jobID, Trigger: "label", Actor: "alice", Status: store.StatusRunning})
		if err != nil {
			return err
		}
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		h.runner.track(run.ID, cancel) // as runAgent does around the model calls
		defer h.runner.untrack(run.ID)
		// The stop is only stored, as a replica not working the run does.
		if err := h.store.RequestCancel(ctx, run.ID, "bob"); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			cause = context.Cause(ctx)
		case <-time.After(10 * time.Second):
			cause = errors.New("the stop never reached the run")
		}
		_, err = h.store.EndRun(context.WithoutCancel(ctx), run.ID, store.StatusCancelled, "stopped")
		return err
	}}
	if err := h.workAttempt(w, j, 1, 3); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(cause, errStopped) {
		t.Fatalf("the run's context ended with %v; want errStopped", cause)
	}
}

// TestDefaultsPickUpACrashedRunWithinAMinute: with the default times, a
// job whose process died is handed back and fetched within issue 9's
// minute in the worst case: killed just after a renewal, its lease lasts
// DefaultLeaseTTL; the sweep after that comes within
// DefaultSweepInterval; a worker fetches the job within about a second
// (River's fetch poll), and the run needs a few more to get going.
func TestDefaultsPickUpACrashedRunWithinAMinute(t *testing.T) {
	const fetch, margin = time.Second, 5 * time.Second
	if worst := DefaultLeaseTTL + DefaultSweepInterval + fetch + margin; worst > time.Minute {
		t.Errorf("worst pick-up after a kill = %s (lease %s + sweep %s + fetch %s + %s margin); want within a minute",
			worst, DefaultLeaseTTL, DefaultSweepInterval, fetch, margin)
	}
	if DefaultLeaseTTL < 3*DefaultLeaseRenew {
		t.Errorf("lease %s covers fewer than three renewals every %s: a live job could lose it", DefaultLeaseTTL, DefaultLeaseRenew)
	}
}
