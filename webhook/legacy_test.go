package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/queue"
)

// legacyJob is a raw delivery as the previous version queued it.
func legacyJob(event string, payload []byte) *river.Job[queue.EventArgs] {
	return &river.Job[queue.EventArgs]{JobRow: &rivertype.JobRow{ID: 9}, Args: queue.EventArgs{
		Event: event, DeliveryID: "delivery-1", InstallationID: 42, Repo: "Codertocat/Hello-World", Issue: 7,
		Payload: json.RawMessage(payload), QueuedAt: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
	}}
}

// A legacy delivery that is work becomes its typed job, under the same
// delivery and its original time.
func TestLegacyWorkerQueuesTheTypedJob(t *testing.T) {
	q := &fakeQueue{}
	w := &LegacyWorker{Queue: q, Config: testConfig()}
	payload := fixture(t, "pull_request.closed", edit{"installation.id", 42},
		edit{"pull_request.head.ref", "lifeos/issue-7"}, edit{"pull_request.user.login", "lifeos-test[bot]"})
	if err := w.Work(context.Background(), legacyJob("pull_request", payload)); err != nil {
		t.Fatal(err)
	}
	want := jobs.NewClosed(delivery("pull_request"), repo("master"),
		jobs.Closed{PR: 2, Issue: 7, Branch: "lifeos/issue-7", Sender: "Codertocat"})
	if len(q.jobs) != 1 || !reflect.DeepEqual(q.jobs[0], want) {
		t.Fatalf("queued %#v, want one job %#v", q.jobs, want)
	}
}

// A legacy delivery that is not work completes; one that never can be is
// cancelled; one whose job cannot be queued yet is retried.
func TestLegacyWorkerOutcomes(t *testing.T) {
	closed := fixture(t, "pull_request.closed", edit{"installation.id", 42},
		edit{"pull_request.head.ref", "lifeos/issue-7"}, edit{"pull_request.user.login", "lifeos-test[bot]"})
	down := errors.New("database is down")
	tests := []struct {
		name     string
		job      *river.Job[queue.EventArgs]
		queueErr error
		cancel   bool
		err      error
	}{
		{name: "no longer work", job: legacyJob("pull_request", fixture(t, "pull_request.closed"))},
		{name: "not JSON", job: legacyJob("pull_request", closed[:len(closed)/2]), cancel: true},
		{name: "event nobody takes", job: legacyJob("star", fixture(t, "installation.created")), cancel: true},
		{name: "queue down", job: legacyJob("pull_request", closed), queueErr: down, err: down},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &fakeQueue{err: tt.queueErr}
			err := (&LegacyWorker{Queue: q, Config: testConfig()}).Work(context.Background(), tt.job)
			var cancel *rivertype.JobCancelError
			switch {
			case tt.cancel && !errors.As(err, &cancel):
				t.Errorf("got %v, want the job cancelled", err)
			case !tt.cancel && errors.As(err, &cancel):
				t.Errorf("got %v, want it not cancelled", err)
			case tt.err != nil && !errors.Is(err, tt.err):
				t.Errorf("got %v, want %v", err, tt.err)
			case !tt.cancel && tt.err == nil && err != nil:
				t.Errorf("got %v, want the job completed", err)
			}
			if len(q.jobs) != 0 {
				t.Errorf("queued %v, want nothing", q.jobs)
			}
		})
	}
}
