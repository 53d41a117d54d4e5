// The decision whether failed CI on a LifeOS pull request starts a fix run.

package policy

import "fmt"

// RuleCIFix is the rule of CIFix.
const RuleCIFix = "ci.fix"

// CIAttempt is one earlier handling of failed CI on a pull request.
type CIAttempt struct {
	Signature string // what failed and how
	Fixed     bool   // a fix run was started (false: LifeOS declined)
}

// DefaultMaxCIFixes is how many fix runs failed CI may start on one PR
// before LifeOS asks a human: enough for a slip and its follow-up, not
// enough to burn money in a loop.
const DefaultMaxCIFixes = 2

// CIFix decides whether failed CI with signature starts a fix run, given
// the PR's earlier attempts in order and the limit (DefaultMaxCIFixes if
// maxFixes <= 0): not when the last attempt had the same signature (the
// same failure came back unchanged), not when the limit is used up.
// Rule "ci.fix"; Allow true means fix; Reason says why not, in words a
// PR comment can use ("the same checks failed the same way after
// LifeOS's last fix", "LifeOS has used its 2 fix attempts on this PR").
func CIFix(attempts []CIAttempt, signature string, maxFixes int) Decision {
	if maxFixes <= 0 {
		maxFixes = DefaultMaxCIFixes
	}
	fixes := 0
	for _, a := range attempts {
		if a.Fixed {
			fixes++
		}
	}
	switch {
	case len(attempts) > 0 && attempts[len(attempts)-1].Signature == signature:
		return Decision{Rule: RuleCIFix, Reason: "the same checks failed the same way after LifeOS's last fix"}
	case fixes >= maxFixes:
		return Decision{Rule: RuleCIFix, Reason: fmt.Sprintf("LifeOS has used its %d fix attempts on this PR", maxFixes)}
	}
	return Decision{Allow: true, Rule: RuleCIFix, Reason: fmt.Sprintf("CI failed in a new way; fix attempt %d of %d", fixes+1, maxFixes)}
}
