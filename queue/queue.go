// Package queue is LifeOS's durable job queue: River on the same database as
// the store, with a group-commit front door so that webhook intake can queue
// many deliveries per transaction.
package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/store"
)

// DefaultWorkers is how many runs one process works at once. A run is mostly
// waiting on the model; the bound is memory (each holds a repo snapshot).
const DefaultWorkers = 10

// DefaultMaxBatch caps how many deliveries one intake transaction commits.
const DefaultMaxBatch = 256

// Config tunes the queue.
type Config struct {
	Workers int
	// PollInterval is how often an idle worker looks for jobs (River's
	// FetchPollInterval); short in tests.
	PollInterval time.Duration
	// PeriodicJobs run on a schedule on the leader only (the sweep of
	// orphaned runs).
	PeriodicJobs []*river.PeriodicJob
	// RetryPolicy spaces a failed job's attempts (River's default if nil).
	RetryPolicy river.ClientRetryPolicy
	Log         zerolog.Logger
}

// riverClient is what Queue uses of River's client, whatever its driver.
type riverClient interface {
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	JobCancel(ctx context.Context, jobID int64) (*rivertype.JobRow, error)
	JobRetry(ctx context.Context, jobID int64) (*rivertype.JobRow, error)
}

// Queue inserts and works LifeOS's jobs.
type Queue struct {
	client riverClient
	pool   *pgxpool.Pool
	intake *batcher
}

// New migrates River's tables in db and returns a Queue whose workers are
// given by workers. Start must be called to work jobs.
func New(ctx context.Context, db *store.DB, workers *river.Workers, cfg Config) (*Queue, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	rc := &river.Config{
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:      workers,
		PeriodicJobs: cfg.PeriodicJobs,
		RetryPolicy:  cfg.RetryPolicy,
		// A run calls the model for minutes; each worker sets its own
		// timeout, so River's one-minute default must not cut it short.
		JobTimeout:        -1,
		FetchPollInterval: cfg.PollInterval,
		// River speaks slog; its info lines are per-job chatter.
		Logger: slog.New(zerolog.NewSlogHandler(cfg.Log.With().Str("component", "river").Logger().Level(zerolog.WarnLevel))),
	}
	if cfg.PollInterval > 0 && cfg.PollInterval < river.FetchCooldownDefault {
		rc.FetchCooldown = cfg.PollInterval
	}
	q := &Queue{}
	var err error
	switch db.Dialect {
	case store.SQLite:
		// SQLite has no LISTEN/NOTIFY: poll.
		rc.PollOnly = true
		q.client, err = open(ctx, riversqlite.New(db.DB), rc)
	case store.Postgres:
		q.pool, err = pgxpool.New(ctx, db.URL)
		if err != nil {
			return nil, fmt.Errorf("open river pool: %w", err)
		}
		q.client, err = open(ctx, riverpgxv5.New(q.pool), rc)
	default:
		return nil, fmt.Errorf("queue: unknown database dialect %q", db.Dialect)
	}
	if err != nil {
		q.close()
		return nil, err
	}
	q.intake = newBatcher(q.client, DefaultMaxBatch)
	return q, nil
}

func open[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], rc *river.Config) (*river.Client[TTx], error) {
	migrator, err := rivermigrate.New(driver, nil)
	if err != nil {
		return nil, fmt.Errorf("river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("migrate river tables: %w", err)
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return client, nil
}

// Start begins working jobs until Stop.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("start queue: %w", err)
	}
	return nil
}

// StopWorkers waits for running jobs to finish until ctx is done, when it
// cancels them (a cancelled run stops at its next safe point and its job is
// retried at once by the next process to start). Intake stays open: a
// draining server still takes deliveries, which the next process works.
func (q *Queue) StopWorkers(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err == nil {
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stop queue: %w", err)
	}
	cancelCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.client.StopAndCancel(cancelCtx); err != nil {
		return fmt.Errorf("stop queue (cancelling running jobs): %w", err)
	}
	return nil
}

// Close stops intake once the deliveries taken are committed, and releases
// the queue's connections. Call it after StopWorkers and after the HTTP
// server has stopped taking deliveries.
func (q *Queue) Close() {
	q.intake.stop()
	q.close()
}

// Stop stops the workers (as StopWorkers) and then intake (as Close).
func (q *Queue) Stop(ctx context.Context) error {
	defer q.Close()
	return q.StopWorkers(ctx)
}

func (q *Queue) close() {
	if q.pool != nil {
		q.pool.Close()
	}
}

// Args is a job the queue takes from webhook intake: River's job args,
// unique per delivery.
type Args interface {
	river.JobArgs
	river.JobArgsWithInsertOpts
	// DeliveryKey is the X-GitHub-Delivery the job came from.
	DeliveryKey() string
}

// Enqueue durably queues a job. It reports false when the job duplicates one
// already queued (the same delivery).
func (q *Queue) Enqueue(ctx context.Context, args Args) (bool, error) {
	return q.intake.insert(ctx, args)
}

// Cancel cancels a queued or running job.
func (q *Queue) Cancel(ctx context.Context, jobID int64) error {
	if _, err := q.client.JobCancel(ctx, jobID); err != nil {
		return fmt.Errorf("cancel job %d: %w", jobID, err)
	}
	return nil
}

// Wake makes a snoozed job available at once: a command waiting for an
// issue's run starts when that run ends, without polling GitHub. A job that
// is running or already done is left as it is.
func (q *Queue) Wake(ctx context.Context, jobID int64) error {
	if _, err := q.client.JobRetry(ctx, jobID); err != nil && !errors.Is(err, rivertype.ErrNotFound) {
		return fmt.Errorf("wake job %d: %w", jobID, err)
	}
	return nil
}
