package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// GitHub's answers are counted by status, the rate limit left is kept,
// and a 401 marks the credentials rejected until the next success.
func TestGitHubMiddleware(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Remaining", "4321")
		w.WriteHeader(status)
	}))
	defer srv.Close()
	m := New()
	client := &http.Client{Transport: m.GitHubMiddleware()(http.DefaultTransport)}
	get := func(code int) {
		t.Helper()
		status = code
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get(http.StatusOK)
	if m.GitHubRejected() {
		t.Error("rejected after a 200")
	}
	get(http.StatusUnauthorized)
	if !m.GitHubRejected() {
		t.Error("not rejected after a 401")
	}
	get(http.StatusNotFound)
	if !m.GitHubRejected() {
		t.Error("a 404 cleared the 401")
	}
	get(http.StatusOK)
	if m.GitHubRejected() {
		t.Error("still rejected after a 200")
	}
	if got := testutil.ToFloat64(m.ghRequests.WithLabelValues("200")); got != 2 {
		t.Errorf("200s = %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.ghRequests.WithLabelValues("401")); got != 1 {
		t.Errorf("401s = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.ghRemaining); got != 4321 {
		t.Errorf("rate limit remaining = %v, want 4321", got)
	}
}

// scripted is a model answering with err, or with an empty completion.
type scripted struct{ err error }

func (s *scripted) Complete(context.Context, openai.ChatCompletionNewParams) (*openai.ChatCompletion, error) {
	return &openai.ChatCompletion{}, s.err
}

// A failed model call is counted by kind and marks the model failing until
// a call succeeds; a cancelled call says nothing of the endpoint.
func TestModelWrapper(t *testing.T) {
	m := New()
	next := &scripted{err: errors.New("connection refused")}
	model := m.Model(next)
	call := func() { _, _ = model.Complete(context.Background(), openai.ChatCompletionNewParams{}) }
	call()
	if !m.ModelFailing() {
		t.Error("not failing after an error")
	}
	next.err = nil
	call()
	if m.ModelFailing() {
		t.Error("still failing after a success")
	}
	next.err = context.Canceled
	call()
	if m.ModelFailing() {
		t.Error("a cancelled call marked the model failing")
	}
	if got := testutil.ToFloat64(m.modelErrors.WithLabelValues("error")); got != 1 {
		t.Errorf("errors = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.modelErrors.WithLabelValues("canceled")); got != 1 {
		t.Errorf("cancellations = %v, want 1", got)
	}
}

// Usage adds tokens by kind and cost in dollars; runs are counted by
// trigger and outcome; the handler serves them.
func TestCountersAndHandler(t *testing.T) {
	m := New()
	m.ModelUsage("o/r", "gpt", 100, 20, 1_500_000)
	m.ModelUsage("o/r", "gpt", 1, 2, 500_000)
	m.RunEnded("label", "succeeded", 0)
	m.Delivery("issues", "queued")
	if got := testutil.ToFloat64(m.tokens.WithLabelValues("o/r", "gpt", "prompt")); got != 101 {
		t.Errorf("prompt tokens = %v", got)
	}
	if got := testutil.ToFloat64(m.cost.WithLabelValues("o/r", "gpt")); got != 2 {
		t.Errorf("cost = %v dollars, want 2", got)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{`lifeos_runs_total{outcome="succeeded",trigger="label"} 1`,
		`lifeos_webhook_deliveries_total{event="issues",outcome="queued"} 1`, "go_goroutines"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
