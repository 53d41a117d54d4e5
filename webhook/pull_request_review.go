package webhook

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
)

// triagePullRequestReview makes a Review of changes requested by a human on a LifeOS
// branch's pull request. Approvals and comments start nothing; whether the
// reviewer is trusted is the worker's call.
func triagePullRequestReview(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	if action := gjson.GetBytes(payload, "action").Str; action != "submitted" {
		return nil, fmt.Sprintf("action %q is not submitted", action)
	}
	f := gjson.GetManyBytes(payload, "review.state", "pull_request.head.ref", "review.user.type", "review.user.login",
		"sender.type", "sender.login", "pull_request.number", "review.id", "review.body")
	branch := f[1].Str
	issue := names.IssueOfBranch(branch)
	switch {
	case !strings.EqualFold(f[0].Str, "changes_requested"):
		return nil, fmt.Sprintf("review state %q is not changes_requested", f[0].Str)
	case issue == 0:
		return nil, fmt.Sprintf("branch %q is not LifeOS's", branch)
	case f[2].Str == "Bot":
		return nil, "reviewer is a bot"
	case c.isBot(f[4].Str, f[5].Str):
		return nil, "sender is a bot"
	}
	repo, why := repoOf(payload)
	if why != "" {
		return nil, why
	}
	return jobs.NewReview(d, repo, jobs.Review{
		PR:       int(f[6].Int()),
		Issue:    issue,
		ReviewID: f[7].Int(),
		Reviewer: f[3].Str,
		Body:     f[8].Str,
	}), ""
}
