package handlers

import (
	"context"
	"strings"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/names"
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
	// A repository's policy may name its own trigger label in LifeOS's
	// namespace; the worker checks it against the policy.
	if label := f[0].Str; (label != h.TriggerLabel && !strings.HasPrefix(label, names.LabelNamespace)) ||
		h.isBot(f[1].Str, f[2].Str) || f[3].Int() <= 0 {
		return nil
	}
	return h.enqueue(ctx, eventType, deliveryID, payload, int(f[3].Int()))
}

var _ githubapp.EventHandler = (*Issues)(nil)
