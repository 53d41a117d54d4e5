package policy

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/names"
)

func TestEffective(t *testing.T) {
	def := DefaultCeilings()
	withModels := def
	withModels.AllowedModels = []string{"gpt-4.1", "gpt-4.1-mini", "o4-mini"}
	highAutonomy := def
	highAutonomy.MaxAutonomy = RungPropose
	unlimited := Ceilings{DefaultModel: "m", MaxAutonomy: RungPropose}

	tests := []struct {
		name  string
		file  *File
		c     Ceilings
		check func(t *testing.T, p Policy)
		rules []string // rules of the decisions, in any order
		// reasons holds a substring each decision's reason must contain, by rule.
		reasons map[string]string
	}{
		{
			name: "no file: ceilings and defaults",
			file: nil, c: def,
			check: func(t *testing.T, p Policy) {
				want := Policy{
					TriggerLabel: names.TriggerLabel, MinPermission: "write",
					MaxFiles: DefaultMaxFiles, MaxLines: DefaultMaxLines, MaxBytes: DefaultMaxBytes, MaxTurns: DefaultMaxTurns, MaxMinutes: DefaultMaxMinutes,
					MaxCostPerRun: 5 * Dollar, MonthlyBudget: 100 * Dollar, MonthlyBudgetInstallation: 500 * Dollar,
					Model: "gpt-4.1", CheapModel: "gpt-4.1-mini", Autonomy: RungTriggered,
					AutoMergeMaxFiles: DefaultMaxFiles, AutoMergeMaxLines: DefaultMaxLines,
					DeleteBranchAfterClose: true, MaxProposals: DefaultMaxProposals,
				}
				if !reflect.DeepEqual(p, want) {
					t.Errorf("got\n%+v\nwant\n%+v", p, want)
				}
			},
		},
		{
			name: "repo lowers everything: no decisions",
			file: &File{
				Trigger: TriggerFile{Label: "go", MinPermission: "admin", Users: []string{"a"}, Teams: []string{"o/t"}},
				Paths:   PathsFile{Allow: []string{"src/**"}, Deny: []string{"x/**"}},
				Limits:  LimitsFile{MaxFiles: 3, MaxLines: 40, MaxBytes: 50000, MaxTurns: 10, MaxMinutes: 5, MaxCostPerRun: Dollar, MonthlyBudget: 20 * Dollar},
				Model:   "gpt-4.1-mini", CheapModel: "gpt-4.1-nano", Autonomy: 2,
				Branch: BranchFile{DeleteAfterClose: ptr(false)},
			},
			c: def,
			check: func(t *testing.T, p Policy) {
				want := Policy{
					TriggerLabel: "go", MinPermission: "admin", Users: []string{"a"}, Teams: []string{"o/t"},
					Allow: []string{"src/**"}, Deny: []string{"x/**"},
					MaxFiles: 3, MaxLines: 40, MaxBytes: 50000, MaxTurns: 10, MaxMinutes: 5,
					MaxCostPerRun: Dollar, MonthlyBudget: 20 * Dollar, MonthlyBudgetInstallation: 500 * Dollar,
					Model: "gpt-4.1-mini", CheapModel: "gpt-4.1-nano", Autonomy: 2,
					AutoMergeMaxFiles: 3, AutoMergeMaxLines: 40, MaxProposals: DefaultMaxProposals,
				}
				if !reflect.DeepEqual(p, want) {
					t.Errorf("got\n%+v\nwant\n%+v", p, want)
				}
			},
		},
		{
			name: "repo asks for more than the ceilings",
			file: &File{Limits: LimitsFile{MaxFiles: 100, MaxLines: 5000, MaxBytes: 2 * DefaultMaxBytes, MaxTurns: 80, MaxMinutes: 90, MaxCostPerRun: 10 * Dollar, MonthlyBudget: 1000 * Dollar}, Autonomy: 4},
			c:    def,
			check: func(t *testing.T, p Policy) {
				if p.MaxFiles != DefaultMaxFiles || p.MaxLines != DefaultMaxLines || p.MaxTurns != 40 || p.MaxMinutes != DefaultMaxMinutes ||
					p.MaxCostPerRun != 5*Dollar || p.MonthlyBudget != 100*Dollar || p.Autonomy != RungPlanFirst {
					t.Errorf("not clamped: %+v", p)
				}
			},
			rules: []string{"limits.max_files", "limits.max_lines", "limits.max_bytes", "limits.max_turns", "limits.max_minutes", "limits.max_cost_per_run", "limits.monthly_budget", "autonomy"},
			reasons: map[string]string{
				"limits.max_turns":        "repo asked for 80, the server allows at most 40",
				"limits.max_minutes":      "repo asked for 90, the server allows at most 20",
				"limits.max_cost_per_run": "repo asked for $10.00, the server allows at most $5.00",
				"limits.monthly_budget":   "$1000.00",
				"autonomy":                "rung 4, the server allows at most rung 2",
				"limits.max_files":        "at most 30",
				"limits.max_lines":        "at most 1000",
				"limits.max_bytes":        "the server allows at most 1048576",
			},
		},
		{
			name: "equal to the ceiling is not a clamp",
			file: &File{Limits: LimitsFile{MaxTurns: 40, MaxCostPerRun: 5 * Dollar}, Autonomy: 2},
			c:    def,
			check: func(t *testing.T, p Policy) {
				if p.MaxTurns != 40 || p.MaxCostPerRun != 5*Dollar || p.Autonomy != 2 {
					t.Errorf("got %+v", p)
				}
			},
		},
		{
			name: "unlimited ceilings take the repo's values",
			file: &File{Limits: LimitsFile{MaxTurns: 500, MaxMinutes: 120, MonthlyBudget: 9000 * Dollar}, Autonomy: 4},
			c:    unlimited,
			check: func(t *testing.T, p Policy) {
				if p.MaxTurns != 500 || p.MaxMinutes != 120 || p.MonthlyBudget != 9000*Dollar || p.Autonomy != 4 || p.MaxFiles != 0 || p.MaxCostPerRun != 0 {
					t.Errorf("got %+v", p)
				}
			},
		},
		{
			name: "model not allowed falls back to the defaults",
			file: &File{Model: "gpt-5", CheapModel: "gpt-5-nano"},
			c:    withModels,
			check: func(t *testing.T, p Policy) {
				if p.Model != "gpt-4.1" || p.CheapModel != "gpt-4.1-mini" {
					t.Errorf("got models %q, %q", p.Model, p.CheapModel)
				}
			},
			rules:   []string{"model", "cheap_model"},
			reasons: map[string]string{"model": "repo asked for gpt-5, which the server does not allow (allowed: gpt-4.1, gpt-4.1-mini, o4-mini); using gpt-4.1"},
		},
		{
			name: "allowed model and dated snapshot of one",
			file: &File{Model: "o4-mini", CheapModel: "gpt-4.1-mini-2025-04-14"},
			c:    withModels,
			check: func(t *testing.T, p Policy) {
				if p.Model != "o4-mini" || p.CheapModel != "gpt-4.1-mini-2025-04-14" {
					t.Errorf("got models %q, %q", p.Model, p.CheapModel)
				}
			},
		},
		{
			name: "no server cheap model: cheap is the main model",
			file: &File{Model: "x"},
			c:    Ceilings{DefaultModel: "d"},
			check: func(t *testing.T, p Policy) {
				if p.Model != "x" || p.CheapModel != "x" || p.Autonomy != RungTriggered {
					t.Errorf("got %+v", p)
				}
			},
		},
		{
			name: "auto_merge bounds sit inside the limits",
			file: &File{Limits: LimitsFile{MaxFiles: 10, MaxLines: 200}, Autonomy: 3,
				AutoMerge: AutoMergeFile{Paths: []string{"docs/**"}, MaxFiles: 20, MaxLines: 100}},
			c: highAutonomy,
			check: func(t *testing.T, p Policy) {
				if p.AutoMergeMaxFiles != 10 || p.AutoMergeMaxLines != 100 || p.Autonomy != 3 {
					t.Errorf("got %+v", p)
				}
			},
			rules:   []string{"auto_merge.max_files"},
			reasons: map[string]string{"auto_merge.max_files": "repo asked for 20, more than limits.max_files; using 10"},
		},
		{
			name: "auto_merge set below rung 3 is noted",
			file: &File{Autonomy: 3, AutoMerge: AutoMergeFile{Paths: []string{"docs/**"}}},
			c:    def,
			check: func(t *testing.T, p Policy) {
				if p.Autonomy != RungPlanFirst || len(p.AutoMergePaths) != 1 {
					t.Errorf("got %+v", p)
				}
			},
			rules:   []string{"autonomy", "auto_merge"},
			reasons: map[string]string{"auto_merge": "nothing merges automatically"},
		},
		{
			name: "no label: the server's trigger label",
			file: &File{}, c: serverLabel("lifeos:go"),
			check: func(t *testing.T, p Policy) {
				if p.TriggerLabel != "lifeos:go" {
					t.Errorf("trigger label %q", p.TriggerLabel)
				}
			},
		},
		{
			name: "the repository's label over the server's",
			file: &File{Trigger: TriggerFile{Label: "lifeos:mine"}}, c: serverLabel("lifeos:go"),
			check: func(t *testing.T, p Policy) {
				if p.TriggerLabel != "lifeos:mine" {
					t.Errorf("trigger label %q", p.TriggerLabel)
				}
			},
		},
		{
			name: "zero ceilings: the default trigger label",
			file: nil, c: Ceilings{},
			check: func(t *testing.T, p Policy) {
				if p.TriggerLabel != names.TriggerLabel {
					t.Errorf("trigger label %q", p.TriggerLabel)
				}
			},
		},
		{
			name: "server autonomy ceiling below 1 counts as 1",
			file: &File{Autonomy: 2},
			c:    Ceilings{},
			check: func(t *testing.T, p Policy) {
				if p.Autonomy != RungTriggered {
					t.Errorf("autonomy %d", p.Autonomy)
				}
			},
			rules: []string{"autonomy"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ds := Effective(tt.file, tt.c)
			tt.check(t, p)
			var rules []string
			for _, d := range ds {
				rules = append(rules, d.Rule)
				if d.Allow || d.Reason == "" {
					t.Errorf("decision %+v: want Allow false and a reason", d)
				}
				if want, ok := tt.reasons[d.Rule]; ok && !strings.Contains(d.Reason, want) {
					t.Errorf("%s reason %q does not contain %q", d.Rule, d.Reason, want)
				}
			}
			sort.Strings(rules)
			want := append([]string(nil), tt.rules...)
			sort.Strings(want)
			if !reflect.DeepEqual(rules, want) {
				t.Errorf("decision rules = %v, want %v\n%+v", rules, want, ds)
			}
		})
	}
}

// The effective policy must not share slices with the file it came from.
func TestEffectiveCopiesSlices(t *testing.T) {
	f := &File{Paths: PathsFile{Allow: []string{"a/**"}}}
	p, _ := Effective(f, DefaultCeilings())
	p.Allow[0] = "changed"
	if f.Paths.Allow[0] != "a/**" {
		t.Error("Effective shares Allow with the file")
	}
}

func TestRungs(t *testing.T) {
	tests := []struct {
		autonomy            int
		plan, propose, auto bool
	}{
		{0, false, false, false},
		{1, false, false, false},
		{2, true, false, false},
		{3, false, false, true},
		{4, false, true, true},
	}
	for _, tt := range tests {
		p := Policy{Autonomy: tt.autonomy, AutoMergePaths: []string{"**"}}
		if got := NeedsPlanApproval(p); got != tt.plan {
			t.Errorf("rung %d: NeedsPlanApproval = %v", tt.autonomy, got)
		}
		if got := MayPropose(p); got != tt.propose {
			t.Errorf("rung %d: MayPropose = %v", tt.autonomy, got)
		}
		if got := CanAutoMerge(p, []ChangeStat{{Path: "a.go", Added: 1}}, true).Allow; got != tt.auto {
			t.Errorf("rung %d: CanAutoMerge = %v", tt.autonomy, got)
		}
	}
}

func TestCanTriggerWith(t *testing.T) {
	open := Policy{}
	maintainers := Policy{MinPermission: "maintain"}
	allow := Policy{MinPermission: "write", Users: []string{"alice", "@Bob"}, Teams: []string{"acme/core"}}
	teamsOnly := Policy{Teams: []string{"acme/core"}}
	weird := Policy{MinPermission: "read"} // hand-built; must not lower the bar

	tests := []struct {
		name  string
		p     Policy
		login string
		role  string
		teams []string
		allow bool
		rule  string
	}{
		{"no policy, writer", open, "x", "write", nil, true, "trigger.min_permission"},
		{"no policy, triage", open, "x", "triage", nil, false, "trigger.permission"},
		{"no policy, unknown role", open, "x", "owner", nil, false, "trigger.permission"},
		{"maintain required, writer", maintainers, "x", "write", nil, false, "trigger.min_permission"},
		{"maintain required, maintainer", maintainers, "x", "maintain", nil, true, "trigger.min_permission"},
		{"maintain required, admin", maintainers, "x", "admin", nil, true, "trigger.min_permission"},
		{"min below write is ignored", weird, "x", "read", nil, false, "trigger.permission"},
		{"listed user", allow, "alice", "write", nil, true, "trigger.users"},
		{"listed user, other case and @", allow, "bob", "admin", nil, true, "trigger.users"},
		{"listed user without write", allow, "alice", "read", nil, false, "trigger.permission"},
		{"unlisted user", allow, "carol", "admin", nil, false, "trigger.allowlist"},
		{"unlisted user in another team", allow, "carol", "admin", []string{"acme/other"}, false, "trigger.allowlist"},
		{"team member", allow, "carol", "write", []string{"acme/other", "ACME/core"}, true, "trigger.teams"},
		{"team member without write", teamsOnly, "carol", "triage", []string{"acme/core"}, false, "trigger.permission"},
		{"teams only, member", teamsOnly, "dave", "maintain", []string{"acme/core"}, true, "trigger.teams"},
		{"teams only, non-member", teamsOnly, "dave", "maintain", nil, false, "trigger.allowlist"},
	}
	for _, tt := range tests {
		d := CanTriggerWith(tt.p, tt.login, tt.role, tt.teams)
		if d.Allow != tt.allow || d.Rule != tt.rule || !strings.Contains(d.Reason, "@"+tt.login) {
			t.Errorf("%s: got %+v, want allow=%v rule=%s and a reason naming @%s", tt.name, d, tt.allow, tt.rule, tt.login)
		}
	}
}

func TestPolicyYAMLRoundTrips(t *testing.T) {
	f, err := ParseFile([]byte(fullExample))
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultCeilings()
	c.MaxAutonomy = RungPropose
	p, _ := Effective(f, c)
	out := p.YAML()
	if out != p.String() {
		t.Error("String and YAML differ")
	}
	// The rendering is itself a valid policy file and means the same thing
	// (the built-in denies come back as repository denies, which is harmless).
	back, err := ParseFile([]byte(out))
	if err != nil {
		t.Fatalf("rendered policy does not parse: %v\n%s", err, out)
	}
	p2, ds := Effective(back, c)
	if len(ds) != 0 {
		t.Errorf("re-applying the rendered policy clamps: %+v", ds)
	}
	p2.Deny = p2.Deny[len(BuiltinDenies()):]
	if !reflect.DeepEqual(p, p2) {
		t.Errorf("round trip changed the policy:\n%+v\n%+v\n%s", p, p2, out)
	}
	for _, want := range []string{"label: lifeos:go", "max_cost_per_run: 2.00", "monthly_budget: 50.00", "built-in: ", "autonomy: 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("rendering lacks %q:\n%s", want, out)
		}
	}
}

func TestPolicyYAMLUnlimited(t *testing.T) {
	p, _ := Effective(nil, Ceilings{DefaultModel: "m"})
	out := p.YAML()
	if !strings.Contains(out, "max_turns: null # no limit") || !strings.Contains(out, "monthly_budget: null # no limit") {
		t.Errorf("unlimited values not rendered as such:\n%s", out)
	}
	back, err := ParseFile([]byte(out))
	if err != nil {
		t.Fatalf("rendered policy does not parse: %v\n%s", err, out)
	}
	if back.Limits.MaxTurns != 0 || back.Limits.MonthlyBudget != 0 {
		t.Errorf("unlimited values came back as %+v", back.Limits)
	}
}
