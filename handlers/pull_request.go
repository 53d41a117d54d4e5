package handlers

import (
	"context"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/names"
)

// PullRequest handles `pull_request` events: a LifeOS PR that is closed,
// merged or not, records its outcome.
type PullRequest struct {
	Base
}

// Handles names the events this handler takes.
func (h *PullRequest) Handles() []string { return []string{"pull_request"} }

// Handle queues closed PRs from LifeOS branches written by the App.
func (h *PullRequest) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	if gjson.GetBytes(payload, "action").Str != "closed" {
		return nil
	}
	f := gjson.GetManyBytes(payload, "pull_request.head.ref", "pull_request.user.login")
	issue := names.IssueOfBranch(f[0].Str)
	if issue == 0 || f[1].Str != h.AppSlug+"[bot]" {
		return nil
	}
	return h.enqueue(ctx, eventType, deliveryID, payload, issue)
}

var _ githubapp.EventHandler = (*PullRequest)(nil)
