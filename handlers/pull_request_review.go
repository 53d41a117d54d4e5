package handlers

import (
	"context"
	"strings"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/names"
)

// PullRequestReview handles `pull_request_review` events: changes requested
// on a LifeOS PR start a revision. Approvals and comments start nothing.
type PullRequestReview struct {
	Base
}

// Handles names the events this handler takes.
func (h *PullRequestReview) Handles() []string { return []string{"pull_request_review"} }

// Handle queues change requests on LifeOS branches from humans.
func (h *PullRequestReview) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	if gjson.GetBytes(payload, "action").Str != "submitted" {
		return nil
	}
	f := gjson.GetManyBytes(payload, "review.state", "pull_request.head.ref", "sender.type", "sender.login")
	issue := names.IssueOfBranch(f[1].Str)
	if !strings.EqualFold(f[0].Str, "changes_requested") || issue == 0 || h.isBot(f[2].Str, f[3].Str) {
		return nil
	}
	return h.enqueue(ctx, eventType, deliveryID, payload, issue)
}

var _ githubapp.EventHandler = (*PullRequestReview)(nil)
