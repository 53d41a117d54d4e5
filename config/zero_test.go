package config

import "testing"

// TestZeroSettings: README's rule for 0 in the settings: a money ceiling
// of 0 is no ceiling; a count of 0 is refused.
func TestZeroSettings(t *testing.T) {
	tests := []struct {
		name, value string
		ok          bool
	}{
		{"LIFEOS_MAX_COST_PER_RUN", "0", true},
		{"LIFEOS_MONTHLY_BUDGET", "0", true},
		{"LIFEOS_MONTHLY_BUDGET_INSTALLATION", "0", true},
		{"LIFEOS_MAX_TURNS", "0", false},
		{"LIFEOS_MAX_RUN_MINUTES", "0", false},
		{"LIFEOS_MAX_FILES", "0", false},
		{"LIFEOS_MAX_LINES", "0", false},
		{"LIFEOS_MAX_BYTES", "0", false},
		{"LIFEOS_MAX_AUTONOMY", "0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadCeilings(func(k string) string {
				if k == tt.name {
					return tt.value
				}
				return ""
			})
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
			if tt.ok && c.MaxCostPerRun*c.MonthlyBudgetRepo*c.MonthlyBudgetInstallation != 0 {
				t.Errorf("a 0 ceiling was not kept as 0 (no limit): %+v", c)
			}
		})
	}
}
