// Package handlers holds one go-githubapp EventHandler per webhook event.
// A handler decides, quickly, from the few fields that matter, whether the
// delivery is work; if so it queues a durable job and GitHub gets its answer.
// The job's worker decodes the full event.
package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/queue"
)

// Enqueuer durably queues a job; false means the job was a duplicate.
type Enqueuer interface {
	Enqueue(ctx context.Context, args queue.Args) (bool, error)
}

// Base is what every handler shares.
type Base struct {
	Queue Enqueuer
	// TriggerLabel is the label that starts a run.
	TriggerLabel string
	// AppSlug is the App's slug; its own events come from "<slug>[bot]".
	AppSlug string
}

// isBot reports whether a sender is a bot (the App itself included), whose
// events never start work.
func (b *Base) isBot(senderType, senderLogin string) bool {
	return senderType == "Bot" || senderLogin == b.AppSlug+"[bot]"
}

// enqueue queues the delivery for the worker. issue is the issue the work
// is about, for logs (0 if not known yet).
func (b *Base) enqueue(ctx context.Context, eventType, deliveryID string, payload []byte, issue int) error {
	f := gjson.GetManyBytes(payload, "repository.full_name", "installation.id")
	repo, installation := f[0].Str, f[1].Int()
	logger := zerolog.Ctx(ctx).With().Str("repo", repo).Int("issue", issue).Logger()
	if repo == "" || installation <= 0 {
		logger.Warn().Msg("Ignoring delivery without repository or installation")
		return nil
	}
	inserted, err := b.Queue.Enqueue(ctx, queue.EventArgs{
		Event:          eventType,
		DeliveryID:     deliveryID,
		InstallationID: installation,
		Repo:           repo,
		Issue:          issue,
		Payload:        payload,
		QueuedAt:       time.Now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("queue %s delivery for %s: %w", eventType, repo, err)
	}
	logger.Info().Bool("queued", inserted).Msg("Delivery queued")
	return nil
}
