package webhook

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
)

// triagePullRequest makes a Closed of a pull request the App opened from a
// LifeOS branch that was closed, merged or not.
func triagePullRequest(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	if action := gjson.GetBytes(payload, "action").Str; action != "closed" {
		return nil, fmt.Sprintf("action %q is not closed", action)
	}
	f := gjson.GetManyBytes(payload, "pull_request.head.ref", "pull_request.user.login", "pull_request.number",
		"pull_request.merged", "sender.login")
	branch := f[0].Str
	issue := names.IssueOfBranch(branch)
	switch {
	case issue == 0:
		return nil, fmt.Sprintf("branch %q is not LifeOS's", branch)
	case f[1].Str != c.botLogin():
		return nil, fmt.Sprintf("the pull request is by %q, not the App", f[1].Str)
	}
	repo, why := repoOf(payload)
	if why != "" {
		return nil, why
	}
	return jobs.NewClosed(d, repo, jobs.Closed{
		PR:     int(f[2].Int()),
		Issue:  issue,
		Branch: branch,
		Merged: f[3].Bool(),
		Sender: f[4].Str,
	}), ""
}
