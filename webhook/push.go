package webhook

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/policy"
)

// triagePush makes a Reload of a push to the default branch that touches
// the policy file: its schedules may have changed. Any other push is not
// LifeOS's business.
func triagePush(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	f := gjson.GetManyBytes(payload, "ref", "repository.default_branch", "deleted")
	if f[0].Str != "refs/heads/"+f[1].Str || f[1].Str == "" {
		return nil, fmt.Sprintf("push to %q, not the default branch", f[0].Str)
	}
	if f[2].Bool() {
		return nil, "the branch was deleted"
	}
	if !touchesPolicy(gjson.GetBytes(payload, "commits")) {
		return nil, "the push does not touch " + policy.FilePath
	}
	repo, why := repoOf(payload)
	if why != "" {
		return nil, why
	}
	return jobs.NewReload(d, []jobs.Repo{repo}), ""
}

// touchesPolicy reports whether any commit of a push added, changed or
// removed the policy file. GitHub lists at most 2048 commits; a push that
// lists none (a force push of old commits) is read too, to be safe.
func touchesPolicy(commits gjson.Result) bool {
	list := commits.Array()
	if len(list) == 0 {
		return true
	}
	for _, c := range list {
		for _, key := range []string{"added", "modified", "removed"} {
			for _, p := range c.Get(key).Array() {
				if p.Str == policy.FilePath {
					return true
				}
			}
		}
	}
	return false
}
