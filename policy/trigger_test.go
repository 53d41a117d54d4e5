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

func TestRoleOf(t *testing.T) {
	tests := []struct{ roleName, permission, want string }{
		{"maintain", "write", "maintain"},
		{"triage", "read", "triage"},
		{"admin", "admin", "admin"},
		// A custom repository role comes back under its own name; the
		// permission it is built on decides.
		{"release-manager", "write", "write"},
		{"auditor", "read", "read"},
		{"", "write", "write"},
		{"", "", "none"},
	}
	for _, tt := range tests {
		if got := RoleOf(tt.roleName, tt.permission); got != tt.want {
			t.Errorf("RoleOf(%q, %q) = %q, want %q", tt.roleName, tt.permission, got, tt.want)
		}
	}
}
