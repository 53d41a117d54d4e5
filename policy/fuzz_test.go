package policy

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// FuzzParseFile checks ParseFile on any bytes: it never panics; what it
// refuses is a *FileError listing located problems; and what it accepts
// yields a Policy held to the server's ceilings, both the defaults and a
// tight set. Its corpus is checked in under testdata/fuzz/FuzzParseFile.
func FuzzParseFile(f *testing.F) {
	example, err := os.ReadFile("testdata/lifeos.example.yml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add(bytes.Repeat([]byte("#"), MaxFileSize+1))
	for _, s := range []string{
		"",
		"# only a comment\n",
		"version: 1\n",
		"version: 2\n",
		"limits:\n  max_turns: 1000000\n  max_cost_per_run: 999999.99\n  monthly_budget: 1e9\n",
		"limits: {max_files: 0, max_lines: -1, max_turns: 0.5}\n",
		"limits:\n  max_cost_per_run: -1\n  monthly_budget: \"0.0000001\"\n",
		"autonomy: 4\nauto_merge:\n  max_files: 100000\n  max_lines: 100000\n",
		"autonomy: 9\n",
		"trigger:\n  label: lifeos:go\n  min_permission: read\n  users: [a--b]\n",
		"paths:\n  allow: [\"/abs\", \"a[\"]\n  deny: [\"\"]\n",
		"a: 1\n---\nb: 2\n",
		"limits: &a {max_turns: 5}\nauto_merge: *a\n",
		"[1, 2]\n",
		"key: [unclosed\n",
		"\t- tab\n",
		"model: \"gpt 4\"\ncheap_model: gpt-4.1-mini\n",
		"branch:\n  delete_after_close: maybe\n",
	} {
		f.Add([]byte(s))
	}
	tight := Ceilings{
		MaxTurns: 3, MaxMinutes: 5, MaxCostPerRun: 10 * Cent, MonthlyBudgetRepo: Dollar, MonthlyBudgetInstallation: 2 * Dollar,
		MaxAutonomy: RungAutoMerge, AllowedModels: []string{"gpt-4.1"}, DefaultModel: "gpt-4.1", DefaultCheapModel: "gpt-4.1",
		MaxFiles: 2, MaxLines: 10,
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseFile(data)
		if err != nil {
			if file != nil {
				t.Fatalf("ParseFile(%q) returned a file and the error %v", data, err)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("ParseFile(%q) failed with %T, not *FileError: %v", data, err, err)
			}
			if len(fe.Problems) == 0 {
				t.Fatalf("ParseFile(%q) failed with no problems listed", data)
			}
			for _, p := range fe.Problems {
				if p.Line < 0 || p.Column < 0 || p.Message == "" {
					t.Fatalf("ParseFile(%q): problem %+v has a negative place or no message", data, p)
				}
			}
			return
		}
		if file == nil {
			t.Fatalf("ParseFile(%q) returned neither a file nor an error", data)
		}
		for _, c := range []Ceilings{DefaultCeilings(), tight} {
			checkUnderCeilings(t, data, file, c)
		}
	})
}

// checkUnderCeilings checks that the policy Effective makes of file never
// exceeds c: with every ceiling positive, a limit of 0 (unlimited) would
// exceed it too.
func checkUnderCeilings(t *testing.T, data []byte, file *File, c Ceilings) {
	t.Helper()
	p, _ := Effective(file, c)
	ints := []struct {
		name       string
		got, limit int
	}{
		{"max turns", p.MaxTurns, c.MaxTurns},
		{"max minutes", p.MaxMinutes, c.MaxMinutes},
		{"max files", p.MaxFiles, c.MaxFiles},
		{"max lines", p.MaxLines, c.MaxLines},
		{"auto-merge max files", p.AutoMergeMaxFiles, p.MaxFiles},
		{"auto-merge max lines", p.AutoMergeMaxLines, p.MaxLines},
		{"autonomy", p.Autonomy, c.MaxAutonomy},
	}
	for _, v := range ints {
		if v.got <= 0 || v.got > v.limit {
			t.Fatalf("policy of %q under %+v: %s is %d, want 1 to %d", data, c, v.name, v.got, v.limit)
		}
	}
	money := []struct {
		name       string
		got, limit Money
	}{
		{"max cost per run", p.MaxCostPerRun, c.MaxCostPerRun},
		{"monthly budget", p.MonthlyBudget, c.MonthlyBudgetRepo},
		{"installation budget", p.MonthlyBudgetInstallation, c.MonthlyBudgetInstallation},
	}
	for _, v := range money {
		if v.got <= 0 || v.got > v.limit {
			t.Fatalf("policy of %q under %+v: %s is %s, want more than 0 and at most %s", data, c, v.name, v.got, v.limit)
		}
	}
	for _, m := range []string{p.Model, p.CheapModel} {
		if m == "" || !ModelAllowed(m, c.AllowedModels) {
			t.Fatalf("policy of %q under %+v: model %q is not allowed", data, c, m)
		}
	}
}
