package policy

import "testing"

func TestCanTrigger(t *testing.T) {
	tests := []struct {
		role  string
		allow bool
	}{
		{"admin", true},
		{"maintain", true},
		{"write", true},
		{"triage", false},
		{"read", false},
		{"none", false},
		{"", false},
		{"owner", false},
	}
	for _, tt := range tests {
		d := CanTrigger("octo", tt.role)
		if d.Allow != tt.allow {
			t.Errorf("CanTrigger(%q) = %v, want %v (%s)", tt.role, d.Allow, tt.allow, d.Reason)
		}
		if d.Rule == "" || d.Reason == "" {
			t.Errorf("CanTrigger(%q) has no rule or reason: %+v", tt.role, d)
		}
		if IsTrusted(tt.role) != tt.allow {
			t.Errorf("IsTrusted(%q) = %v, want %v", tt.role, !tt.allow, tt.allow)
		}
	}
}
