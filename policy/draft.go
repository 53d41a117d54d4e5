// Draft until green: whether a repository has CI, whether a LifeOS PR's
// head has passed it, and whether a PR is ready to merge.

package policy

import (
	"fmt"
	"path"
	"strings"
)

// ciFiles are the files that mean a repository runs CI on its pushes:
// GitHub Actions workflows and the configuration of the common hosted CI
// services that report to GitHub.
var ciFiles = []string{
	".github/workflows/*.yml", ".github/workflows/*.yaml",
	".circleci/config.yml", ".circleci/config.yaml", ".travis.yml",
	"azure-pipelines.yml", "azure-pipelines.yaml", ".buildkite/pipeline.yml", ".buildkite/pipeline.yaml",
	".drone.yml", "appveyor.yml", ".appveyor.yml", ".cirrus.yml", "Jenkinsfile", "bitbucket-pipelines.yml",
	".gitlab-ci.yml", ".woodpecker.yml",
}

// HasCI reports whether a repository with these paths (its snapshot's)
// runs CI, and the file that says so: a LifeOS PR then opens as a draft
// and waits for that CI to pass.
func HasCI(paths []string) (bool, string) {
	for _, p := range paths {
		for _, g := range ciFiles {
			if ok, _ := path.Match(g, p); ok {
				return true, p
			}
		}
	}
	return false, ""
}

// CIState is where a head commit's CI stands for a draft PR.
type CIState string

// The states of CIReady.
const (
	CIPending CIState = "pending" // something it waits for has not reported
	CIPassed  CIState = "passed"  // everything it waits for passed
	CIFailed  CIState = "failed"  // something it waits for failed
)

// CIReady decides whether a draft PR's head commit has passed CI, with the
// reason. When branch protection names required checks, those are what it
// waits for: each needs a passing check run (from its App, if named) or a
// successful commit status. Otherwise every check run and commit status on
// the commit counts, and at least one must have reported. LifeOS's own
// check runs never count, either way, and a required check only they
// report is not waited for.
func CIReady(required []RequiredCheck, checks []CheckResult, statuses []StatusResult) (CIState, string) {
	var waited []RequiredCheck
	for _, r := range required {
		if r.Context != "" && !ownOnly(r.Context, checks) {
			waited = append(waited, r)
		}
	}
	if len(waited) > 0 {
		return requiredReady(waited, checks, statuses)
	}
	var failed, pending []string
	passed := 0
	for _, c := range checks {
		switch {
		case c.Own:
		case c.Status != "completed":
			pending = append(pending, fmt.Sprintf("check run `%s` is %s", c.Name, orUnknown(c.Status)))
		case !passingConclusions[c.Conclusion]:
			failed = append(failed, fmt.Sprintf("check run `%s` concluded %s", c.Name, orUnknown(c.Conclusion)))
		default:
			passed++
		}
	}
	for _, s := range statuses {
		switch s.State {
		case "success":
			passed++
		case "pending", "":
			pending = append(pending, fmt.Sprintf("commit status `%s` is pending", s.Context))
		default:
			failed = append(failed, fmt.Sprintf("commit status `%s` is %s", s.Context, s.State))
		}
	}
	switch {
	case len(failed) > 0:
		return CIFailed, strings.Join(failed, "; ")
	case len(pending) > 0:
		return CIPending, strings.Join(pending, "; ")
	case passed == 0:
		return CIPending, "no check has reported on the head commit yet"
	}
	return CIPassed, count(passed, "check passed", "checks passed")
}

// ownOnly reports whether a required check's name is reported only by
// LifeOS's own check runs: LifeOS never waits for itself.
func ownOnly(name string, checks []CheckResult) bool {
	own := false
	for _, c := range checks {
		if c.Name == name {
			if !c.Own {
				return false
			}
			own = true
		}
	}
	return own
}

// requiredReady is CIReady for a branch whose protection names checks.
func requiredReady(required []RequiredCheck, checks []CheckResult, statuses []StatusResult) (CIState, string) {
	var failed, pending, passed []string
	for _, r := range required {
		if r.Context == "" {
			continue
		}
		switch {
		case reported(r, checks, statuses):
			passed = append(passed, r.Context)
		case requiredFailed(r, checks, statuses):
			failed = append(failed, fmt.Sprintf("required check `%s` failed", r.Context))
		default:
			pending = append(pending, fmt.Sprintf("required check `%s` has not passed yet", r.Context))
		}
	}
	switch {
	case len(failed) > 0:
		return CIFailed, strings.Join(failed, "; ")
	case len(pending) > 0:
		return CIPending, strings.Join(pending, "; ")
	}
	return CIPassed, "the required " + quoteList(passed) + " passed"
}

// requiredFailed reports whether a required check has a finished, failing
// result from a source that may report it.
func requiredFailed(r RequiredCheck, checks []CheckResult, statuses []StatusResult) bool {
	for _, c := range checks {
		if !c.Own && c.Name == r.Context && (r.AppID <= 0 || c.AppID == r.AppID) &&
			c.Status == "completed" && !passingConclusions[c.Conclusion] {
			return true
		}
	}
	for _, s := range statuses {
		if r.AppID <= 0 && s.Context == r.Context && (s.State == "failure" || s.State == "error") {
			return true
		}
	}
	return false
}

// RuleMergeReady is the rule of MergeReady.
const RuleMergeReady = "auto_merge.ready"

// MergeReady is rung 3's precondition on the PR itself: only a PR marked
// ready for review merges; a draft is still waiting for its CI or for a
// human.
func MergeReady(draft bool) Decision {
	if draft {
		return Decision{Rule: RuleMergeReady, Reason: "the PR is still a draft: it has not passed CI, so a human merges"}
	}
	return Decision{Allow: true, Rule: RuleMergeReady, Reason: "the PR is ready for review"}
}
