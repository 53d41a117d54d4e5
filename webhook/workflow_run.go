package webhook

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
)

// triageWorkflowRun makes a CI of a GitHub Actions run that failed on a
// LifeOS branch. A success is not work here: it comes via check_suite,
// which GitHub Actions also reports. A run whose head is in a fork is not
// LifeOS's CI, whatever its branch is called.
func triageWorkflowRun(d jobs.Delivery, payload []byte, _ Config) (jobs.Job, string) {
	if action := gjson.GetBytes(payload, "action").Str; action != "completed" {
		return nil, fmt.Sprintf("action %q is not completed", action)
	}
	f := gjson.GetManyBytes(payload, "workflow_run.conclusion", "workflow_run.head_branch",
		"workflow_run.head_sha", "workflow_run.id", "workflow_run.pull_requests",
		"workflow_run.head_repository.full_name", "repository.full_name")
	conclusion, branch := f[0].Str, f[1].Str
	issue := names.IssueOfBranch(branch)
	switch {
	case !failed(conclusion):
		return nil, fmt.Sprintf("conclusion %q is not a failure", conclusion)
	case issue == 0:
		return nil, fmt.Sprintf("branch %q is not LifeOS's", branch)
	}
	repo, why := repoOf(payload)
	if why != "" {
		return nil, why
	}
	if !sameRepo(f[5].Str, f[6].Str) {
		return nil, fmt.Sprintf("the run's head is in %q, not in %q (a fork)", f[5].Str, f[6].Str)
	}
	return jobs.NewCI(d, repo, jobs.CI{
		Issue:         issue,
		Branch:        branch,
		HeadSHA:       f[2].Str,
		WorkflowRunID: f[3].Int(),
		PRs:           prNumbers(f[4]),
	}), ""
}
