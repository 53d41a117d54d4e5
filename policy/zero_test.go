package policy

import (
	"strings"
	"testing"
)

// TestZeroLimits holds the policy to README's rule for 0: an amount of
// money of 0 sets no limit at its level (a repository's 0 leaves the
// server's ceiling in force; the server's 0 is no ceiling), and a count
// (files, lines, bytes, turns, minutes) of 0 is an error.
func TestZeroLimits(t *testing.T) {
	server := DefaultCeilings()
	noCeiling := DefaultCeilings()
	noCeiling.MaxCostPerRun, noCeiling.MonthlyBudgetRepo = 0, 0
	tests := []struct {
		name       string
		file       string
		c          Ceilings
		runCap     Money // the effective max_cost_per_run
		monthly    Money
		problemKey string // a problem expected on this key, instead
	}{
		{"repo money 0: the server's ceilings", "limits:\n  max_cost_per_run: 0\n  monthly_budget: 0\n", server, server.MaxCostPerRun, server.MonthlyBudgetRepo, ""},
		{"repo money absent: the server's ceilings", "", server, server.MaxCostPerRun, server.MonthlyBudgetRepo, ""},
		{"server money 0, repo absent: no limit", "", noCeiling, 0, 0, ""},
		{"server money 0, repo 0: no limit", "limits:\n  max_cost_per_run: 0\n", noCeiling, 0, 0, ""},
		{"server money 0, repo sets one: the repo's", "limits:\n  max_cost_per_run: 2.00\n  monthly_budget: 30\n", noCeiling, 2 * Dollar, 30 * Dollar, ""},
		{"repo max_turns 0 is an error", "limits:\n  max_turns: 0\n", server, 0, 0, "limits.max_turns"},
		{"repo max_files 0 is an error", "limits:\n  max_files: 0\n", server, 0, 0, "limits.max_files"},
		{"repo max_minutes 0 is an error", "limits:\n  max_minutes: 0\n", server, 0, 0, "limits.max_minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFile([]byte(tt.file))
			if tt.problemKey != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problemKey) {
					t.Fatalf("err = %v, want a problem on %s", err, tt.problemKey)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, _ := Effective(f, tt.c)
			if p.MaxCostPerRun != tt.runCap || p.MonthlyBudget != tt.monthly {
				t.Errorf("max_cost_per_run %s, monthly_budget %s; want %s, %s", p.MaxCostPerRun, p.MonthlyBudget, tt.runCap, tt.monthly)
			}
			if tt.runCap == 0 && (RunCapReached(1000*Dollar, p.MaxCostPerRun) || RunReservation(p, 0) != 0) {
				t.Error("no per-run limit, yet a cap is reached or reserved")
			}
		})
	}
}
