// Package handlers holds one go-githubapp EventHandler per webhook event.
// A handler decides, quickly, from the few fields that matter, whether the
// delivery is work; if so it queues a durable job and GitHub gets its answer.
// The job's worker decodes the full event.
package handlers

import (
	"context"

	"github.com/lifeos/lifeos/queue"
)

// Enqueuer durably queues a run job; false means the job was a duplicate.
type Enqueuer interface {
	Enqueue(ctx context.Context, args queue.RunArgs) (bool, error)
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
