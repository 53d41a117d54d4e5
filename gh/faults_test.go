package gh

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeClock is a clock whose Sleep moves it on, recording each wait.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

// answer is one scripted outcome of the fake GitHub.
type answer struct {
	status int
	header http.Header
	body   string
	err    error
}

// script is a RoundTripper that gives its answers in turn, then 200s.
type script struct {
	mu      sync.Mutex
	answers []answer
	seen    []string // method and path, and the body, of each request
}

func (s *script) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	line := req.Method + " " + req.URL.Path
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		line += " " + string(b)
	}
	s.seen = append(s.seen, line)
	a := answer{status: http.StatusOK}
	if len(s.answers) > 0 {
		a, s.answers = s.answers[0], s.answers[1:]
	}
	if a.err != nil {
		return nil, a.err
	}
	h := a.header
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(strings.NewReader(a.body)), Request: req}, nil
}

func (s *script) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// timeoutErr is a network timeout.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func newFaults(clock *fakeClock) *Faults {
	return NewFaults(FaultPolicy{Now: clock.Now, Sleep: clock.Sleep})
}

func send(t *testing.T, rt http.RoundTripper, method, body string) (*http.Response, error) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "https://api.github.test/repos/o/r/git/refs", r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rt.RoundTrip(req)
	if resp != nil {
		resp.Body.Close()
	}
	return resp, err
}

func clock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func TestFaultsRetryIdempotentRequestsWithGrowingJitteredBackoff(t *testing.T) {
	reset := errors.Join(errors.New("read tcp"), syscall.ECONNRESET)
	for _, tc := range []struct {
		name   string
		method string
		first  answer
	}{
		{"502 on GET", "GET", answer{status: 502}},
		{"503 on DELETE", "DELETE", answer{status: 503}},
		{"reset on GET", "GET", answer{err: reset}},
		{"EOF on HEAD", "HEAD", answer{err: io.EOF}},
		{"timeout on GET", "GET", answer{err: timeoutErr{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clock()
			s := &script{answers: []answer{tc.first, tc.first}}
			resp, err := send(t, newFaults(c).Middleware(1)(s), tc.method, "")
			if err != nil || resp.StatusCode != 200 || s.calls() != 3 {
				t.Fatalf("got %v %v after %d calls; want 200 on the third", resp, err, s.calls())
			}
			if len(c.sleeps) != 2 || c.sleeps[0] < DefaultBackoff/2 || c.sleeps[0] > DefaultBackoff ||
				c.sleeps[1] < DefaultBackoff || c.sleeps[1] > 2*DefaultBackoff {
				t.Fatalf("waits = %v; want one in each doubling step", c.sleeps)
			}
		})
	}
}

func TestFaultsRetriesAreBounded(t *testing.T) {
	c := clock()
	s := &script{answers: []answer{{status: 502}, {status: 502}, {status: 502}, {status: 502}, {status: 502}, {status: 502}}}
	resp, err := send(t, newFaults(c).Middleware(1)(s), "GET", "")
	if err != nil || resp.StatusCode != 502 || s.calls() != DefaultTries {
		t.Fatalf("got %v %v after %d calls; want the 502 after %d", resp, err, s.calls(), DefaultTries)
	}
}

func TestFaultsReplayPutBody(t *testing.T) {
	s := &script{answers: []answer{{status: 502}}}
	resp, err := send(t, newFaults(clock()).Middleware(1)(s), "PUT", `{"a":1}`)
	if err != nil || resp.StatusCode != 200 || len(s.seen) != 2 || s.seen[1] != s.seen[0] {
		t.Fatalf("got %v %v, requests %q; want the same body twice", resp, err, s.seen)
	}
}

func TestFaultsNeverRetryAnswersOrUnsafeMethods(t *testing.T) {
	reset := errors.Join(errors.New("read tcp"), syscall.ECONNRESET)
	for _, tc := range []struct {
		name   string
		method string
		first  answer
	}{
		{"404", "GET", answer{status: 404}},
		{"422", "PUT", answer{status: 422}},
		{"403 without rate limit", "GET", answer{status: 403, body: `{"message":"Resource not accessible by integration"}`}},
		{"502 on POST", "POST", answer{status: 502}},
		{"502 on PATCH", "PATCH", answer{status: 502}},
		{"reset on POST", "POST", answer{err: reset}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clock()
			s := &script{answers: []answer{tc.first}}
			resp, err := send(t, newFaults(c).Middleware(1)(s), tc.method, "x")
			if s.calls() != 1 || len(c.sleeps) != 0 {
				t.Fatalf("%d calls, waits %v; want one call", s.calls(), c.sleeps)
			}
			if tc.first.err != nil && !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("err = %v; want the reset", err)
			}
			if tc.first.err == nil && (err != nil || resp.StatusCode != tc.first.status) {
				t.Fatalf("got %v %v; want the %d", resp, err, tc.first.status)
			}
		})
	}
}

func TestFaultsRateLimitsInGitHubsOrder(t *testing.T) {
	c := clock()
	reset := strconv.FormatInt(c.now.Add(90*time.Second).Unix(), 10)
	for _, tc := range []struct {
		name  string
		first answer
		want  []time.Duration
	}{
		{"retry-after first", answer{status: 429, header: http.Header{"Retry-After": {"5"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset}}}, []time.Duration{5 * time.Second}},
		{"then the reset", answer{status: 403, header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset}}}, []time.Duration{90 * time.Second}},
		{"else a minute", answer{status: 429}, []time.Duration{time.Minute}},
		{"a 403 secondary limit", answer{status: 403, body: `{"message":"You have exceeded a secondary rate limit."}`}, []time.Duration{time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clock()
			s := &script{answers: []answer{tc.first}}
			resp, err := send(t, newFaults(c).Middleware(1)(s), "POST", "x")
			if err != nil || resp.StatusCode != 200 || s.calls() != 2 {
				t.Fatalf("got %v %v after %d calls; want 200 on the second", resp, err, s.calls())
			}
			if len(c.sleeps) != 1 || c.sleeps[0] != tc.want[0] {
				t.Fatalf("waits = %v; want %v", c.sleeps, tc.want)
			}
		})
	}
}

func TestFaultsSecondaryLimitsWithoutTimeDouble(t *testing.T) {
	c := clock()
	s := &script{answers: []answer{{status: 429}, {status: 429}}}
	resp, err := send(t, newFaults(c).Middleware(1)(s), "GET", "")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v %v", resp, err)
	}
	if len(c.sleeps) != 2 || c.sleeps[0] != time.Minute || c.sleeps[1] != 2*time.Minute {
		t.Fatalf("waits = %v; want 1m then 2m", c.sleeps)
	}
}

func TestFaultsLongRateLimitIsTypedAndHoldsTheWholeInstallation(t *testing.T) {
	c := clock()
	f := newFaults(c)
	until := c.now.Add(10 * time.Minute)
	s := &script{answers: []answer{{status: 403, header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(until.Unix(), 10)}}}}}
	_, err := send(t, f.Middleware(1)(s), "GET", "")
	var rl RateLimited
	if !errors.As(err, &rl) || !rl.Until.Equal(until) {
		t.Fatalf("err = %v; want RateLimited until %v", err, until)
	}
	// Another client of the same installation is held without asking.
	other := &script{}
	if _, err := send(t, f.Middleware(1)(other), "GET", ""); !errors.As(err, &rl) || other.calls() != 0 {
		t.Fatalf("err = %v after %d calls; want RateLimited before any request", err, other.calls())
	}
	// Another installation is not.
	if resp, err := send(t, f.Middleware(2)(other), "GET", ""); err != nil || resp.StatusCode != 200 {
		t.Fatalf("other installation: %v %v", resp, err)
	}
}

func TestFaultsExhaustedLimitOnSuccessHoldsLaterRequests(t *testing.T) {
	c := clock()
	f := newFaults(c)
	reset := c.now.Add(90 * time.Second)
	s := &script{answers: []answer{{status: 200, header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(reset.Unix(), 10)}}}}}
	rt := f.Middleware(1)(s)
	resp, err := send(t, rt, "GET", "")
	if err != nil || resp.Header.Get("X-Ratelimit-Remaining") != "" {
		t.Fatalf("got %v %v; want the rate headers taken off (go-github would refuse the next request itself)", resp, err)
	}
	if _, err := send(t, f.Middleware(1)(s), "GET", ""); err != nil {
		t.Fatal(err)
	}
	if len(c.sleeps) != 1 || c.sleeps[0] != 90*time.Second {
		t.Fatalf("waits = %v; want the next request held until the reset", c.sleeps)
	}
}

func TestFaultsWriteBudget(t *testing.T) {
	c := clock()
	f := newFaults(c)
	s := &script{}
	for i := 0; i < DefaultWritesPerMinute; i++ {
		if _, err := send(t, f.Middleware(1)(s), "POST", "x"); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.sleeps) != 0 {
		t.Fatalf("waits = %v within the budget", c.sleeps)
	}
	if _, err := send(t, f.Middleware(1)(s), "GET", ""); err != nil || len(c.sleeps) != 0 {
		t.Fatalf("a read waited: %v %v", err, c.sleeps)
	}
	if _, err := send(t, f.Middleware(1)(s), "DELETE", ""); err != nil {
		t.Fatal(err)
	}
	want := time.Minute / DefaultWritesPerMinute
	if len(c.sleeps) != 1 || c.sleeps[0] < want-time.Millisecond || c.sleeps[0] > want+time.Millisecond {
		t.Fatalf("waits = %v; want one of %v", c.sleeps, want)
	}
}

func TestFaultsWriteBudgetWaitIsBounded(t *testing.T) {
	c := clock()
	f := NewFaults(FaultPolicy{Now: c.Now, Sleep: c.Sleep, WritesPerMinute: 1, MaxRateWait: 30 * time.Second})
	s := &script{}
	if _, err := send(t, f.Middleware(1)(s), "POST", "x"); err != nil {
		t.Fatal(err)
	}
	var rl RateLimited
	if _, err := send(t, f.Middleware(1)(s), "POST", "x"); !errors.As(err, &rl) || s.calls() != 1 {
		t.Fatalf("err = %v after %d calls; want RateLimited", err, s.calls())
	}
}
