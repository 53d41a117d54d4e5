package runner

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/internal/testdb"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/queue"
	"github.com/lifeos/lifeos/store"
)

// fakeQueue keeps the jobs it is given.
type fakeQueue struct {
	mu   sync.Mutex
	jobs []queue.Args
}

func (q *fakeQueue) Enqueue(_ context.Context, args queue.Args) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, args)
	return true, nil
}

func (q *fakeQueue) fires() []jobs.Fire {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []jobs.Fire
	for _, j := range q.jobs {
		if f, ok := j.(jobs.Fire); ok {
			out = append(out, f)
		}
	}
	return out
}

const nightlyPolicy = "schedules:\n  - name: nightly-docs\n    cron: \"0 3 * * *\"\n    recipe: doc-hygiene\n"

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(s string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// scheduleHarness is the harness with a settable clock and a fake queue.
func scheduleHarness(t *testing.T) (*harness, *clock, *fakeQueue) {
	h := newHarness(t)
	c := &clock{}
	c.set("2026-01-01T00:00:00Z")
	q := &fakeQueue{}
	h.runner.Now, h.runner.Queue = c.Now, q
	return h, c, q
}

func (h *harness) reload() {
	h.t.Helper()
	if err := h.runner.reload(h.ctx, 0, jobs.NewReload(h.delivery("push"), []jobs.Repo{testRepo})); err != nil {
		h.t.Fatalf("reload: %v", err)
	}
}

func (h *harness) tick(c *clock, at string) int {
	h.t.Helper()
	c.set(at)
	n, err := h.runner.Tick(h.ctx)
	if err != nil {
		h.t.Fatalf("tick at %s: %v", at, err)
	}
	return n
}

func TestScheduleFiresOncePerTick(t *testing.T) {
	h, c, q := scheduleHarness(t)
	h.setPolicy(nightlyPolicy)
	h.reload()
	for _, tc := range []struct {
		at   string
		want int
	}{
		{"2026-01-01T02:59:00Z", 0},
		{"2026-01-01T03:00:00Z", 1},
		{"2026-01-01T03:00:00Z", 0}, // the same tick again (a second leader, a retried job)
		{"2026-01-01T03:01:00Z", 0},
		{"2026-01-01T12:00:00Z", 0},
		{"2026-01-02T03:00:30Z", 1},
		{"2026-01-02T03:01:00Z", 0},
	} {
		if got := h.tick(c, tc.at); got != tc.want {
			t.Errorf("tick at %s fired %d, want %d", tc.at, got, tc.want)
		}
	}
	fires := q.fires()
	if len(fires) != 2 || fires[0].Name != "nightly-docs" || fires[0].Tick.Format(time.RFC3339) != "2026-01-01T03:00:00Z" ||
		fires[1].Tick.Format(time.RFC3339) != "2026-01-02T03:00:00Z" || fires[0].DeliveryID == fires[1].DeliveryID {
		t.Fatalf("fires = %+v", fires)
	}
}

func TestPolicyChangeReschedulesAndRemovalStops(t *testing.T) {
	h, c, q := scheduleHarness(t)
	h.setPolicy(nightlyPolicy)
	h.reload()
	h.setPolicy(strings.Replace(nightlyPolicy, "0 3 * * *", "0 5 * * *", 1))
	h.reload()
	if n := h.tick(c, "2026-01-01T03:00:00Z"); n != 0 {
		t.Errorf("the old cron fired %d", n)
	}
	if n := h.tick(c, "2026-01-01T05:00:00Z"); n != 1 {
		t.Errorf("the new cron fired %d, want 1", n)
	}
	queued := q.fires()[0]
	h.setPolicy("autonomy: 1\n")
	h.reload()
	if n := h.tick(c, "2026-01-02T05:00:00Z"); n != 0 {
		t.Errorf("a removed schedule fired %d", n)
	}
	// A firing queued before the removal does nothing.
	if err := h.runner.fire(h.ctx, 99, queued); err != nil {
		t.Fatal(err)
	}
	if runs, _ := h.store.IssueRuns(h.ctx, testRepo.FullName(), queued.RunSubject); len(runs) != 0 || len(h.model.got) != 0 {
		t.Errorf("a removed schedule ran: %d runs, %d model calls", len(runs), len(h.model.got))
	}
}

func TestBrokenPolicyStopsSchedules(t *testing.T) {
	h, c, _ := scheduleHarness(t)
	h.setPolicy(nightlyPolicy)
	h.reload()
	h.setPolicy(strings.Replace(nightlyPolicy, "doc-hygiene", "doc-hygeine", 1))
	h.reload()
	if n := h.tick(c, "2026-01-01T03:00:00Z"); n != 0 {
		t.Errorf("a schedule with an unknown recipe fired %d", n)
	}
}

func TestScheduleMinInterval(t *testing.T) {
	h, c, _ := scheduleHarness(t)
	h.setPolicy("schedules:\n  - name: often\n    cron: \"*/5 * * * *\"\n    task: tidy up\n")
	h.reload()
	fired := 0
	for m := 0; m <= 120; m += 5 {
		fired += h.tick(c, time.Date(2026, 1, 1, 10, m%60, 0, 0, time.UTC).Add(time.Duration(m/60)*time.Hour).Format(time.RFC3339))
	}
	if fired != 3 { // 10:00, 11:00 and 12:00 under the default cap of an hour
		t.Errorf("fired %d times in two hours, want 3", fired)
	}
}

// Two replicas, each a leader with its own store on one PostgreSQL
// database, tick at the same moment: each tick fires once.
func TestScheduleFiresOnceAcrossReplicas(t *testing.T) {
	url := testdb.PostgresURL(t, "lifeos_runner_schedules")
	if url == "" {
		t.Skip("LIFEOS_TEST_DATABASE_URL is not set")
	}
	h, c, _ := scheduleHarness(t)
	h.setPolicy(nightlyPolicy)
	var replicas []*Runner
	var queues []*fakeQueue
	for range 2 {
		db, err := store.Open(h.ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		q := &fakeQueue{}
		r := &Runner{GitHub: h.runner.GitHub, Store: store.New(db, c.Now), Queue: q, Ceilings: h.runner.Ceilings,
			AppSlug: testAppSlug, Now: c.Now, Log: zerolog.New(zerolog.NewTestWriter(t))}
		replicas, queues = append(replicas, r), append(queues, q)
	}
	if err := replicas[0].reload(h.ctx, 0, jobs.NewReload(h.delivery("push"), []jobs.Repo{testRepo})); err != nil {
		t.Fatal(err)
	}
	for day := 1; day <= 10; day++ {
		c.set(time.Date(2026, 1, day, 3, 0, 0, 0, time.UTC).Format(time.RFC3339))
		// Both leaders list the due schedule before either fires it: the
		// race that only the claim of the tick settles.
		var due [][]store.Schedule
		for _, r := range replicas {
			d, err := r.Store.DueSchedules(h.ctx, c.Now())
			if err != nil || len(d) != 1 {
				t.Fatalf("day %d: due = %v, %v", day, d, err)
			}
			due = append(due, d)
		}
		var wg sync.WaitGroup
		for i, r := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := r.fireOnce(h.ctx, due[i][0], c.Now()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := len(queues[0].fires()) + len(queues[1].fires()); n != day {
			t.Fatalf("day %d: %d firings queued in all, want %d", day, n, day)
		}
	}
}
