// Package metrics is LifeOS's Prometheus metrics: one registry made by the
// server, the counters the webhook intake and the workflows move through
// small interfaces declared where they are used, a model wrapper timing
// each call, a GitHub round tripper counting responses, and a collector
// reading River's queue on scrape. It also keeps the few recent signals
// the health check reports (a GitHub 401, a failing model endpoint).
package metrics

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every LifeOS metric.
const Namespace = "lifeos"

// runBuckets are the run duration histogram's bounds, in seconds: a run
// takes from seconds (a refusal) to DefaultRunTimeout (30 minutes).
var runBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800}

// modelBuckets are the model call latency histogram's bounds, in seconds.
var modelBuckets = []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120}

// Metrics holds LifeOS's metrics in a registry of its own.
type Metrics struct {
	reg          *prometheus.Registry
	deliveries   *prometheus.CounterVec
	runs         *prometheus.CounterVec
	runDuration  *prometheus.HistogramVec
	tokens       *prometheus.CounterVec
	cost         *prometheus.CounterVec
	modelLatency *prometheus.HistogramVec
	modelErrors  *prometheus.CounterVec
	ghRequests   *prometheus.CounterVec
	ghRemaining  prometheus.Gauge

	// ghRejected is set by a GitHub 401 and cleared by the next success.
	ghRejected atomic.Bool
	// modelFailing is set by a failed model call and cleared by the next
	// success.
	modelFailing atomic.Bool
}

// New makes the metrics and registers them, with Go's runtime and process
// collectors, in a new registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		deliveries: counter("webhook_deliveries_total",
			"Webhook deliveries by event and outcome (queued, ignored, refused).", "event", "outcome"),
		runs: counter("runs_total", "Finished runs by trigger and outcome (the run's final status).", "trigger", "outcome"),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "run_duration_seconds",
			Help: "How long a run took from its start to its outcome, by trigger.", Buckets: runBuckets}, []string{"trigger"}),
		tokens: counter("model_tokens_total", "Model tokens used by repository, model and kind (prompt, completion).",
			"repo", "model", "kind"),
		cost: counter("model_cost_dollars_total", "Model spending in US dollars by repository and model.", "repo", "model"),
		modelLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "model_call_duration_seconds",
			Help: "Model call latency by outcome (ok, error).", Buckets: modelBuckets}, []string{"outcome"}),
		modelErrors: counter("model_call_errors_total", "Failed model calls by kind (timeout, canceled, error).", "kind"),
		ghRequests:  counter("github_requests_total", "GitHub API responses by HTTP status (\"error\" when none came).", "status"),
		ghRemaining: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: "github_rate_limit_remaining",
			Help: "The x-ratelimit-remaining of the latest GitHub API response."}),
	}
	m.reg.MustRegister(m.deliveries, m.runs, m.runDuration, m.tokens, m.cost, m.modelLatency, m.modelErrors,
		m.ghRequests, m.ghRemaining,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// counter makes a counter vector in the LifeOS namespace.
func counter(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
}

// Register adds a collector (such as the queue's) to the registry.
func (m *Metrics) Register(c prometheus.Collector) error {
	return m.reg.Register(c)
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Delivery counts one webhook delivery's outcome.
func (m *Metrics) Delivery(event, outcome string) {
	m.deliveries.WithLabelValues(event, outcome).Inc()
}

// RunEnded counts a finished run and observes how long it took.
func (m *Metrics) RunEnded(trigger, outcome string, took time.Duration) {
	m.runs.WithLabelValues(trigger, outcome).Inc()
	m.runDuration.WithLabelValues(trigger).Observe(took.Seconds())
}

// ModelUsage counts one model call's tokens and cost (in micro-dollars,
// policy.Money's unit).
func (m *Metrics) ModelUsage(repo, model string, promptTokens, completionTokens, costMicros int64) {
	m.tokens.WithLabelValues(repo, model, "prompt").Add(float64(promptTokens))
	m.tokens.WithLabelValues(repo, model, "completion").Add(float64(completionTokens))
	m.cost.WithLabelValues(repo, model).Add(float64(costMicros) / 1e6)
}

// GitHubRejected reports whether the latest GitHub answer to a
// credential was 401 (no success since).
func (m *Metrics) GitHubRejected() bool { return m.ghRejected.Load() }

// ModelFailing reports whether the latest model call failed.
func (m *Metrics) ModelFailing() bool { return m.modelFailing.Load() }
