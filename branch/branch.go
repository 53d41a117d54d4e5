// Package branch names the branches LifeOS writes: lifeos/issue-N, one per
// issue. Handlers and the runner both read issue numbers back from them.
package branch

import (
	"fmt"
	"strconv"
	"strings"
)

// Prefix starts every branch LifeOS writes.
const Prefix = "lifeos/issue-"

// Name is the branch LifeOS writes for an issue.
func Name(issue int) string { return fmt.Sprintf("%s%d", Prefix, issue) }

// Issue returns N for the branch lifeos/issue-N, or 0 for any other branch.
func Issue(name string) int {
	rest, ok := strings.CutPrefix(name, Prefix)
	if !ok || rest == "" || rest[0] == '0' || rest[0] == '+' {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
