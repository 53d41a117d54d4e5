package gh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
)

// Defaults for FaultPolicy, after GitHub's "best practices for using the
// REST API" and its rate-limit documentation.
const (
	// DefaultTries bounds the attempts of one request: a blip passes, an
	// outage fails the job soon enough for River to try again later.
	DefaultTries = 4
	// DefaultBackoff is the first wait between attempts; it doubles.
	DefaultBackoff = 500 * time.Millisecond
	// DefaultBackoffBudget caps the total backoff of one request.
	DefaultBackoffBudget = 10 * time.Second
	// DefaultMaxRateWait is the longest a request waits for a rate limit
	// in the job; a longer wait snoozes the job instead (RateLimited).
	DefaultMaxRateWait = 2 * time.Minute
	// DefaultSecondaryWait is the first wait after a secondary rate limit
	// that names no time: GitHub asks for at least a minute.
	DefaultSecondaryWait = time.Minute
	// DefaultWritesPerMinute keeps under GitHub's secondary limit of 80
	// content-creating requests a minute.
	DefaultWritesPerMinute = 80
)

// RateLimited means GitHub asked this installation to wait until Until,
// longer than a job should hold a worker: the job can be snoozed.
type RateLimited struct{ Until time.Time }

func (e RateLimited) Error() string {
	return "GitHub rate limit: wait until " + e.Until.UTC().Format(time.RFC3339)
}

// FaultPolicy is how GitHub's faults are met. Zero fields take the
// defaults; Now and Sleep are injectable for tests.
type FaultPolicy struct {
	Tries           int
	Backoff         time.Duration
	BackoffBudget   time.Duration
	MaxRateWait     time.Duration
	SecondaryWait   time.Duration
	WritesPerMinute int
	// PerTry bounds each attempt (Timeout if 0).
	PerTry time.Duration
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Sleep waits d or until ctx ends (a timer if nil).
	Sleep func(ctx context.Context, d time.Duration) error
}

// withDefaults fills p's zero fields.
func (p FaultPolicy) withDefaults() FaultPolicy {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&p.Backoff, DefaultBackoff)
	def(&p.BackoffBudget, DefaultBackoffBudget)
	def(&p.MaxRateWait, DefaultMaxRateWait)
	def(&p.SecondaryWait, DefaultSecondaryWait)
	def(&p.PerTry, Timeout)
	if p.Tries <= 0 {
		p.Tries = DefaultTries
	}
	if p.WritesPerMinute <= 0 {
		p.WritesPerMinute = DefaultWritesPerMinute
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Faults keeps one gate per installation, shared by every client of it,
// so a rate limit GitHub names holds all of the installation's requests.
type Faults struct {
	p     FaultPolicy
	mu    sync.Mutex
	gates map[int64]*gate
}

// NewFaults makes the per-installation gates of policy p.
func NewFaults(p FaultPolicy) *Faults {
	return &Faults{p: p.withDefaults(), gates: map[int64]*gate{}}
}

// gate is one installation's state: no request before until, and a token
// bucket for content-creating requests.
type gate struct {
	mu    sync.Mutex
	until time.Time
	// strikes counts secondary limits in a row that named no time.
	strikes int
	tokens  float64
	filled  time.Time
}

func (f *Faults) gate(installation int64) *gate {
	f.mu.Lock()
	defer f.mu.Unlock()
	g, ok := f.gates[installation]
	if !ok {
		g = &gate{tokens: float64(f.p.WritesPerMinute), filled: f.p.Now()}
		f.gates[installation] = g
	}
	return g
}

// Middleware is the client middleware of one installation: retries,
// rate limits and the write budget, in front of next.
func (f *Faults) Middleware(installation int64) githubapp.ClientMiddleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return &faultTransport{p: f.p, g: f.gate(installation), next: next}
	}
}

// faultTransport is Faults' RoundTripper for one installation.
type faultTransport struct {
	p    FaultPolicy
	g    *gate
	next http.RoundTripper
}

// RoundTrip sends req, waiting and retrying as the policy says.
func (t *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if isWrite(req.Method) {
		if err := t.takeWrite(ctx); err != nil {
			return nil, err
		}
	}
	var spent time.Duration
	for try := 1; ; try++ {
		if err := t.waitGate(ctx); err != nil {
			return nil, err
		}
		resp, err := t.once(req, try)
		wait, retry, err := t.judge(req, try, resp, err)
		if !retry || try >= t.p.Tries || (wait > 0 && spent+wait > t.p.BackoffBudget) {
			return resp, err
		}
		drain(resp)
		if wait == 0 {
			continue // the gate holds the next attempt
		}
		spent += wait
		if err := t.p.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("wait to retry %s %s: %w", req.Method, req.URL.Path, err)
		}
	}
}

// once sends one attempt of req, bounded by PerTry until its body is
// closed.
func (t *faultTransport) once(req *http.Request, try int) (*http.Response, error) {
	r := req
	if try > 1 && req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("replay body of %s %s: %w", req.Method, req.URL.Path, err)
		}
		r = req.Clone(req.Context())
		r.Body = body
	}
	ctx, cancel := context.WithTimeout(r.Context(), t.p.PerTry)
	resp, err := t.next.RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// judge decides on one attempt's outcome: whether to try again and after
// how long (0: the gate says), or what to return.
func (t *faultTransport) judge(req *http.Request, try int, resp *http.Response, err error) (time.Duration, bool, error) {
	if err != nil {
		if req.Context().Err() != nil || !transient(err) || !replayable(req) {
			return 0, false, err
		}
		return t.backoff(try), true, err
	}
	if until, ok := t.rateLimit(resp); ok {
		if until.Sub(t.p.Now()) > t.p.MaxRateWait {
			drain(resp)
			return 0, false, RateLimited{Until: until}
		}
		return 0, true, nil
	}
	t.g.ok(resp, t.p.Now())
	if resp.StatusCode >= 500 && replayable(req) {
		return t.backoff(try), true, nil
	}
	return 0, false, nil
}

// backoff is the jittered wait before another attempt: between half and
// all of a doubling step, so that many clients do not retry in step.
func (t *faultTransport) backoff(try int) time.Duration {
	step := t.p.Backoff << min(try-1, 10)
	return step/2 + rand.N(step/2+1)
}

// replayable reports whether req may be sent again after a failure that
// may have reached GitHub: an idempotent method whose body can be rebuilt.
// POST and PATCH are not: a tree, commit or comment could be made twice,
// and a non-forced ref update would then fail on its own first success.
func replayable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
	default:
		return false
	}
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// transient reports a network failure worth another attempt: a reset
// or dropped connection, or a timeout.
func transient(err error) bool {
	var ne net.Error
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// drain reads out and closes a response that will not be returned, so its
// connection can be reused.
func drain(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// cancelOnClose ends an attempt's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
