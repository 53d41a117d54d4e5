package policy

import (
	"fmt"
	"strings"
)

// RequiredCheck is a status check the base branch's protection requires
// before a merge: a check run name or commit status context. AppID, when
// positive, is the GitHub App that must report it; zero or -1 accepts any
// source.
type RequiredCheck struct {
	Context string
	AppID   int64
}

// CheckResult is the latest check run of one name on a commit.
type CheckResult struct {
	Name string
	// AppID is the GitHub App that reported it.
	AppID int64
	// Own marks LifeOS's own check runs, which are never evidence either way.
	Own bool
	// Status is "queued", "in_progress", "completed", ...
	Status string
	// Conclusion is set once Status is "completed": "success", "failure", ...
	Conclusion string
}

// StatusResult is the latest commit status of one context on a commit.
type StatusResult struct {
	Context string
	// State is "success", "pending", "failure" or "error".
	State string
}

// passingConclusions are the check run conclusions that do not block a
// merge, as GitHub counts them for required checks.
var passingConclusions = map[string]bool{"success": true, "neutral": true, "skipped": true}

// maxGreenProblems bounds how many problems Green's reason names.
const maxGreenProblems = 3

// Green decides whether a commit's CI evidence allows a merge without a
// human, with the reason. It is green only when
//   - no check run (other than LifeOS's own) is unfinished or finished
//     with a conclusion other than success, neutral or skipped,
//   - no commit status is pending, failed or errored,
//   - every required check has a passing check run (from its App, if the
//     protection names one) or a successful commit status of that name, and
//   - at least one check run succeeded or one commit status is a success:
//     no evidence is not green.
//
// The lists are the latest result per name (GitHub's filter=latest and the
// combined status); whoever reads them must read every page, or a failure
// on a later page goes unseen.
func Green(required []RequiredCheck, checks []CheckResult, statuses []StatusResult) (bool, string) {
	var problems []string
	passedRuns, passedStatuses := 0, 0
	for _, c := range checks {
		switch {
		case c.Own:
		case c.Status != "completed":
			problems = append(problems, fmt.Sprintf("check run `%s` is %s", c.Name, orUnknown(c.Status)))
		case !passingConclusions[c.Conclusion]:
			problems = append(problems, fmt.Sprintf("check run `%s` concluded %s", c.Name, orUnknown(c.Conclusion)))
		case c.Conclusion == "success":
			passedRuns++
		}
	}
	for _, s := range statuses {
		if s.State == "success" {
			passedStatuses++
			continue
		}
		problems = append(problems, fmt.Sprintf("commit status `%s` is %s", s.Context, orUnknown(s.State)))
	}
	var names []string
	for _, r := range required {
		if r.Context == "" {
			continue
		}
		names = append(names, r.Context)
		if !reported(r, checks, statuses) {
			from := ""
			if r.AppID > 0 {
				from = fmt.Sprintf(" from app %d", r.AppID)
			}
			problems = append(problems, fmt.Sprintf("required check `%s` has not passed%s", r.Context, from))
		}
	}
	if len(problems) > 0 {
		more := ""
		if len(problems) > maxGreenProblems {
			more = fmt.Sprintf(" (and %d more)", len(problems)-maxGreenProblems)
			problems = problems[:maxGreenProblems]
		}
		return false, strings.Join(problems, "; ") + more
	}
	if passedRuns+passedStatuses == 0 {
		return false, "no check run succeeded and no commit status is a success on the head commit"
	}
	reason := fmt.Sprintf("%s and %s passed", count(passedRuns, "check run", "check runs"), count(passedStatuses, "commit status", "commit statuses"))
	if len(names) > 0 {
		reason += ", including the required " + quoteList(names)
	}
	return true, reason
}

// reported reports whether a required check has a passing result.
func reported(r RequiredCheck, checks []CheckResult, statuses []StatusResult) bool {
	for _, c := range checks {
		if !c.Own && c.Name == r.Context && (r.AppID <= 0 || c.AppID == r.AppID) &&
			c.Status == "completed" && passingConclusions[c.Conclusion] {
			return true
		}
	}
	if r.AppID > 0 {
		// A commit status does not say which App set it: only a check run
		// can prove a check pinned to an App.
		return false
	}
	for _, s := range statuses {
		if s.Context == r.Context && s.State == "success" {
			return true
		}
	}
	return false
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
