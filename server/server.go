package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/metrics"
	"github.com/lifeos/lifeos/queue"
	"github.com/lifeos/lifeos/runner"
	"github.com/lifeos/lifeos/store"
	"github.com/lifeos/lifeos/web"
	"github.com/lifeos/lifeos/webhook"
	"github.com/lifeos/lifeos/workspace"
)

// MaxWebhookBytes is GitHub's cap on a webhook payload: 25 MB.
const MaxWebhookBytes = 25 << 20

// ShutdownGrace is how long running work may take to reach a safe point
// after SIGTERM before it is cancelled (Fly gives a machine a few minutes).
const ShutdownGrace = 90 * time.Second

// Options are the parts of the wiring tests and benchmarks adjust.
type Options struct {
	// QueuePoll is how often idle workers look for jobs (River's default if 0).
	QueuePoll time.Duration
	// ShutdownGrace overrides ShutdownGrace when positive.
	ShutdownGrace time.Duration
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// RetryPolicy spaces a failed job's attempts (River's default if nil);
	// tests make retries immediate.
	RetryPolicy river.ClientRetryPolicy
	// WebhookReadBytes bounds the webhook bodies read at once, in bytes
	// (DefaultWebhookReadBytes if 0; never below MaxWebhookBytes).
	WebhookReadBytes int64
	// GitHubFaults is how GitHub's faults and rate limits are met (the
	// defaults if zero); tests inject its sleep.
	GitHubFaults gh.FaultPolicy
	// Leases are how often a worker renews its job's lease and polls for
	// stops, and how long a lease lasts (runner's defaults for zero
	// fields); tests shorten them to show a crash taken over quickly.
	Leases runner.LeaseTimes
	// SweepInterval is how often the leader hands back the jobs of dead
	// processes and ends orphaned runs (runner.DefaultSweepInterval if 0).
	SweepInterval time.Duration
	// ProgressInterval is the least time between two edits of a run's
	// progress comment (runner.DefaultProgressInterval if 0); tests
	// shorten it to watch every state, or count the edits.
	ProgressInterval time.Duration
	// TickInterval is how often the leader fires due schedules
	// (runner.DefaultTickInterval if 0); tests shorten it.
	TickInterval time.Duration
}

// Server is LifeOS: the HTTP front and the workers behind it.
type Server struct {
	cfg    *config.Config
	opts   Options
	log    zerolog.Logger
	db     *store.DB
	store  *store.Store
	queue  *queue.Queue
	router http.Handler
	// metrics is the server's registry and the signals health reports.
	metrics *metrics.Metrics
	// jobs reads River's table for the queue metrics and health.
	jobs metrics.Queue
	// draining is set once shutdown has begun.
	draining atomic.Bool
	// checks are the start-up checks' failures.
	checks *startupChecks
}

// New opens and migrates the database and builds every dependency once.
func New(ctx context.Context, cfg *config.Config, log zerolog.Logger, opts Options) (*Server, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	st := store.New(db, opts.Now)
	if n, err := workspace.Sweep(cfg.SnapshotDir()); err != nil {
		log.Warn().Err(err).Msg("Could not delete every snapshot crashed runs left")
	} else if n > 0 {
		log.Info().Int("files", n).Msg("Deleted the snapshots of runs that crashed")
	}
	m, jobsTable := metrics.New(), metrics.Queue{DB: db.DB, Postgres: db.Dialect == store.Postgres}
	if err := m.Register(jobsTable); err != nil {
		db.Close()
		return nil, fmt.Errorf("register the queue metrics: %w", err)
	}

	clients, err := gh.NewClients(gh.Config{
		V3APIURL: cfg.V3APIURL, V4APIURL: cfg.V4APIURL, IntegrationID: cfg.IntegrationID,
		PrivateKey: cfg.PrivateKey, WebhookSecret: cfg.WebhookSecret, UserAgent: "lifeos/" + cfg.Version,
		Faults:  opts.GitHubFaults,
		Observe: m.GitHubMiddleware(),
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	checks := &startupChecks{}
	app, err := startIdentity(ctx, cfg, clients, checks, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	logSettings(log, cfg, app)
	checkModel(ctx, cfg, checks, log)

	run := newRunner(cfg, opts, st, clients, app, log)
	run.Model, run.Metrics = m.Model(run.Model), m
	triage := webhook.Config{AppSlug: app.Slug, TriggerLabel: cfg.TriggerLabel}
	workers := river.NewWorkers()
	run.Register(workers)
	// Jobs queued by a version before typed jobs are triaged again.
	legacy := &webhook.LegacyWorker{Config: triage}
	river.AddWorker(workers, legacy)
	q, err := queue.New(ctx, db, workers, queue.Config{Workers: cfg.Workers, PollInterval: opts.QueuePoll,
		PeriodicJobs: run.PeriodicJobs(opts.SweepInterval, opts.TickInterval), RetryPolicy: opts.RetryPolicy, Log: log})
	if err != nil {
		db.Close()
		return nil, err
	}
	run.Waker, run.Queue, legacy.Queue = q, q, q

	// The gate in front of the dispatcher checks the signature, once,
	// before the body is decoded.
	hook := newWebhookHook(cfg.WebhookSecret, MaxWebhookBytes, opts.webhookReadBytes(),
		webhook.All(webhook.Intake{Queue: q, Config: triage, Now: opts.Now, Metrics: m}))

	s := &Server{cfg: cfg, opts: opts, log: log, db: db, store: st, queue: q, metrics: m, jobs: jobsTable, checks: checks}
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.With(s.withLogger, s.countRefused).Post("/api/github/hook", hook.ServeHTTP)
	r.Get("/api/health", s.health)
	r.Method(http.MethodGet, "/metrics", m.Handler())
	pages, err := newPages(cfg, opts, st, log)
	if err != nil {
		q.Close()
		db.Close()
		return nil, err
	}
	for _, p := range web.Patterns {
		r.Handle(p, pages)
	}
	s.router = r
	return s, nil
}

// drain lets running work reach a safe point within the grace period while
// deliveries are still taken and queued for the next process: the listener
// closes last, so nothing GitHub sends during a deploy is refused (GitHub
// does not redeliver by itself). The health check answers 503 meanwhile,
// so a load balancer sends new traffic to another replica.
func (s *Server) drain() {
	s.draining.Store(true)
	grace := ShutdownGrace
	if s.opts.ShutdownGrace > 0 {
		grace = s.opts.ShutdownGrace
	}
	s.log.Info().Dur("grace", grace).Msg("Draining: still taking deliveries while running work reaches a safe point")
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := s.queue.StopWorkers(ctx); err != nil {
		s.log.Error().Err(err).Msg("Queue shutdown")
	}
}

// Handler is the server's HTTP routes.
func (s *Server) Handler() http.Handler { return s.router }

// Store is the server's store, for tests and commands that read runs.
func (s *Server) Store() *store.Store { return s.store }

// Serve starts the workers and serves HTTP on ln until ctx is done, then
// shuts down in order: stop taking deliveries, let running work reach a safe
// point (or cancel it after the grace period), close the database.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	// Workers outlive ctx: on shutdown they get the grace period below to
	// reach a safe point, rather than being cancelled with the listener.
	if err := s.queue.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s.router,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info().Str("addr", ln.Addr().String()).Str("version", s.cfg.Version).Str("database", string(s.db.Dialect)).Msg("LifeOS is serving")

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	s.drain()
	s.log.Info().Msg("Shutting down: no new deliveries")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		s.log.Error().Err(err).Msg("HTTP shutdown")
	}
	s.queue.Close()
	if err := s.db.Close(); err != nil {
		s.log.Error().Err(err).Msg("Close database")
	}
	s.log.Info().Msg("Stopped")
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// withLogger puts the server's logger in the request context, where
// go-githubapp's dispatcher adds the event and delivery keys.
func (s *Server) withLogger(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(s.log.WithContext(r.Context())))
	})
}

// countRefused counts the deliveries the gate or the dispatcher refused
// (any answer of 400 or more); the handlers count the rest.
func (s *Server) countRefused(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		if ww.Status() >= http.StatusBadRequest {
			s.metrics.Delivery(eventLabel(r.Header.Get("X-GitHub-Event")), "refused")
		}
	})
}

// eventLabel bounds the event label of a refused delivery to the events
// LifeOS takes, so a sender cannot grow the metric's series at will.
func eventLabel(event string) string {
	for _, e := range webhook.Events() {
		if e == event {
			return e
		}
	}
	return "other"
}

// webhookReadBytes is the read budget of the webhook gate.
func (o Options) webhookReadBytes() int64 {
	if o.WebhookReadBytes > 0 {
		return o.WebhookReadBytes
	}
	return DefaultWebhookReadBytes
}

// newRunner builds the workflows over their real ports.
func newRunner(cfg *config.Config, opts Options, st *store.Store, clients *gh.Clients, app gh.Identity, log zerolog.Logger) *runner.Runner {
	return &runner.Runner{
		GitHub: func(r jobs.Repo) (runner.GitHub, error) {
			repo, err := clients.Repo(r, app.Slug)
			if err != nil {
				return nil, err
			}
			return repo, nil
		},
		Store:               st,
		Model:               agent.NewOpenAIModel(cfg.OpenAIBaseURL, cfg.OpenAIAPIKey),
		ModelName:           cfg.Model,
		OwnSecrets:          LogSecrets(cfg),
		Limits:              agent.Limits{MaxTurns: cfg.MaxTurns, MaxTokens: cfg.MaxTokens},
		DeleteBranches:      cfg.DeleteBranches,
		MaxCIFixes:          cfg.MaxCIFixes,
		MaxRepoBytes:        cfg.MaxRepoBytes,
		SnapshotDir:         cfg.SnapshotDir(),
		AppSlug:             app.Slug,
		Ceilings:            cfg.Ceilings,
		Prices:              cfg.Prices,
		Leases:              st,
		ScheduleMinInterval: cfg.ScheduleMinInterval,
		LeaseTimes:          opts.Leases,
		Now:                 opts.Now,
		Log:                 log,

		ProgressInterval: opts.ProgressInterval,
		PublicURL:        publicURL(cfg),
	}
}

// newPages builds the run pages over the store and GitHub's OAuth.
func newPages(cfg *config.Config, opts Options, st *store.Store, log zerolog.Logger) (*web.Handler, error) {
	api := cfg.V3APIURL
	if !strings.HasSuffix(api, "/") {
		api += "/"
	}
	return web.New(web.Config{
		Store: st, ClientID: cfg.Web.ClientID, ClientSecret: cfg.Web.ClientSecret, SessionKey: cfg.Web.SessionKey,
		AdminToken: cfg.Web.AdminToken, PublicURL: cfg.Web.PublicURL, WebURL: web.WebURLOf(api), APIURL: api,
		HTTPClient: &http.Client{Timeout: 15 * time.Second}, Now: opts.Now, Log: log,
	})
}

// publicURL is the server's public address as runs link their pages
// ("" when none is set).
func publicURL(cfg *config.Config) string {
	if cfg.Web.PublicURL == nil {
		return ""
	}
	return cfg.Web.PublicURL.String()
}
