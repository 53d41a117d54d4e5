package policy

import "testing"

func TestCIFix(t *testing.T) {
	const same = "the same checks failed the same way after LifeOS's last fix"
	fixed := func(sig string) CIAttempt { return CIAttempt{Signature: sig, Fixed: true} }
	declined := func(sig string) CIAttempt { return CIAttempt{Signature: sig} }
	tests := []struct {
		name     string
		attempts []CIAttempt
		sig      string
		max      int
		allow    bool
		reason   string
	}{
		{"first failure", nil, "a", 0, true, "CI failed in a new way; fix attempt 1 of 2"},
		{"a new failure after a fix", []CIAttempt{fixed("a")}, "b", 0, true, "CI failed in a new way; fix attempt 2 of 2"},
		{"the same failure back", []CIAttempt{fixed("a")}, "a", 0, false, same},
		{"the same as the last, not an earlier one", []CIAttempt{fixed("a"), fixed("b")}, "a", 5, true, "CI failed in a new way; fix attempt 3 of 5"},
		{"the same as a declined last", []CIAttempt{fixed("a"), declined("b")}, "b", 5, false, same},
		{"default limit used up", []CIAttempt{fixed("a"), fixed("b")}, "c", 0, false, "LifeOS has used its 2 fix attempts on this PR"},
		{"negative limit is the default", []CIAttempt{fixed("a"), fixed("b")}, "c", -1, false, "LifeOS has used its 2 fix attempts on this PR"},
		{"declined attempts do not count", []CIAttempt{fixed("a"), declined("b")}, "c", 0, true, "CI failed in a new way; fix attempt 2 of 2"},
		{"own limit", []CIAttempt{fixed("a")}, "b", 1, false, "LifeOS has used its 1 fix attempts on this PR"},
		{"same failure wins over the limit", []CIAttempt{fixed("a"), fixed("b")}, "b", 0, false, same},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := CIFix(tt.attempts, tt.sig, tt.max)
			if d.Allow != tt.allow || d.Reason != tt.reason || d.Rule != "ci.fix" {
				t.Errorf("CIFix = %+v, want allow %v reason %q", d, tt.allow, tt.reason)
			}
		})
	}
}
