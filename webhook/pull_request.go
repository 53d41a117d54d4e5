package webhook

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
)

// triagePullRequest makes a Closed of a pull request the App opened from a
// LifeOS branch of the repository itself (names.IssueOfPull) that was
// closed, merged or not.
func triagePullRequest(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	if action := gjson.GetBytes(payload, "action").Str; action != "closed" {
		return nil, fmt.Sprintf("action %q is not closed", action)
	}
	f := gjson.GetManyBytes(payload, "pull_request.head.ref", "pull_request.number", "pull_request.merged", "sender.login")
	branch := f[0].Str
	repo, why := repoOf(payload)
	if why != "" {
		return nil, why
	}
	issue, notOwn := ownPull(payload, c)
	if issue == 0 {
		return nil, notOwn
	}
	return jobs.NewClosed(d, repo, jobs.Closed{
		PR:     int(f[1].Int()),
		Issue:  issue,
		Branch: branch,
		Merged: f[2].Bool(),
		Sender: f[3].Str,
	}), ""
}
