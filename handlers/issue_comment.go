package handlers

import (
	"context"
	"strings"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/tidwall/gjson"
)

// IssueComment handles `issue_comment` events: a new comment that may hold a
// /lifeos command, on an issue or a pull request, is queued; the worker
// parses it and checks who wrote it.
type IssueComment struct {
	Base
}

// Handles names the events this handler takes.
func (h *IssueComment) Handles() []string { return []string{"issue_comment"} }

// Handle queues comments that mention /lifeos from humans.
func (h *IssueComment) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	if gjson.GetBytes(payload, "action").Str != "created" {
		return nil
	}
	f := gjson.GetManyBytes(payload, "comment.body", "sender.type", "sender.login", "issue.number")
	if !strings.Contains(strings.ToLower(f[0].Str), "/lifeos") || h.isBot(f[1].Str, f[2].Str) {
		return nil
	}
	return h.enqueue(ctx, eventType, deliveryID, payload, int(f[3].Int()))
}

var _ githubapp.EventHandler = (*IssueComment)(nil)
