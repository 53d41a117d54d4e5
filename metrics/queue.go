package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// scrapeTimeout bounds the queue queries of one scrape.
const scrapeTimeout = 2 * time.Second

// queueStates are the River job states counted as the queue's depth.
var queueStates = []string{"available", "scheduled", "retryable", "running"}

// Queue reads River's river_job table through the store's database.
type Queue struct {
	DB *sql.DB
	// Postgres selects PostgreSQL's date arithmetic; SQLite's otherwise.
	Postgres bool
}

// Depth counts the jobs in each of queueStates.
func (q Queue) Depth(ctx context.Context) (map[string]int64, error) {
	rows, err := q.DB.QueryContext(ctx, `SELECT state, COUNT(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running') GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("count queued jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for _, s := range queueStates {
		out[s] = 0
	}
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("read queued jobs: %w", err)
		}
		out[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read queued jobs: %w", err)
	}
	return out, nil
}

// OldestAge is how long the longest-waiting due job (available) has been
// due; zero when none waits.
func (q Queue) OldestAge(ctx context.Context) (time.Duration, error) {
	query := `SELECT (julianday('now') - julianday(MIN(scheduled_at))) * 86400.0 FROM river_job WHERE state = 'available'`
	if q.Postgres {
		query = `SELECT EXTRACT(EPOCH FROM now() - MIN(scheduled_at))::float8 FROM river_job WHERE state = 'available'`
	}
	var secs sql.NullFloat64
	if err := q.DB.QueryRowContext(ctx, query).Scan(&secs); err != nil {
		return 0, fmt.Errorf("age of the oldest queued job: %w", err)
	}
	if !secs.Valid || secs.Float64 < 0 {
		return 0, nil
	}
	return time.Duration(secs.Float64 * float64(time.Second)), nil
}

// FailedSince counts the jobs River gave up on (discarded) in the last
// window.
func (q Queue) FailedSince(ctx context.Context, window time.Duration) (int64, error) {
	query := `SELECT COUNT(*) FROM river_job WHERE state = 'discarded'
		AND julianday(finalized_at) > julianday('now') - ? / 86400.0`
	if q.Postgres {
		query = `SELECT COUNT(*) FROM river_job WHERE state = 'discarded'
		AND finalized_at > now() - make_interval(secs => $1)`
	}
	var n int64
	if err := q.DB.QueryRowContext(ctx, query, window.Seconds()).Scan(&n); err != nil {
		return 0, fmt.Errorf("count failed jobs: %w", err)
	}
	return n, nil
}

var (
	queueDepthDesc = prometheus.NewDesc(Namespace+"_queue_jobs", "River jobs by state (available, scheduled, retryable, running).",
		[]string{"state"}, nil)
	queueAgeDesc = prometheus.NewDesc(Namespace+"_queue_oldest_job_age_seconds",
		"How long the longest-waiting due job has waited for a worker (0 when none waits).", nil, nil)
)

// Describe sends the queue metrics' descriptions.
func (q Queue) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepthDesc
	ch <- queueAgeDesc
}

// Collect queries the queue; a failed query is reported as an invalid
// metric, so the scrape shows the error rather than a stale number.
func (q Queue) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	depth, err := q.Depth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDepthDesc, err)
	}
	for state, n := range depth {
		ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(n), state)
	}
	age, err := q.OldestAge(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueAgeDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueAgeDesc, prometheus.GaugeValue, age.Seconds())
}
