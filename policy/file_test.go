package policy

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/names"
)

func ptr[T any](v T) *T { return &v }

const fullExample = `version: 1
trigger:
  label: lifeos:go
  min_permission: maintain
  users: [alice, "@bob"]
  teams: [org/team-slug]
paths:
  allow: ["src/**", "docs/**"]
  deny: ["secrets/**"]
limits:
  max_files: 20
  max_lines: 500
  max_bytes: 200000
  max_turns: 30
  max_minutes: 15
  max_cost_per_run: 2.00
  monthly_budget: 50
model: gpt-4.1
cheap_model: gpt-4.1-mini
autonomy: 3
auto_merge:
  paths: ["docs/**"]
  max_files: 5
  max_lines: 100
branch:
  delete_after_close: false
`

func TestParseFileValid(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want *File
	}{
		{"empty", "", &File{}},
		{"only comments", "# nothing here\n\n# yet\n", &File{}},
		{"empty document marker", "---\n", &File{}},
		{"empty mapping", "{}\n", &File{}},
		{"null sections are absent", "trigger:\nlimits: ~\npaths:\n  allow:\n", &File{}},
		{"full", fullExample, &File{
			Version: 1,
			Trigger: TriggerFile{Label: "lifeos:go", MinPermission: "maintain", Users: []string{"alice", "bob"}, Teams: []string{"org/team-slug"}},
			Paths:   PathsFile{Allow: []string{"src/**", "docs/**"}, Deny: []string{"secrets/**"}},
			Limits: LimitsFile{MaxFiles: 20, MaxLines: 500, MaxBytes: 200000, MaxTurns: 30, MaxMinutes: 15,
				MaxCostPerRun: 2 * Dollar, MonthlyBudget: 50 * Dollar},
			Model:      "gpt-4.1",
			CheapModel: "gpt-4.1-mini",
			Autonomy:   3,
			AutoMerge:  AutoMergeFile{Paths: []string{"docs/**"}, MaxFiles: 5, MaxLines: 100},
			Branch:     BranchFile{DeleteAfterClose: ptr(false)},
		}},
		{"money forms", "limits:\n  max_cost_per_run: \"$1.25\"\n  monthly_budget: 0.5\n",
			&File{Limits: LimitsFile{MaxCostPerRun: 125 * Cent, MonthlyBudget: 50 * Cent}}},
		{"zero money means no repo limit", "limits:\n  monthly_budget: 0\n", &File{}},
		{"anchors and aliases", "auto_merge:\n  paths: &docs [\"docs/**\"]\npaths:\n  allow: *docs\n",
			&File{AutoMerge: AutoMergeFile{Paths: []string{"docs/**"}}, Paths: PathsFile{Allow: []string{"docs/**"}}}},
		{"block lists and bot logins", "trigger:\n  users:\n    - dependabot[bot]\n    - Octo-Cat\n",
			&File{Trigger: TriggerFile{Users: []string{"dependabot[bot]", "Octo-Cat"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFile([]byte(tt.yaml))
			if err != nil {
				t.Fatalf("ParseFile: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseFile =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// wantProblem matches a Problem: Line and Key exactly, Column if not 0, and
// a substring of Message.
type wantProblem struct {
	line, col int
	key, msg  string
}

func TestParseFileProblems(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []wantProblem
	}{
		{"unknown top-level key", "version: 1\nmodle: gpt-4.1\n",
			[]wantProblem{{2, 1, "modle", "did you mean model?"}}},
		{"unknown key, no near match lists known keys", "zzzzzzzz: 1\n",
			[]wantProblem{{1, 1, "zzzzzzzz", "known keys: version, trigger"}}},
		{"unknown key in trigger", "trigger:\n  lable: x\n",
			[]wantProblem{{2, 3, "trigger.lable", "did you mean label?"}}},
		{"unknown key in limits", "limits:\n  max_files: 3\n  max_turn: 3\n",
			[]wantProblem{{3, 3, "limits.max_turn", "did you mean max_turns?"}}},
		{"unknown key in auto_merge", "auto_merge:\n  paths: [a]\n  when: always\n",
			[]wantProblem{{3, 3, "auto_merge.when", "unknown key"}}},
		{"unknown key in branch", "branch:\n  delete: true\n",
			[]wantProblem{{2, 3, "branch.delete", "unknown key"}}},
		{"unknown key in flow mapping", "paths: {allow: [a], denied: [b]}\n",
			[]wantProblem{{1, 21, "paths.denied", "did you mean deny?"}}},
		{"github_allow outside .github", "paths:\n  github_allow: [src/**]\n",
			[]wantProblem{{2, 0, "paths.github_allow[0]", "not under .github/"}}},
		{"github_allow opening all of .github", "paths:\n  github_allow: [\".github/**\"]\n",
			[]wantProblem{{2, 0, "paths.github_allow[0]", "stay denied"}}},
		{"github_allow opening workflows", "paths:\n  github_allow: [ok.md, .github/workflows/ci.yml]\n",
			[]wantProblem{{2, 0, "paths.github_allow[0]", "not under"}, {2, 0, "paths.github_allow[1]", "stay denied"}}},
		{"github_allow opening the policy file", "paths:\n  github_allow: [\".github/*.yml\"]\n",
			[]wantProblem{{2, 0, "paths.github_allow[0]", "stay denied"}}},
		{"secret glob invalid", "paths:\n  secret: [\"[\"]\n",
			[]wantProblem{{2, 0, "paths.secret[0]", "not a valid glob"}}},
		{"duplicate key", "model: a\nmodel: b\n",
			[]wantProblem{{2, 1, "model", "set twice"}}},

		{"number as a string", "limits:\n  max_files: twenty\n",
			[]wantProblem{{2, 14, "limits.max_files", `whole number, got "twenty"`}}},
		{"quoted number is a string", "limits:\n  max_turns: \"3\"\n",
			[]wantProblem{{2, 0, "limits.max_turns", "whole number"}}},
		{"fraction for an integer", "autonomy: 1.5\n",
			[]wantProblem{{1, 11, "autonomy", "whole number"}}},
		{"minutes as a duration", "limits:\n  max_minutes: 20m\n",
			[]wantProblem{{2, 16, "limits.max_minutes", `whole number, got "20m"`}}},
		{"zero minutes", "limits:\n  max_minutes: 0\n",
			[]wantProblem{{2, 16, "limits.max_minutes", "positive"}}},
		{"zero", "limits:\n  max_lines: 0\n",
			[]wantProblem{{2, 0, "limits.max_lines", "positive"}}},
		{"zero bytes", "limits:\n  max_bytes: 0\n",
			[]wantProblem{{2, 0, "limits.max_bytes", "positive"}}},
		{"negative", "auto_merge:\n  max_files: -2\n",
			[]wantProblem{{2, 0, "auto_merge.max_files", "positive"}}},
		{"autonomy out of range", "autonomy: 5\n",
			[]wantProblem{{1, 0, "autonomy", "from 1 to 4"}}},
		{"autonomy zero", "autonomy: 0\n",
			[]wantProblem{{1, 0, "autonomy", "from 1 to 4"}}},
		{"list for a number", "limits:\n  max_turns: [1]\n",
			[]wantProblem{{2, 14, "limits.max_turns", "got a list"}}},
		{"scalar for a list", "trigger:\n  users: alice\n",
			[]wantProblem{{2, 10, "trigger.users", "must be a list of GitHub logins"}}},
		{"scalar for a section", "limits: 5\n",
			[]wantProblem{{1, 9, "limits", "must be a mapping"}}},
		{"root is a list", "- a\n- b\n",
			[]wantProblem{{1, 1, "", "the file must be a mapping"}}},
		{"yes is not a bool", "branch:\n  delete_after_close: yes\n",
			[]wantProblem{{2, 23, "branch.delete_after_close", "true or false"}}},
		{"mapping for a model", "model: {name: x}\n",
			[]wantProblem{{1, 8, "model", "must be a model name"}}},
		{"model with spaces", "cheap_model: gpt 4\n",
			[]wantProblem{{1, 14, "cheap_model", "not a model name"}}},
		{"unsupported version", "version: 2\n",
			[]wantProblem{{1, 10, "version", "not supported"}}},
		{"permission below write", "trigger:\n  min_permission: triage\n",
			[]wantProblem{{2, 19, "trigger.min_permission", "cannot be triage"}}},
		{"unknown permission", "trigger:\n  min_permission: owner\n",
			[]wantProblem{{2, 19, "trigger.min_permission", `got "owner"`}}},
		{"bad login", "trigger:\n  users: [ok, \"not a login\", -x]\n",
			[]wantProblem{{2, 15, "trigger.users[1]", "not a GitHub login"}, {2, 30, "trigger.users[2]", "not a GitHub login"}}},
		{"team without org", "trigger:\n  teams: [maintainers]\n",
			[]wantProblem{{2, 11, "trigger.teams[0]", "org/team-slug"}}},
		{"empty label", "trigger:\n  label: \"\"\n",
			[]wantProblem{{2, 10, "trigger.label", "must not be empty"}}},
		{"long label", "trigger:\n  label: " + strings.Repeat("x", 51) + "\n",
			[]wantProblem{{2, 10, "trigger.label", "at most 50"}}},
		{"money not a number", "limits:\n  max_cost_per_run: lots\n",
			[]wantProblem{{2, 21, "limits.max_cost_per_run", "amount of US dollars"}}},
		{"negative money", "limits:\n  monthly_budget: -5\n",
			[]wantProblem{{2, 19, "limits.monthly_budget", "negative"}}},
		{"too precise money", "limits:\n  monthly_budget: 1.0000001\n",
			[]wantProblem{{2, 19, "limits.monthly_budget", "decimals"}}},
		{"bool money", "limits:\n  monthly_budget: true\n",
			[]wantProblem{{2, 19, "limits.monthly_budget", "amount of US dollars"}}},

		{"bad glob", "paths:\n  deny: [\"ok/**\", \"src/[a\"]\n",
			[]wantProblem{{2, 19, "paths.deny[1]", "not a valid glob"}}},
		{"bad brace glob", "auto_merge:\n  paths: [\"{a,b\"]\n",
			[]wantProblem{{2, 11, "auto_merge.paths[0]", "not a valid glob"}}},
		{"absolute glob", "paths:\n  allow: [\"/src/**\"]\n",
			[]wantProblem{{2, 11, "paths.allow[0]", `write "src/**"`}}},
		{"dot-slash glob", "paths:\n  allow: [\"./src/**\"]\n",
			[]wantProblem{{2, 11, "paths.allow[0]", `write "src/**"`}}},
		{"empty glob", "paths:\n  allow: [\"\"]\n",
			[]wantProblem{{2, 11, "paths.allow[0]", "empty"}}},
		{"mapping in a glob list", "paths:\n  deny:\n    - a/**\n    - {x: 1}\n",
			[]wantProblem{{4, 7, "paths.deny[1]", "must be a glob pattern, got a mapping"}}},

		{"syntax error", "trigger:\n  label: [unclosed\nmodel: x\n",
			[]wantProblem{{2, 0, "", "YAML syntax"}}},
		{"tab indentation", "trigger:\n\tlabel: x\n",
			[]wantProblem{{2, 0, "", "YAML syntax"}}},
		{"unclosed mapping", "a: 1\nb: 2\nlimits: {max_files: 3\n",
			[]wantProblem{{3, 0, "", "YAML syntax"}}},
		{"bad indentation", "trigger:\n  label: x\n min_permission: write\n",
			[]wantProblem{{3, 0, "", "YAML syntax"}}},
		{"too big", "# " + strings.Repeat("x", MaxFileSize) + "\n",
			[]wantProblem{{1, 0, "", "at most"}}},
		{"two documents", "model: a\n---\nmodel: b\n",
			[]wantProblem{{2, 1, "", "more than one YAML document"}}},

		{"several problems at once, in file order", `version: 3
trigger:
  label: ok
  min_permission: read
  colour: blue
paths:
  deny: ["a[", "fine/**"]
limits:
  max_turns: 0
  max_cost_per_run: -1
autonomy: 9
extra: true
`, []wantProblem{
			{1, 10, "version", "not supported"},
			{4, 19, "trigger.min_permission", "cannot be read"},
			{5, 3, "trigger.colour", "unknown key"},
			{7, 10, "paths.deny[0]", "not a valid glob"},
			{9, 14, "limits.max_turns", "positive"},
			{10, 21, "limits.max_cost_per_run", "negative"},
			{11, 11, "autonomy", "from 1 to 4"},
			{12, 1, "extra", "unknown key"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFile([]byte(tt.yaml))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("ParseFile = %+v, %v; want a *FileError", f, err)
			}
			if f != nil {
				t.Errorf("ParseFile returned a File along with problems: %+v", f)
			}
			if len(fe.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(fe.Problems), len(tt.want), fe)
			}
			for i, w := range tt.want {
				p := fe.Problems[i]
				if p.Line != w.line || (w.col != 0 && p.Column != w.col) || p.Key != w.key || !strings.Contains(p.Message, w.msg) {
					t.Errorf("problem %d = %d:%d %q %q; want %d:%d %q containing %q", i, p.Line, p.Column, p.Key, p.Message, w.line, w.col, w.key, w.msg)
				}
			}
			if !strings.Contains(fe.Error(), fe.Problems[0].String()) {
				t.Errorf("Error() %q does not list the first problem", fe.Error())
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Line: 3, Column: 5, Key: "paths.deny[2]", Message: "bad"}, "3:5: paths.deny[2]: bad"},
		{Problem{Line: 3, Message: "YAML syntax: x"}, "3: YAML syntax: x"},
		{Problem{Key: "model", Message: "bad"}, "model: bad"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// The commented example the README shows must stay valid and mean what its
// comments say.
func TestExampleFileParses(t *testing.T) {
	data, err := os.ReadFile("testdata/lifeos.example.yml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile(data)
	if err != nil {
		t.Fatalf("example has problems:\n%v", err)
	}
	if f.Version != FileVersion || f.Trigger.Label != names.TriggerLabel || f.Autonomy != RungAutoMerge ||
		len(f.AutoMerge.Paths) == 0 || f.Limits.MaxCostPerRun != 2*Dollar || f.Branch.DeleteAfterClose == nil {
		t.Errorf("example parsed to something unexpected: %+v", f)
	}
	// Every built-in deny is named in the example's comments.
	for _, b := range BuiltinDenies() {
		if !strings.Contains(string(data), b.Pattern) {
			t.Errorf("example does not mention built-in deny %s", b.Pattern)
		}
	}
}
