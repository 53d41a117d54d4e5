package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// A job's lease tells the leader's sweep that a live process works it.
// The generic worker holds it while Work runs; a job River still calls
// running whose lease expired belongs to a process that died, and the
// sweep hands it back to River at once (River's own rescue waits an hour).
// The same loop carries a /lifeos stop to the replica working the run.

// DefaultLeaseRenew is how often a worker renews its job's lease: a few
// renewals fit in one LeaseTTL, so a slow write or two never lets a live
// job's lease expire.
const DefaultLeaseRenew = 10 * time.Second

// DefaultLeaseTTL is how long a lease lasts past its renewal: long enough
// to survive a busy database, short enough that a crashed run is taken
// over within a minute (with the sweep's interval).
const DefaultLeaseTTL = 45 * time.Second

// DefaultStopPoll is how often a worker looks for a stop asked of its run
// on another replica: a stop is felt within seconds, for one cheap query.
const DefaultStopPoll = 2 * time.Second

// leaseWriteTimeout bounds one lease write or stop poll.
const leaseWriteTimeout = 5 * time.Second

// LeaseStore keeps job leases and hands back the jobs of dead processes.
type LeaseStore interface {
	RenewLease(ctx context.Context, jobID int64, attempt int, until time.Time) error
	ReleaseLease(ctx context.Context, jobID int64, attempt int) error
	ExpiredLeases(ctx context.Context, now time.Time) ([]int64, error)
	HandBackJob(ctx context.Context, jobID int64, now time.Time) (bool, error)
	StopRequestedOfJob(ctx context.Context, jobID int64) (int64, error)
}

// LeaseTimes are how a job's lease is kept; a zero field takes its default.
type LeaseTimes struct {
	Renew    time.Duration // DefaultLeaseRenew
	TTL      time.Duration // DefaultLeaseTTL
	StopPoll time.Duration // DefaultStopPoll
}

// orDefaults fills the zero fields with their defaults.
func (t LeaseTimes) orDefaults() LeaseTimes {
	if t.Renew <= 0 {
		t.Renew = DefaultLeaseRenew
	}
	if t.TTL <= 0 {
		t.TTL = DefaultLeaseTTL
	}
	if t.StopPoll <= 0 {
		t.StopPoll = DefaultStopPoll
	}
	return t
}

// holdLease takes the lease of attempt of job and keeps it, polling for
// stops, until the returned function is called; that function releases
// the lease and returns once the loop has ended. Without a LeaseStore it
// does nothing.
func (r *Runner) holdLease(ctx context.Context, jobID int64, attempt int) (release func()) {
	if r.Leases == nil {
		return func() {}
	}
	ctx = context.WithoutCancel(ctx)
	times := r.LeaseTimes.orDefaults()
	r.renewLease(ctx, jobID, attempt, times.TTL)
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		r.keepLease(ctx, done, jobID, attempt, times)
	}()
	return func() {
		close(done)
		<-ended
		wctx, cancel := context.WithTimeout(ctx, leaseWriteTimeout)
		defer cancel()
		if err := r.Leases.ReleaseLease(wctx, jobID, attempt); err != nil {
			zerolog.Ctx(ctx).Error().Err(err).Msg("Could not release the job's lease")
		}
	}
}

// keepLease renews the lease every times.Renew and looks for a stop every
// times.StopPoll until done is closed.
func (r *Runner) keepLease(ctx context.Context, done <-chan struct{}, jobID int64, attempt int, times LeaseTimes) {
	tick := time.NewTicker(min(times.StopPoll, times.Renew))
	defer tick.Stop()
	renewed, polled := time.Now(), time.Now()
	for {
		select {
		case <-done:
			return
		case t := <-tick.C:
			if t.Sub(polled) >= times.StopPoll {
				polled = t
				r.pollStop(ctx, jobID)
			}
			if t.Sub(renewed) >= times.Renew {
				renewed = t
				r.renewLease(ctx, jobID, attempt, times.TTL)
			}
		}
	}
}

// renewLease extends the lease by ttl from now, best effort: a missed
// renewal is covered by the next one within the TTL.
func (r *Runner) renewLease(ctx context.Context, jobID int64, attempt int, ttl time.Duration) {
	wctx, cancel := context.WithTimeout(ctx, leaseWriteTimeout)
	defer cancel()
	if err := r.Leases.RenewLease(wctx, jobID, attempt, r.now().Add(ttl)); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not renew the job's lease")
	}
}

// pollStop stops the job's run here when someone asked, on any replica,
// to stop it: its in-flight model call is cancelled (see stopLocal).
func (r *Runner) pollStop(ctx context.Context, jobID int64) {
	wctx, cancel := context.WithTimeout(ctx, leaseWriteTimeout)
	defer cancel()
	runID, err := r.Leases.StopRequestedOfJob(wctx, jobID)
	if err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not look for a stop of the job's run")
		return
	}
	if runID != 0 {
		r.stopLocal(runID)
	}
}

// HandBack makes every job whose process died (River calls it running,
// its lease expired) available to the live processes at once, and
// returns how many it handed back. A job whose worker is alive keeps a
// fresh lease and is never touched.
func (r *Runner) HandBack(ctx context.Context) (int, error) {
	if r.Leases == nil {
		return 0, nil
	}
	now := r.now()
	ids, err := r.Leases.ExpiredLeases(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("hand back the jobs of dead processes: %w", err)
	}
	n := 0
	for _, id := range ids {
		ok, err := r.Leases.HandBackJob(ctx, id, now)
		if err != nil {
			return n, fmt.Errorf("hand back the jobs of dead processes: %w", err)
		}
		if ok {
			n++
			zerolog.Ctx(ctx).Warn().Int64("job", id).Msg("Handed back a job whose process stopped renewing its lease")
		}
	}
	return n, nil
}
