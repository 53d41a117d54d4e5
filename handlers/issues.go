package handlers

import (
	"context"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/tidwall/gjson"
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
	f := gjson.GetManyBytes(payload, "label.name", "sender.type", "sender.login", "issue.number")
	if f[0].Str != h.TriggerLabel || h.isBot(f[1].Str, f[2].Str) || f[3].Int() <= 0 {
		return nil
	}
	return h.enqueue(ctx, eventType, deliveryID, payload, int(f[3].Int()))
}

var _ githubapp.EventHandler = (*Issues)(nil)
