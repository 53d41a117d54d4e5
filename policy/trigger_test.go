package policy

import (
	"strings"
	"testing"
)

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

func TestLabelDecision(t *testing.T) {
	def := DefaultCeilings()
	custom := def
	custom.TriggerLabel = "ai-do"
	tests := []struct {
		name   string
		label  string
		c      Ceilings
		allow  bool
		reason []string // substrings of the reason
	}{
		{"the server's label", "lifeos:do", def, true, []string{"server's trigger label"}},
		{"inside the namespace", "lifeos:ship-it", def, true, []string{`"lifeos:"`}},
		{"outside the namespace", "ai-do", def, false, []string{`"ai-do"`, "never", `"lifeos:do"`, `"lifeos:"`, `"lifeos:ai-do"`}},
		{"namespace prefix needs the colon", "lifeos", def, false, []string{`"lifeos"`, "never"}},
		{"the server's own label outside the namespace", "ai-do", custom, true, []string{"server's trigger label"}},
		{"another label on a custom server", "ai-go", custom, false, []string{`"ai-do"`, `"ai-go"`}},
		{"zero ceilings mean the defaults", "lifeos:do", Ceilings{}, true, nil},
		{"zero ceilings still refuse", "ai-do", Ceilings{}, false, []string{`"lifeos:do"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := LabelDecision(tt.label, tt.c)
			if d.Allow != tt.allow || d.Rule != RuleTriggerNamespace || d.Reason == "" {
				t.Errorf("LabelDecision(%q) = %+v, want allow %v", tt.label, d, tt.allow)
			}
			for _, w := range tt.reason {
				if !strings.Contains(d.Reason, w) {
					t.Errorf("reason %q lacks %q", d.Reason, w)
				}
			}
		})
	}
}
