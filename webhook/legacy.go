package webhook

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/queue"
)

// LegacyWorker works the raw deliveries (queue.EventArgs, kind
// "lifeos_event") that an earlier version queued: it triages each stored
// payload as a fresh delivery would be, and queues the typed job under the
// same delivery ID, so an upgrade loses no queued work.
type LegacyWorker struct {
	river.WorkerDefaults[queue.EventArgs]
	Queue  Enqueuer
	Config Config
}

// Work re-triages one legacy delivery. A delivery that is no longer work
// completes; one that cannot be triaged (not JSON, an event no handler
// takes) is cancelled, since it never will be.
func (w *LegacyWorker) Work(ctx context.Context, j *river.Job[queue.EventArgs]) error {
	a := j.Args
	logger := zerolog.Ctx(ctx).With().Str("delivery", a.DeliveryID).Str("repo", a.Repo).Int("issue", a.Issue).Logger()
	job, reason, err := Triage(deliveryOf(a.Event, a.DeliveryID, a.QueuedAt), a.Payload, w.Config)
	if err != nil {
		return river.JobCancel(fmt.Errorf("re-triage legacy job %d: %w", j.ID, err))
	}
	if job == nil {
		logger.Debug().Str("reason", reason).Msg("Legacy delivery ignored")
		return nil
	}
	inserted, err := w.Queue.Enqueue(ctx, job)
	if err != nil {
		return fmt.Errorf("queue %s job for legacy delivery %s: %w", job.Kind(), a.DeliveryID, err)
	}
	logger.Info().Str("kind", job.Kind()).Bool("queued", inserted).Msg("Legacy delivery queued as a typed job")
	return nil
}

var _ river.Worker[queue.EventArgs] = (*LegacyWorker)(nil)
