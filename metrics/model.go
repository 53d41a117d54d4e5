package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/openai/openai-go"

	"github.com/lifeos/lifeos/agent"
)

// model is an agent.Model whose calls are timed and whose failures are
// counted.
type model struct {
	next agent.Model
	m    *Metrics
	now  func() time.Time
}

// Model wraps next so each call's latency and failure are recorded.
func (m *Metrics) Model(next agent.Model) agent.Model {
	return &model{next: next, m: m, now: time.Now}
}

// Complete calls the wrapped model and records how it went.
func (w *model) Complete(ctx context.Context, params openai.ChatCompletionNewParams) (*openai.ChatCompletion, error) {
	start := w.now()
	resp, err := w.next.Complete(ctx, params)
	outcome := "ok"
	if err != nil {
		outcome = "error"
		kind := "error"
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			kind = "timeout"
		case errors.Is(err, context.Canceled):
			kind = "canceled"
		}
		w.m.modelErrors.WithLabelValues(kind).Inc()
		// A run stopped by a person says nothing about the endpoint.
		if kind != "canceled" {
			w.m.modelFailing.Store(true)
		}
	} else {
		w.m.modelFailing.Store(false)
	}
	w.m.modelLatency.WithLabelValues(outcome).Observe(w.now().Sub(start).Seconds())
	return resp, err
}
