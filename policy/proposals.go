// Proposals without noise: telling a proposed piece of work from one
// LifeOS proposed before.

package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// ProposalMemory is how long a closed proposal is remembered: the same
// work is not proposed again within it, so a "no" stays a no for a while.
const ProposalMemory = 90 * 24 * time.Hour

// NormaliseTitle is a title as proposals are compared: lower case, letters
// and digits only, single spaces.
func NormaliseTitle(title string) string {
	f := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return strings.Join(f, " ")
}

// stopWords carry no meaning in a title.
var stopWords = map[string]bool{"a": true, "an": true, "the": true, "to": true, "for": true, "of": true,
	"in": true, "on": true, "and": true, "or": true, "with": true}

// ProposalFingerprint identifies a piece of work whatever the wording's
// order: the set of a normalised title's words, stop words left out.
func ProposalFingerprint(title string) string {
	var words []string
	for _, w := range strings.Fields(NormaliseTitle(title)) {
		if !stopWords[w] {
			words = append(words, w)
		}
	}
	slices.Sort(words)
	sum := sha256.Sum256([]byte(strings.Join(slices.Compact(words), " ")))
	return hex.EncodeToString(sum[:16])
}

// PastProposal is a proposal LifeOS opened before, with its issue's state
// now: Open, or closed at ClosedAt.
type PastProposal struct {
	Title       string
	Fingerprint string
	Issue       int
	Open        bool
	ClosedAt    time.Time
}

// MatchesProposal reports whether title is the work of a past proposal:
// the same normalised title or the same fingerprint.
func MatchesProposal(title string, past PastProposal) bool {
	return NormaliseTitle(title) == NormaliseTitle(past.Title) || ProposalFingerprint(title) == past.Fingerprint
}

// ProposalDecision decides whether a proposal titled title may be opened,
// after opened others this run, against the past proposals that match it:
// never more than max in one run, never one whose match is open or was
// closed within ProposalMemory of now.
func ProposalDecision(title string, opened, max int, matches []PastProposal, now time.Time) Decision {
	if opened >= max {
		return Decision{Rule: "proposals.max", Reason: fmt.Sprintf("%q not proposed: this run opened %d proposals, the most proposals.max allows", title, opened)}
	}
	for _, p := range matches {
		switch {
		case p.Open:
			return Decision{Rule: "proposals.duplicate", Reason: fmt.Sprintf("%q not proposed: #%d proposes the same and is open", title, p.Issue)}
		case now.Sub(p.ClosedAt) < ProposalMemory:
			return Decision{Rule: "proposals.duplicate", Reason: fmt.Sprintf("%q not proposed: #%d proposed the same and was closed %s", title, p.Issue, p.ClosedAt.UTC().Format("2006-01-02"))}
		}
	}
	return Decision{Allow: true, Rule: "proposals", Reason: fmt.Sprintf("%q proposed", title)}
}
