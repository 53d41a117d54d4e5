package webhook

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
)

// triagePullRequestReview makes a Review of changes requested by a human
// on a pull request LifeOS opened (names.IssueOfPull: a human's or a
// fork's PR on a branch named like LifeOS's is not one). Approvals and
// comments start nothing; whether the reviewer is trusted is the worker's
// call.
func triagePullRequestReview(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	if action := gjson.GetBytes(payload, "action").Str; action != "submitted" {
		return nil, fmt.Sprintf("action %q is not submitted", action)
	}
	f := gjson.GetManyBytes(payload, "review.state", "review.user.type", "review.user.login",
		"sender.type", "sender.login", "pull_request.number", "review.id", "review.body")
	issue, notOwn := ownPull(payload, c)
	switch {
	case !strings.EqualFold(f[0].Str, "changes_requested"):
		return nil, fmt.Sprintf("review state %q is not changes_requested", f[0].Str)
	case f[1].Str == "Bot":
		return nil, "reviewer is a bot"
	case c.isBot(f[3].Str, f[4].Str):
		return nil, "sender is a bot"
	}
	repo, why := repoOf(payload)
	if why != "" {
		return nil, why
	}
	if issue == 0 {
		return nil, notOwn
	}
	return jobs.NewReview(d, repo, jobs.Review{
		PR:       int(f[5].Int()),
		Issue:    issue,
		ReviewID: f[6].Int(),
		Reviewer: f[2].Str,
		Body:     f[7].Str,
	}), ""
}
