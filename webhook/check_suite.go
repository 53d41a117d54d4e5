package webhook

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
)

// triageCheckSuite makes a CI of a check suite of another app completed on
// a LifeOS branch: a failure may start a fix, a success may let rung 3
// merge. LifeOS's own checks are never inputs, nor a suite of a fork's pull
// request; where the payload lists no pull request (GitHub leaves out
// forks'), the worker checks the PR's head repository.
func triageCheckSuite(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	if action := gjson.GetBytes(payload, "action").Str; action != "completed" {
		return nil, fmt.Sprintf("action %q is not completed", action)
	}
	f := gjson.GetManyBytes(payload, "check_suite.conclusion", "check_suite.head_branch", "check_suite.app.slug",
		"check_suite.head_sha", "check_suite.id", "check_suite.pull_requests")
	conclusion, branch := f[0].Str, f[1].Str
	issue := names.IssueOfBranch(branch)
	switch {
	case !failed(conclusion) && conclusion != "success":
		return nil, fmt.Sprintf("conclusion %q is neither a failure nor a success", conclusion)
	case issue == 0:
		return nil, fmt.Sprintf("branch %q is not LifeOS's", branch)
	case f[2].Str == c.AppSlug:
		return nil, "the suite is LifeOS's own"
	case forkPull(f[5]) != 0:
		return nil, fmt.Sprintf("the suite's pull request #%d has its head in a fork", forkPull(f[5]))
	}
	repo, why := repoOf(payload)
	if why != "" {
		return nil, why
	}
	return jobs.NewCI(d, repo, jobs.CI{
		Issue:   issue,
		Branch:  branch,
		HeadSHA: f[3].Str,
		Passed:  conclusion == "success",
		SuiteID: f[4].Int(),
		PRs:     prNumbers(f[5]),
	}), ""
}
