// Package names owns the names LifeOS gives things on GitHub: the branch it
// writes for an issue and the labels it reads and writes. Everything that
// builds or parses one of these names comes here.
package names

import (
	"fmt"
	"strconv"
	"strings"
)

// BranchPrefix starts every branch LifeOS writes.
const BranchPrefix = "lifeos/issue-"

// TriggerLabel is the issue label that asks LifeOS to work an issue, unless
// the server (LIFEOS_TRIGGER_LABEL) or the repository's policy names another.
const TriggerLabel = "lifeos:do"

// LabelNamespace starts every label the server acts on besides its own
// trigger label, so a repository's trigger.label must start with it.
const LabelNamespace = "lifeos:"

// ProposalLabel marks issues the agent proposed at autonomy rung 4; a human
// turns one into work by adding the trigger label.
const ProposalLabel = "lifeos:proposal"

// CheckRun is the name of the check run LifeOS reports on each commit it
// pushes. It is never an input to the CI-fix loop (the App's own check
// runs are not evidence).
const CheckRun = "LifeOS"

// Branch is the branch LifeOS writes for an issue.
func Branch(issue int) string { return fmt.Sprintf("%s%d", BranchPrefix, issue) }

// RevertPrefix starts the branch of a revert of a LifeOS pull request.
const RevertPrefix = "lifeos/revert-"

// RevertBranch is the branch LifeOS writes to revert pull request pr.
func RevertBranch(pr int) string { return fmt.Sprintf("%s%d", RevertPrefix, pr) }

// IssueOfBranch returns N for the branch lifeos/issue-N, or 0 for any other
// branch.
func IssueOfBranch(name string) int {
	rest, ok := strings.CutPrefix(name, BranchPrefix)
	if !ok || rest == "" || rest[0] == '0' || rest[0] == '+' {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// BotLogin is the login the App with this slug acts as on GitHub.
func BotLogin(appSlug string) string { return appSlug + "[bot]" }

// PullOrigin is what tells a LifeOS pull request from any other: who opened
// it, from which branch of which repository, into which repository (full
// names, "owner/name").
type PullOrigin struct {
	Author, HeadRef, HeadRepo, BaseRepo string
}

// IssueOfPull returns N when a pull request is LifeOS's own for issue N:
// opened by the App's bot from the branch lifeos/issue-N of the base
// repository itself. For any other pull request (a human's on a branch
// named like LifeOS's, or one from a fork) it returns 0 and the reason.
// A head repository GitHub does not name (a deleted fork) is not the base.
func IssueOfPull(appSlug string, p PullOrigin) (int, string) {
	issue := IssueOfBranch(p.HeadRef)
	switch {
	case issue == 0:
		return 0, fmt.Sprintf("branch %q is not LifeOS's", p.HeadRef)
	case p.Author != BotLogin(appSlug):
		return 0, fmt.Sprintf("the pull request is by %q, not the App", p.Author)
	case p.HeadRepo == "" || !strings.EqualFold(p.HeadRepo, p.BaseRepo):
		return 0, fmt.Sprintf("the pull request's head is in %q, not in %q (a fork)", p.HeadRepo, p.BaseRepo)
	}
	return issue, ""
}

// ScheduleBranchPrefix starts the branch of every schedule.
const ScheduleBranchPrefix = "lifeos/schedule-"

// MaxScheduleName bounds a schedule's name, so its branch stays short.
const MaxScheduleName = 40

// ScheduleBranch is the one branch a schedule's firings write.
func ScheduleBranch(name string) string { return ScheduleBranchPrefix + name }

// ScheduleOfBranch returns the schedule's name for lifeos/schedule-NAME,
// or "" for any other branch.
func ScheduleOfBranch(branch string) string {
	name, ok := strings.CutPrefix(branch, ScheduleBranchPrefix)
	if !ok || ValidScheduleName(name) != "" {
		return ""
	}
	return name
}

// ValidScheduleName returns why name cannot name a schedule, or "": lower
// case letters, digits and single hyphens inside, at most MaxScheduleName
// characters, so that it is a branch name as it stands.
func ValidScheduleName(name string) string {
	switch {
	case name == "":
		return "must not be empty"
	case len(name) > MaxScheduleName:
		return fmt.Sprintf("has %d characters; at most %d", len(name), MaxScheduleName)
	case name[0] == '-' || name[len(name)-1] == '-' || strings.Contains(name, "--"):
		return "must not start or end with a hyphen or hold two in a row"
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return fmt.Sprintf("may hold only lower-case letters, digits and hyphens, not %q", r)
		}
	}
	return ""
}

// ScheduleSubject is the run subject (the issue number of its runs) of the
// schedule stored with id: negative, so it is never a real issue, and one
// per schedule, so a schedule has at most one active run.
func ScheduleSubject(id int64) int { return -int(id) }

// IsScheduleSubject reports whether a run's issue number is a schedule's.
func IsScheduleSubject(issue int) bool { return issue < 0 }

// ScheduleOfPull returns the schedule's name when a pull request is
// LifeOS's own for it: opened by the App's bot from lifeos/schedule-NAME
// of the base repository. Otherwise "" and why not.
func ScheduleOfPull(appSlug string, p PullOrigin) (string, string) {
	name := ScheduleOfBranch(p.HeadRef)
	switch {
	case name == "":
		return "", fmt.Sprintf("branch %q is not a LifeOS schedule's", p.HeadRef)
	case p.Author != BotLogin(appSlug):
		return "", fmt.Sprintf("the pull request is by %q, not the App", p.Author)
	case p.HeadRepo == "" || !strings.EqualFold(p.HeadRepo, p.BaseRepo):
		return "", fmt.Sprintf("the pull request's head is in %q, not in %q (a fork)", p.HeadRepo, p.BaseRepo)
	}
	return name, ""
}
