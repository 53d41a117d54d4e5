package policy

import (
	"testing"
	"time"
)

func TestProposalMatching(t *testing.T) {
	past := PastProposal{Title: "Add tests for the parser", Fingerprint: ProposalFingerprint("Add tests for the parser"), Issue: 7, Open: true}
	for _, tc := range []struct {
		title string
		match bool
	}{
		{"Add tests for the parser", true},
		{"add TESTS for the parser!", true},
		{"Parser: add tests", true},
		{"Add tests to the parser", true},
		{"Add tests for the lexer", false},
		{"Fix the parser", false},
	} {
		if got := MatchesProposal(tc.title, past); got != tc.match {
			t.Errorf("MatchesProposal(%q) = %v, want %v", tc.title, got, tc.match)
		}
	}
}

func TestProposalDecision(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	open := PastProposal{Issue: 7, Open: true}
	recent := PastProposal{Issue: 8, ClosedAt: now.Add(-30 * 24 * time.Hour)}
	old := PastProposal{Issue: 9, ClosedAt: now.Add(-200 * 24 * time.Hour)}
	for _, tc := range []struct {
		name    string
		opened  int
		matches []PastProposal
		allow   bool
		rule    string
	}{
		{"new", 0, nil, true, "proposals"},
		{"open duplicate", 0, []PastProposal{open}, false, "proposals.duplicate"},
		{"recently closed", 0, []PastProposal{recent}, false, "proposals.duplicate"},
		{"closed long ago", 0, []PastProposal{old}, true, "proposals"},
		{"over the cap", 3, nil, false, "proposals.max"},
	} {
		d := ProposalDecision("x", tc.opened, 3, tc.matches, now)
		if d.Allow != tc.allow || d.Rule != tc.rule {
			t.Errorf("%s: %+v", tc.name, d)
		}
	}
}
