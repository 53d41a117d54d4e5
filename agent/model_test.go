package agent

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/openai/openai-go/option"

	"github.com/lifeos/lifeos/modelfake"
)

// fakeSleeper records the waits asked of it instead of waiting.
type fakeSleeper struct{ waits []time.Duration }

func (s *fakeSleeper) sleep(_ context.Context, d time.Duration) error {
	s.waits = append(s.waits, d)
	return nil
}

// retryingHarness is a harness whose model retries twice, sleeping on s,
// with no jitter and a clock fixed at now.
func retryingHarness(t *testing.T, now time.Time, opts ...option.RequestOption) (*harness, *fakeSleeper) {
	t.Helper()
	h := newHarness(t)
	s := &fakeSleeper{}
	m := NewOpenAIModel(h.srv.URL(), "sk-test", opts...)
	m.Retry.Sleep = s.sleep
	m.Retry.Jitter = func(time.Duration) time.Duration { return 0 }
	m.Retry.Now = func() time.Time { return now }
	h.agent.Model = m
	return h, s
}

func TestModelRetries(t *testing.T) {
	const truncated = `{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"mess`
	tests := []struct {
		name      string
		replies   []modelfake.Reply
		wantWaits []time.Duration
	}{
		{"429 honours Retry-After in seconds",
			[]modelfake.Reply{{Status: 429, Content: "slow down", Header: http.Header{"Retry-After": {"3"}}}},
			[]time.Duration{3 * time.Second}},
		{"429 honours retry-after-ms",
			[]modelfake.Reply{{Status: 429, RetryAfter: 1500 * time.Millisecond}},
			[]time.Duration{1500 * time.Millisecond}},
		{"500 twice backs off and doubles",
			[]modelfake.Reply{{Status: 500}, {Status: 503}},
			[]time.Duration{DefaultRetryBase, 2 * DefaultRetryBase}},
		{"408 backs off",
			[]modelfake.Reply{{Status: 408}},
			[]time.Duration{DefaultRetryBase}},
		{"409 backs off",
			[]modelfake.Reply{{Status: 409}},
			[]time.Duration{DefaultRetryBase}},
		{"connection dropped without an answer",
			[]modelfake.Reply{{Drop: true}},
			[]time.Duration{DefaultRetryBase}},
		{"truncated body",
			[]modelfake.Reply{{Body: truncated}},
			[]time.Duration{DefaultRetryBase}},
		{"body not JSON",
			[]modelfake.Reply{{Body: "<html>upstream error</html>"}},
			[]time.Duration{DefaultRetryBase}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, s := retryingHarness(t, time.Now())
			res, _, err := h.run(t, nil, append(tt.replies, modelfake.Finish("ok"))...)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Turns != 1 || len(h.srv.Requests()) != len(tt.replies)+1 {
				t.Errorf("turns %d requests %d; want 1 turn over %d requests", res.Turns, len(h.srv.Requests()), len(tt.replies)+1)
			}
			if !equalDurations(s.waits, tt.wantWaits) {
				t.Errorf("waits = %v, want %v", s.waits, tt.wantWaits)
			}
		})
	}
}

func TestModelRetriesTimedOutAttempt(t *testing.T) {
	h, s := retryingHarness(t, time.Now(), option.WithRequestTimeout(50*time.Millisecond))
	res, _, err := h.run(t, nil, modelfake.Reply{Delay: time.Minute}, modelfake.Finish("ok"))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Turns != 1 || len(s.waits) != 1 {
		t.Errorf("turns %d waits %v; want one retry", res.Turns, s.waits)
	}
}

func TestModelRetriesBounded(t *testing.T) {
	tests := []struct {
		name     string
		replies  []modelfake.Reply
		wantReqs int
		status   int
	}{
		{"500 past the retries", []modelfake.Reply{{Status: 500}, {Status: 500}, {Status: 500}, modelfake.Finish("late")}, 3, 500},
		{"400 is not retried", []modelfake.Reply{{Status: 400, Content: "bad"}, modelfake.Finish("late")}, 1, 400},
		{"401 is not retried", []modelfake.Reply{{Status: 401}, modelfake.Finish("late")}, 1, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := retryingHarness(t, time.Now())
			_, _, err := h.run(t, nil, tt.replies...)
			if !errors.Is(err, ErrModel) || ModelStatus(err) != tt.status {
				t.Fatalf("err = %v (status %d), want ErrModel with %d", err, ModelStatus(err), tt.status)
			}
			if n := len(h.srv.Requests()); n != tt.wantReqs {
				t.Errorf("requests = %d, want %d", n, tt.wantReqs)
			}
		})
	}
}

func TestModelLongRetryAfterPostpones(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"seconds", http.Header{"Retry-After": {"600"}}, 10 * time.Minute},
		{"HTTP date", http.Header{"Retry-After": {now.Add(time.Hour).Format(http.TimeFormat)}}, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, s := retryingHarness(t, now)
			res, _, err := h.run(t, nil, modelfake.Reply{Status: 429, Header: tt.header}, modelfake.Finish("ok"))
			var pe *PostponeError
			if !errors.Is(err, ErrModel) || !errors.As(err, &pe) {
				t.Fatalf("err = %v, want ErrModel with a *PostponeError", err)
			}
			if pe.Wait != tt.want || !pe.Until.Equal(now.Add(tt.want)) || pe.Status != 429 {
				t.Errorf("postpone = %+v, want %s until %s", pe, tt.want, now.Add(tt.want))
			}
			if res.Stop != StopModelError || len(s.waits) != 0 || len(h.srv.Requests()) != 1 {
				t.Errorf("stop %q waits %v requests %d; want no wait and one request", res.Stop, s.waits, len(h.srv.Requests()))
			}
		})
	}
}

func TestBackoffCappedAndJittered(t *testing.T) {
	r := Retry{Base: time.Second, Cap: 4 * time.Second, Jitter: func(d time.Duration) time.Duration { return d - 1 }}
	want := []time.Duration{500*time.Millisecond + 1, time.Second + 1, 2*time.Second + 1, 2*time.Second + 1}
	for i, w := range want {
		if got := r.backoff(i); got != w {
			t.Errorf("backoff(%d) = %s, want %s", i, got, w)
		}
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
