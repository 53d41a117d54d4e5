package webhook

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/queue"
)

// fakeQueue is an Enqueuer that keeps what it is given, or fails with err.
type fakeQueue struct {
	jobs []queue.Args
	err  error
}

func (q *fakeQueue) Enqueue(_ context.Context, job queue.Args) (bool, error) {
	if q.err != nil {
		return false, q.err
	}
	q.jobs = append(q.jobs, job)
	return true, nil
}

// handlerFor returns the handler in All that takes event.
func handlerFor(t *testing.T, in Intake, event string) githubapp.EventHandler {
	t.Helper()
	for _, h := range All(in) {
		for _, ev := range h.Handles() {
			if ev == event {
				return h
			}
		}
	}
	t.Fatalf("no handler takes %s", event)
	return nil
}

// logContext returns a context whose logger writes to the returned buffer.
func logContext() (context.Context, *bytes.Buffer) {
	var buf bytes.Buffer
	return zerolog.New(&buf).Level(zerolog.DebugLevel).WithContext(context.Background()), &buf
}

// One delivery that is work queues one typed job, stamped by the Intake's
// clock; a delivery that is not queues nothing.
func TestHandlerQueuesTheTypedJob(t *testing.T) {
	q := &fakeQueue{}
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	h := handlerFor(t, Intake{Queue: q, Config: testConfig(), Now: func() time.Time { return now }}, "issues")
	ctx, logs := logContext()

	ignored := fixture(t, "issues.labeled", edit{"installation.id", 42})
	if err := h.Handle(ctx, "issues", "delivery-0", ignored); err != nil {
		t.Fatalf("ignored delivery: %v", err)
	}
	if len(q.jobs) != 0 {
		t.Fatalf("the `bug` label queued %v", q.jobs)
	}

	work := fixture(t, "issues.labeled", edit{"installation.id", 42}, edit{"label.name", "lifeos:do"})
	if err := h.Handle(ctx, "issues", "delivery-1", work); err != nil {
		t.Fatalf("labelled delivery: %v", err)
	}
	d := jobs.Delivery{ID: "delivery-1", Event: "issues", QueuedAt: now}
	want := jobs.NewRun(d, repo("master"), jobs.Issue{Number: 1, Title: "Spelling error in the README file",
		Body: "It looks like you accidently spelled 'commit' with two 't's.", Author: "Codertocat"}, "lifeos:do", "Codertocat")
	if len(q.jobs) != 1 || !reflect.DeepEqual(q.jobs[0], want) {
		t.Fatalf("queued %#v, want one job %#v", q.jobs, want)
	}
	for _, key := range []string{`"delivery":"delivery-1"`, `"repo":"Codertocat/Hello-World"`, `"issue":1`, `"delivery":"delivery-0"`} {
		if !strings.Contains(logs.String(), key) {
			t.Errorf("logs lack %s:\n%s", key, logs)
		}
	}
}

// A queue that fails fails the delivery (GitHub sees an error and the
// delivery can be redelivered); a payload that is work but not JSON is
// refused as invalid.
func TestHandlerErrors(t *testing.T) {
	ctx := context.Background()
	work := fixture(t, "issues.labeled", edit{"installation.id", 42}, edit{"label.name", "lifeos:do"})
	down := errors.New("database is down")
	h := handlerFor(t, Intake{Queue: &fakeQueue{err: down}, Config: testConfig()}, "issues")
	if err := h.Handle(ctx, "issues", "delivery-1", work); !errors.Is(err, down) {
		t.Errorf("failing queue: got %v, want it wrapped", err)
	}

	q := &fakeQueue{}
	h = handlerFor(t, Intake{Queue: q, Config: testConfig()}, "issues")
	err := h.Handle(ctx, "issues", "delivery-1", append(work[:len(work)-2:len(work)-2], []byte(`,"x":`)...))
	var invalid githubapp.ValidationError
	if !errors.As(err, &invalid) || len(q.jobs) != 0 {
		t.Errorf("broken payload: got %v and %d jobs, want a ValidationError and none", err, len(q.jobs))
	}
}

// Each handler takes one event, and no two take the same.
func TestAllHandlesEachEventOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, h := range All(Intake{}) {
		evs := h.Handles()
		if len(evs) != 1 || seen[evs[0]] {
			t.Errorf("handler takes %v (seen so far %v)", evs, seen)
			continue
		}
		seen[evs[0]] = true
	}
	if got := Events(); len(got) != len(seen) {
		t.Errorf("Events() = %v, want the %d events of All", got, len(seen))
	}
}

// countingDeliveries is a Deliveries that keeps each event's outcomes.
type countingDeliveries map[string]int

func (c countingDeliveries) Delivery(event, outcome string) { c[event+" "+outcome]++ }

// Each delivery a handler takes is counted once, as queued or ignored.
func TestHandlerCountsDeliveries(t *testing.T) {
	counts := countingDeliveries{}
	h := handlerFor(t, Intake{Queue: &fakeQueue{}, Config: testConfig(), Metrics: counts}, "issues")
	ctx := context.Background()
	if err := h.Handle(ctx, "issues", "d-0", fixture(t, "issues.labeled", edit{"installation.id", 42})); err != nil {
		t.Fatal(err)
	}
	work := fixture(t, "issues.labeled", edit{"installation.id", 42}, edit{"label.name", "lifeos:do"})
	if err := h.Handle(ctx, "issues", "d-1", work); err != nil {
		t.Fatal(err)
	}
	want := countingDeliveries{"issues ignored": 1, "issues queued": 1}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("counted %v, want %v", counts, want)
	}
}
