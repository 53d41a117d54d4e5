package policy

import (
	"fmt"
	"strings"
	"testing"
)

func TestCheckChanges(t *testing.T) {
	open := Policy{}
	allow := Policy{Allow: []string{"src/**", "docs/**", "README.md"}}
	deny := Policy{Deny: []string{"secrets/**", "**/*.gen"}}
	github := Policy{GitHubAllow: []string{".github/ISSUE_TEMPLATE/**", ".github/dependabot.yml"}}
	secret := Policy{Secret: []string{"config/prod/**"}}
	small := Policy{MaxFiles: 2, MaxLines: 10}
	one := func(path string) []ChangeStat { return []ChangeStat{{Path: path, Added: 1}} }

	// want lists the violations as "rule path" ("rule" alone for limits).
	tests := []struct {
		name    string
		p       Policy
		changes []ChangeStat
		want    []string
	}{
		{"nothing", open, nil, nil},
		{"ordinary file", open, one("src/main.go"), nil},

		{"workflow", open, one(".github/workflows/ci.yml"), []string{"paths.deny .github/workflows/ci.yml"}},
		{"nested workflow", open, one(".github/workflows/sub/x.yaml"), []string{"paths.deny .github/workflows/sub/x.yaml"}},
		{"the rest of .github is denied", open, one(".github/dependabot.yml"), []string{"paths.deny .github/dependabot.yml"}},
		{"github_allow opens a named file", github, one(".github/dependabot.yml"), nil},
		{"github_allow opens a named directory", github, one(".github/ISSUE_TEMPLATE/bug.md"), nil},
		{"github_allow opens nothing else", github, one(".github/FUNDING.yml"), []string{"paths.deny .github/FUNDING.yml"}},
		{"github_allow cannot open workflows", Policy{GitHubAllow: []string{".github/**"}}, one(".github/workflows/ci.yml"), []string{"paths.deny .github/workflows/ci.yml"}},
		{"composite action", github, one(".github/actions/setup/action.yml"), []string{"paths.deny .github/actions/setup/action.yml"}},
		{"action.yml anywhere", open, one("tools/release/action.yml"), []string{"paths.deny tools/release/action.yml"}},
		{"action.yaml at root", open, one("action.yaml"), []string{"paths.deny action.yaml"}},
		{"gitmodules", open, one(".gitmodules"), []string{"paths.deny .gitmodules"}},
		{"gitattributes", open, one("src/.gitattributes"), []string{"paths.deny src/.gitattributes"}},
		{"CODEOWNERS at root", open, one("CODEOWNERS"), []string{"paths.deny CODEOWNERS"}},
		{"CODEOWNERS in docs", open, one("docs/CODEOWNERS"), []string{"paths.deny docs/CODEOWNERS"}},
		{"CODEOWNERS in .github", github, one(".github/CODEOWNERS"), []string{"paths.deny .github/CODEOWNERS"}},
		{"CODEOWNERS elsewhere is a plain file", open, one("src/CODEOWNERS"), nil},
		{"private key file", open, one("deploy/server.key"), []string{"paths.secret deploy/server.key"}},
		{"ssh key", open, one("keys/id_ed25519.pub"), []string{"paths.secret keys/id_ed25519.pub"}},
		{"npmrc", open, one(".npmrc"), []string{"paths.secret .npmrc"}},
		{"repo secret path", secret, one("config/prod/db.yml"), []string{"paths.secret config/prod/db.yml"}},
		{"pem in a directory", open, one("x/key.pem"), []string{"paths.deny x/key.pem"}},
		{"pem at root", open, one("server.pem"), []string{"paths.deny server.pem"}},
		{"pem in upper case", open, one("certs/KEY.PEM"), []string{"paths.deny certs/KEY.PEM"}},
		{"root .env", open, one(".env"), []string{"paths.deny .env"}},
		{"root .env.local", open, one(".env.local"), []string{"paths.deny .env.local"}},
		{"nested .env.production", open, one("a/b/.env.production"), []string{"paths.deny a/b/.env.production"}},
		{".envrc is an env file too", open, one(".envrc"), []string{"paths.deny .envrc"}},
		{"env without dot is fine", open, one("src/env.go"), nil},
		{"own policy", open, one(".github/lifeos.yml"), []string{"paths.deny .github/lifeos.yml"}},
		{"git directory", open, one(".git/hooks/pre-commit"), []string{"paths.deny .git/hooks/pre-commit"}},
		{"deleting a denied file is denied", open, []ChangeStat{{Path: ".github/workflows/ci.yml", Delete: true, Removed: 9}}, []string{"paths.deny .github/workflows/ci.yml"}},
		{"dot-dot cannot dodge a deny", open, one("src/../.github/workflows/ci.yml"), []string{"paths.deny .github/workflows/ci.yml"}},
		{"./ prefix is cleaned", open, one("./.env"), []string{"paths.deny .env"}},

		{"outside the repository", open, one("../etc/passwd"), []string{"paths.invalid ../etc/passwd"}},
		{"absolute", open, one("/etc/passwd"), []string{"paths.invalid /etc/passwd"}},
		{"empty path", open, one(""), []string{"paths.invalid "}},

		{"repo deny", deny, one("secrets/prod.txt"), []string{"paths.deny secrets/prod.txt"}},
		{"repo deny glob", deny, one("a/b/c.gen"), []string{"paths.deny a/b/c.gen"}},
		{"repo deny does not over-match", deny, one("src/secrets.go"), nil},

		{"inside allow", allow, []ChangeStat{{Path: "src/a/b.go"}, {Path: "docs/x.md"}, {Path: "README.md"}}, nil},
		{"outside allow", allow, []ChangeStat{{Path: "src/a.go"}, {Path: "go.mod"}, {Path: "docs2/x"}}, []string{"paths.allow go.mod", "paths.allow docs2/x"}},
		{"deny wins over allow, reported once", Policy{Allow: []string{"**"}}, one(".env"), []string{"paths.deny .env"}},

		{"at the file limit", small, []ChangeStat{{Path: "a", Added: 5}, {Path: "b", Removed: 5}}, nil},
		{"over the file limit", small, []ChangeStat{{Path: "a"}, {Path: "b"}, {Path: "c"}}, []string{"limits.max_files"}},
		{"same file twice counts once", small, []ChangeStat{{Path: "a"}, {Path: "a"}, {Path: "b"}}, nil},
		{"over the line limit", small, []ChangeStat{{Path: "a", Added: 6, Removed: 5}}, []string{"limits.max_lines"}},
		{"both limits and a deny", small, []ChangeStat{{Path: "a", Added: 20}, {Path: "b"}, {Path: "x.pem"}}, []string{"paths.deny x.pem", "limits.max_files", "limits.max_lines"}},
		{"no limits when zero", open, []ChangeStat{{Path: "a", Added: 100000, Bytes: 1 << 30}}, nil},
		{"one long line over the byte limit", Policy{MaxLines: 1000, MaxBytes: 100000}, []ChangeStat{{Path: "a.min.js", Added: 1, Bytes: 250000}}, []string{"limits.max_bytes"}},
		{"at the byte limit", Policy{MaxBytes: 100}, []ChangeStat{{Path: "a", Bytes: 60}, {Path: "b", Bytes: 40}}, nil},
		{"bytes add up across files", Policy{MaxBytes: 100}, []ChangeStat{{Path: "a", Bytes: 60}, {Path: "b", Bytes: 41}}, []string{"limits.max_bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := CheckChanges(tt.p, tt.changes)
			var got []string
			for _, v := range vs {
				s := v.Rule
				if v.Path != "" || v.Rule == "paths.invalid" {
					s += " " + v.Path
				}
				got = append(got, s)
				if v.Reason == "" || !strings.HasPrefix(v.String(), v.Rule+": ") {
					t.Errorf("violation %+v lacks a reason or renders badly: %q", v, v.String())
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v\n%s", got, tt.want, FormatViolations(vs))
			}
		})
	}
}

func TestViolationText(t *testing.T) {
	p := Policy{Allow: []string{"src/**"}, MaxLines: 5}
	vs := CheckChanges(p, []ChangeStat{
		{Path: "a/b/.env.production", Delete: true, Removed: 3},
		{Path: "go.mod", Added: 3},
	})
	got := FormatViolations(vs)
	want := "- `paths.deny`: `a/b/.env.production` matches the built-in deny `**/.env*` (environment files hold secrets) and may not be deleted\n" +
		"- `paths.allow`: `go.mod` is outside paths.allow (`src/**`) and may not be changed\n" +
		"- `limits.max_lines`: the change adds and removes 6 lines; the policy allows at most 5\n"
	if got != want {
		t.Errorf("FormatViolations =\n%s\nwant\n%s", got, want)
	}
	if FormatViolations(nil) != "" {
		t.Error("no violations should format as empty")
	}
	if s := vs[2].String(); s != "limits.max_lines: the change adds and removes 6 lines; the policy allows at most 5" {
		t.Errorf("String() = %q", s)
	}
}

func TestCanAutoMerge(t *testing.T) {
	p := Policy{
		Autonomy: RungAutoMerge, MaxFiles: 10, MaxLines: 500,
		AutoMergePaths: []string{"docs/**", "**/*.md"}, AutoMergeMaxFiles: 2, AutoMergeMaxLines: 20,
	}
	with := func(f func(*Policy)) Policy { q := p; f(&q); return q }
	docs := []ChangeStat{{Path: "docs/a.md", Added: 5, Removed: 5}, {Path: "README.md", Added: 1}}

	tests := []struct {
		name    string
		p       Policy
		changes []ChangeStat
		green   bool
		allow   bool
		rule    string
	}{
		{"in bounds, green", p, docs, true, true, "auto_merge"},
		{"rung 4 also merges", with(func(q *Policy) { q.Autonomy = RungPropose }), docs, true, true, "auto_merge"},
		{"checks red", p, docs, false, false, "auto_merge.checks"},
		{"rung 2", with(func(q *Policy) { q.Autonomy = RungPlanFirst }), docs, true, false, "autonomy"},
		{"rung 1", with(func(q *Policy) { q.Autonomy = RungTriggered }), docs, true, false, "autonomy"},
		{"no auto_merge paths", with(func(q *Policy) { q.AutoMergePaths = nil }), docs, true, false, "auto_merge.paths"},
		{"path outside", p, []ChangeStat{{Path: "docs/a.md"}, {Path: "src/x.go"}}, true, false, "auto_merge.paths"},
		{"too many files", p, []ChangeStat{{Path: "a.md"}, {Path: "b.md"}, {Path: "c.md"}}, true, false, "auto_merge.max_files"},
		{"too many lines", p, []ChangeStat{{Path: "a.md", Added: 15, Removed: 6}}, true, false, "auto_merge.max_lines"},
		{"exactly at the bounds", p, []ChangeStat{{Path: "a.md", Added: 15}, {Path: "docs/b", Removed: 5}}, true, true, "auto_merge"},
		{"policy violation blocks", with(func(q *Policy) { q.AutoMergePaths = []string{"**"} }), []ChangeStat{{Path: ".github/workflows/x.yml"}}, true, false, "paths.deny"},
		{"no changes", p, nil, true, false, "auto_merge"},
	}
	for _, tt := range tests {
		d := CanAutoMerge(tt.p, tt.changes, tt.green)
		if d.Allow != tt.allow || d.Rule != tt.rule || d.Reason == "" {
			t.Errorf("%s: got %+v, want allow=%v rule=%s", tt.name, d, tt.allow, tt.rule)
		}
	}
}

func TestIsSecretPath(t *testing.T) {
	pol := Policy{Secret: []string{"config/prod/**"}}
	tests := []struct {
		path string
		want bool
	}{
		{".env", true}, {"app/.env.local", true}, {"certs/tls.PEM", true}, {"tls.key", true},
		{"home/.ssh/id_rsa", true}, {"id_ed25519", true}, {"store.p12", true}, {"store.PFX", true},
		{".npmrc", true}, {"pkg/.pypirc", true}, {"gcp/credentials.json", true},
		{"config/prod/db.yml", true}, {"src/../.env", true},
		{"src/env.go", false}, {"keys.go", false}, {"config/dev/db.yml", false}, {"README.md", false},
		{"../.env", false},
	}
	for _, tt := range tests {
		if _, got := IsSecretPath(pol, tt.path); got != tt.want {
			t.Errorf("IsSecretPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// TestCheckChangesNamesBytes checks that a 250 KB file of one line is refused
// with a reason that names its bytes and the limit.
func TestCheckChangesNamesBytes(t *testing.T) {
	vs := CheckChanges(Policy{MaxLines: 1000, MaxBytes: DefaultMaxBytes / 10}, []ChangeStat{{Path: "blob.txt", Added: 1, Bytes: 250 << 10}})
	if len(vs) != 1 {
		t.Fatalf("got %v, want one violation", vs)
	}
	want := fmt.Sprintf("limits.max_bytes: the change writes %d bytes; the policy allows at most %d", 250<<10, DefaultMaxBytes/10)
	if vs[0].String() != want {
		t.Errorf("got %q, want %q", vs[0].String(), want)
	}
}

// The instruction files are denied unless paths.edit_instructions lets
// the agent change them; the switch opens nothing else under .github/.
func TestInstructionFilesDenied(t *testing.T) {
	tests := []struct {
		path string
		edit bool
		want string // the rule of the violation, "" for none
	}{
		{"AGENTS.md", false, "paths.deny"},
		{"agents.md", false, "paths.deny"},
		{"CLAUDE.md", false, "paths.deny"},
		{".github/copilot-instructions.md", false, "paths.deny"},
		{"docs/AGENTS.md", false, ""},
		{"AGENTS.md", true, ""},
		{"CLAUDE.md", true, ""},
		{".github/copilot-instructions.md", true, ""},
		{".github/other.md", true, "paths.deny"},
		{".github/workflows/ci.yml", true, "paths.deny"},
	}
	for _, tt := range tests {
		vs := CheckChanges(Policy{EditInstructions: tt.edit}, []ChangeStat{{Path: tt.path, Added: 1}})
		got := ""
		if len(vs) > 0 {
			got = vs[0].Rule
		}
		if got != tt.want {
			t.Errorf("%s (edit_instructions %v): violation %q, want %q (%v)", tt.path, tt.edit, got, tt.want, vs)
		}
	}
	f, err := ParseFile([]byte("paths:\n  edit_instructions: true\n"))
	if err != nil || !f.Paths.EditInstructions {
		t.Fatalf("ParseFile: %+v, %v", f, err)
	}
	if p, _ := Effective(f, DefaultCeilings()); !p.EditInstructions {
		t.Error("Effective dropped paths.edit_instructions")
	}
}
