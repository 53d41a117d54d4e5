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

// Branch is the branch LifeOS writes for an issue.
func Branch(issue int) string { return fmt.Sprintf("%s%d", BranchPrefix, issue) }

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
