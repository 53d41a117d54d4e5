package webhook

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
)

// triageStatus makes a CI of a commit status that finished (success,
// failure or error) on the head of a LifeOS branch: CI that reports
// through statuses (Jenkins, many hosted services) sends no check suite.
// A status LifeOS set itself is never an input; a pending one is not an
// end. The commit must be the tip of the branch the payload names.
func triageStatus(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	f := gjson.GetManyBytes(payload, "state", "sha", "branches", "sender.login")
	state, sha := f[0].Str, f[1].Str
	switch {
	case state != "success" && state != "failure" && state != "error":
		return nil, fmt.Sprintf("state %q is not an end", state)
	case f[3].Str == c.botLogin():
		return nil, "the status is LifeOS's own"
	}
	branch, issue := "", 0
	for _, b := range f[2].Array() {
		if n := names.IssueOfBranch(b.Get("name").Str); n != 0 && b.Get("commit.sha").Str == sha {
			branch, issue = b.Get("name").Str, n
			break
		}
	}
	if issue == 0 {
		return nil, "no LifeOS branch has the commit at its tip"
	}
	repo, why := repoOf(payload)
	if why != "" {
		return nil, why
	}
	return jobs.NewCI(d, repo, jobs.CI{Issue: issue, Branch: branch, HeadSHA: sha, Passed: state == "success"}), ""
}
