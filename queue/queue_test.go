package queue

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/internal/testdb"
	"github.com/lifeos/lifeos/store"
)

type recordingWorker struct {
	river.WorkerDefaults[EventArgs]
	mu   sync.Mutex
	seen map[string]int
}

func (w *recordingWorker) Work(ctx context.Context, job *river.Job[EventArgs]) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen[job.Args.DeliveryID]++
	return nil
}

func (w *recordingWorker) count() (deliveries, runs int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range w.seen {
		deliveries++
		runs += n
	}
	return
}

func testDBs(t *testing.T) map[string]*store.DB {
	ctx := context.Background()
	out := map[string]*store.DB{}
	db, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	out["sqlite"] = db
	if url := testdb.PostgresURL(t, "lifeos_queue_test"); url != "" {
		pg, err := store.Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		out["postgres"] = pg
	}
	return out
}

func TestEnqueueDedupesAndWorks(t *testing.T) {
	for name, db := range testDBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := &recordingWorker{seen: map[string]int{}}
			workers := river.NewWorkers()
			river.AddWorker(workers, w)
			q, err := New(ctx, db, workers, Config{PollInterval: 20 * time.Millisecond, Log: zerolog.Nop()})
			if err != nil {
				t.Fatal(err)
			}

			// Concurrent deliveries, each sent twice at once (a redelivery
			// racing its original): every one is queued exactly once.
			const n = 100
			var wg sync.WaitGroup
			var mu sync.Mutex
			inserted := 0
			for i := 0; i < n; i++ {
				for copy := 0; copy < 2; copy++ {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						ok, err := q.Enqueue(ctx, EventArgs{Event: "issues", DeliveryID: fmt.Sprintf("d-%d", i), Repo: "o/r", Issue: i})
						if err != nil {
							t.Error(err)
						}
						if ok {
							mu.Lock()
							inserted++
							mu.Unlock()
						}
					}(i)
				}
			}
			wg.Wait()
			if inserted != n {
				t.Fatalf("inserted %d jobs, want %d", inserted, n)
			}
			// A later redelivery is a duplicate too.
			if ok, err := q.Enqueue(ctx, EventArgs{Event: "issues", DeliveryID: "d-7", Repo: "o/r", Issue: 7}); err != nil || ok {
				t.Fatalf("redelivery: inserted=%v err=%v", ok, err)
			}

			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				d, runs := w.count()
				if d == n {
					if runs != n {
						t.Fatalf("worked %d runs for %d deliveries", runs, d)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("worked %d of %d deliveries", d, n)
				}
				time.Sleep(20 * time.Millisecond)
			}
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := q.Stop(stopCtx); err != nil {
				t.Fatal(err)
			}
			if _, err := q.Enqueue(ctx, EventArgs{DeliveryID: "late"}); err != ErrStopped {
				t.Fatalf("enqueue after stop: %v, want ErrStopped", err)
			}
		})
	}
}
