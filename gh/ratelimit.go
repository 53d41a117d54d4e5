// Rate limits: reading GitHub's limit headers, the installation-wide gate
// and the budget of content-creating requests.

package gh

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// rateLimit reports whether resp is a rate limit, and holds the gate
// until the time GitHub names, in its documented order: retry-after;
// else x-ratelimit-reset when none remain; else at least a minute,
// doubling.
func (t *faultTransport) rateLimit(resp *http.Response) (time.Time, bool) {
	code := resp.StatusCode
	if code != http.StatusTooManyRequests && code != http.StatusForbidden {
		return time.Time{}, false
	}
	h := resp.Header
	now := t.p.Now()
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s >= 0 {
		return t.g.hold(now.Add(time.Duration(s)*time.Second), false), true
	}
	if reset, ok := exhausted(h); ok {
		return t.g.hold(reset, false), true
	}
	if code == http.StatusForbidden && !mentionsRateLimit(resp) {
		return time.Time{}, false // a permission answer
	}
	t.g.mu.Lock()
	wait := t.p.SecondaryWait << min(t.g.strikes, 6)
	t.g.mu.Unlock()
	return t.g.hold(now.Add(wait), true), true
}

// exhausted reports the reset time when h says none of the limit remain.
func exhausted(h http.Header) (time.Time, bool) {
	if h.Get("X-Ratelimit-Remaining") != "0" {
		return time.Time{}, false
	}
	reset, err := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(reset, 0), true
}

// mentionsRateLimit reports whether a 403's message is about a rate limit;
// the body stays readable.
func mentionsRateLimit(resp *http.Response) bool {
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return err == nil && strings.Contains(strings.ToLower(string(b)), "rate limit")
}

// hold keeps the gate shut until at least until, and returns until.
func (g *gate) hold(until time.Time, strike bool) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if strike {
		g.strikes++
	}
	if until.After(g.until) {
		g.until = until
	}
	return until
}

// ok notes an answer that was no rate limit. One that says none of the
// limit remain holds the gate until the reset, and its rate headers are
// taken off so that go-github does not refuse the next requests itself:
// the gate makes them wait instead.
func (g *gate) ok(resp *http.Response, now time.Time) {
	g.mu.Lock()
	g.strikes = 0
	g.mu.Unlock()
	if reset, ok := exhausted(resp.Header); ok {
		if reset.After(now) {
			g.hold(reset, false)
		}
		for _, k := range []string{"X-Ratelimit-Remaining", "X-Ratelimit-Reset", "X-Ratelimit-Limit", "X-Ratelimit-Used"} {
			resp.Header.Del(k)
		}
	}
}

// waitGate holds a request while the installation's gate is shut, or
// returns RateLimited when that is longer than MaxRateWait.
func (t *faultTransport) waitGate(ctx context.Context) error {
	t.g.mu.Lock()
	until := t.g.until
	t.g.mu.Unlock()
	d := until.Sub(t.p.Now())
	if d <= 0 {
		return nil
	}
	if d > t.p.MaxRateWait {
		return RateLimited{Until: until}
	}
	if err := t.p.Sleep(ctx, d); err != nil {
		return fmt.Errorf("wait for GitHub's rate limit: %w", err)
	}
	return nil
}

// takeWrite takes a token of the installation's write budget, waiting
// for one (bounded by MaxRateWait) when it is spent.
func (t *faultTransport) takeWrite(ctx context.Context) error {
	now := t.p.Now()
	perSec := float64(t.p.WritesPerMinute) / 60
	t.g.mu.Lock()
	if el := now.Sub(t.g.filled).Seconds(); el > 0 {
		t.g.tokens = min(float64(t.p.WritesPerMinute), t.g.tokens+el*perSec)
		t.g.filled = now
	}
	t.g.tokens--
	lack := -t.g.tokens
	t.g.mu.Unlock()
	if lack <= 0 {
		return nil
	}
	d := time.Duration(lack / perSec * float64(time.Second))
	if d > t.p.MaxRateWait {
		t.g.mu.Lock()
		t.g.tokens++
		t.g.mu.Unlock()
		return RateLimited{Until: now.Add(d)}
	}
	if err := t.p.Sleep(ctx, d); err != nil {
		return fmt.Errorf("wait for the write budget: %w", err)
	}
	return nil
}

// isWrite reports a content-creating method.
func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}
