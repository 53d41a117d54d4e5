package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/queue"
)

// Issues handles `issues` events: labelling an issue with the trigger label
// queues a run.
type Issues struct {
	Base
}

// Handles names the events this handler takes.
func (h *Issues) Handles() []string { return []string{"issues"} }

// Handle reads only the fields that decide, so ignored deliveries cost a
// signature check and a short scan; the worker decodes the rest.
func (h *Issues) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	// "action" leads GitHub's payloads, so this scan stops early.
	if gjson.GetBytes(payload, "action").Str != "labeled" {
		return nil
	}
	f := gjson.GetManyBytes(payload, "label.name", "sender.type", "sender.login",
		"repository.full_name", "issue.number", "installation.id")
	label, senderType, sender, repo, number, installation := f[0].Str, f[1].Str, f[2].Str, f[3].Str, f[4].Int(), f[5].Int()
	if label != h.TriggerLabel || h.isBot(senderType, sender) {
		return nil
	}
	logger := zerolog.Ctx(ctx).With().Str("repo", repo).Int64("issue", number).Str("sender", sender).Logger()
	if repo == "" || number <= 0 || installation <= 0 {
		logger.Warn().Msg("Ignoring trigger label without repository, issue number or installation")
		return nil
	}
	inserted, err := h.Queue.Enqueue(ctx, queue.RunArgs{
		Event:          eventType,
		DeliveryID:     deliveryID,
		InstallationID: installation,
		Repo:           repo,
		Issue:          int(number),
		Payload:        payload,
		QueuedAt:       time.Now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("queue run for %s#%d: %w", repo, number, err)
	}
	logger.Info().Bool("queued", inserted).Msg("Trigger label: run queued")
	return nil
}

var _ githubapp.EventHandler = (*Issues)(nil)
