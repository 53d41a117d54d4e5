package handlers

import (
	"context"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/names"
)

// failed reports whether a CI conclusion means the change is broken.
func failed(conclusion string) bool { return conclusion == "failure" || conclusion == "timed_out" }

// CheckSuite handles `check_suite` events: a completed suite on a LifeOS
// branch, reported by another app, may start a fix run (failed) or, on a
// repository at autonomy rung 3, merge the PR (passed).
type CheckSuite struct {
	Base
}

// Handles names the events this handler takes.
func (h *CheckSuite) Handles() []string { return []string{"check_suite"} }

// Handle queues failed and passed suites on LifeOS branches; LifeOS's own
// checks are never inputs.
func (h *CheckSuite) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	if gjson.GetBytes(payload, "action").Str != "completed" {
		return nil
	}
	f := gjson.GetManyBytes(payload, "check_suite.conclusion", "check_suite.head_branch", "check_suite.app.slug")
	issue := names.IssueOfBranch(f[1].Str)
	if (!failed(f[0].Str) && f[0].Str != "success") || issue == 0 || f[2].Str == h.AppSlug {
		return nil
	}
	return h.enqueue(ctx, eventType, deliveryID, payload, issue)
}

var _ githubapp.EventHandler = (*CheckSuite)(nil)

// WorkflowRun handles `workflow_run` events: a failed GitHub Actions run on
// a LifeOS branch may start a fix run (the worker dedupes it against the
// check suite reporting the same commit).
type WorkflowRun struct {
	Base
}

// Handles names the events this handler takes.
func (h *WorkflowRun) Handles() []string { return []string{"workflow_run"} }

// Handle queues failed workflow runs on LifeOS branches.
func (h *WorkflowRun) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	if gjson.GetBytes(payload, "action").Str != "completed" {
		return nil
	}
	f := gjson.GetManyBytes(payload, "workflow_run.conclusion", "workflow_run.head_branch")
	issue := names.IssueOfBranch(f[1].Str)
	if !failed(f[0].Str) || issue == 0 {
		return nil
	}
	return h.enqueue(ctx, eventType, deliveryID, payload, issue)
}

var _ githubapp.EventHandler = (*WorkflowRun)(nil)
