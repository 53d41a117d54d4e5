package policy

import (
	"fmt"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// BuiltinDeny is a path pattern the agent may never change, whatever a
// repository's policy says, with the reason shown when a change hits it.
type BuiltinDeny struct {
	Pattern string
	Why     string
}

// BuiltinDenies returns the patterns denied on every repository, whatever
// its policy says. They are matched against the lower-cased path, so KEY.PEM
// and .ENV are caught too. Besides these, the rest of .github/ is denied
// unless paths.github_allow names it (see GitHubDeny), and every secret
// path (SecretPaths) is denied as well.
func BuiltinDenies() []BuiltinDeny {
	ci := "CI runs it with the repository's secrets before anyone reviews the push"
	return []BuiltinDeny{
		{".github/workflows/**", "workflows run with the repository's secrets and token"},
		{".github/actions/**", "composite actions: " + ci},
		{"**/action.yml", "an action's definition: " + ci},
		{"**/action.yaml", "an action's definition: " + ci},
		{"**/.gitmodules", "submodules make CI fetch and run code from other repositories"},
		{"**/.gitattributes", "attributes choose the filters and diff drivers git runs"},
		// Every place GitHub reads code owners from.
		{"codeowners", "code owners decide who must review"},
		{"docs/codeowners", "code owners decide who must review"},
		{".github/codeowners", "code owners decide who must review"},
		{"**/*.pem", "keys and certificates"},
		// "**/" also matches no directory at all, so this covers a root .env.
		{"**/.env*", "environment files hold secrets"},
		{FilePath, "the agent must never edit its own policy"},
		{".git/**", "git's own directory; hooks there run code"},
	}
}

// GitHubDeny is the built-in deny of everything under .github/ that
// paths.github_allow does not name: GitHub and CI read their configuration
// from there.
var GitHubDeny = BuiltinDeny{".github/**", "GitHub and CI read their configuration there; name what the agent may change in paths.github_allow"}

// instructionFiles are where a repository keeps its instructions for
// coding agents, in the order LifeOS reads them into the system prompt.
var instructionFiles = []string{"AGENTS.md", ".github/copilot-instructions.md", "CLAUDE.md"}

// InstructionFiles returns the paths of the repository's instructions for
// coding agents, in the order the agent reads them.
func InstructionFiles() []string { return append([]string(nil), instructionFiles...) }

// InstructionsDeny is the built-in deny of the instruction files: they
// steer every later run, so people change them through review, unless
// paths.edit_instructions lets the agent.
var InstructionsDeny = BuiltinDeny{"AGENTS.md, .github/copilot-instructions.md, CLAUDE.md", "they instruct every later run; set paths.edit_instructions to let the agent change them"}

// isInstructionFile reports whether a lower-cased path is an instruction file.
func isInstructionFile(lower string) bool {
	for _, f := range instructionFiles {
		if lower == strings.ToLower(f) {
			return true
		}
	}
	return false
}

// builtinSecretPaths are the files that usually hold credentials: the agent
// may neither read nor change them.
var builtinSecretPaths = []string{
	"**/.env", "**/.env.*", "**/*.pem", "**/*.key", "**/id_rsa*", "**/id_dsa*",
	"**/id_ecdsa*", "**/id_ed25519*", "**/*.p12", "**/*.pfx", "**/*.jks",
	"**/*.keystore", "**/.npmrc", "**/.pypirc", "**/.netrc", "**/.git-credentials",
	"**/credentials.json", "**/.aws/credentials", "**/.docker/config.json",
}

// BuiltinSecretPaths returns the glob patterns of files treated as secret on
// every repository, matched against the lower-cased path.
func BuiltinSecretPaths() []string {
	return append([]string(nil), builtinSecretPaths...)
}

// IsSecretPath reports whether the agent must not read p: it matches a
// built-in secret pattern (case-insensitively) or the policy's paths.secret.
// It returns the pattern that matched.
func IsSecretPath(pol Policy, p string) (string, bool) {
	clean, ok := cleanPath(p)
	if !ok {
		return "", false
	}
	lower := strings.ToLower(clean)
	for _, g := range builtinSecretPaths {
		if match(g, lower) {
			return g, true
		}
	}
	for _, g := range pol.Secret {
		if match(g, clean) {
			return g, true
		}
	}
	return "", false
}

// ChangeStat is one changed file of a run, with its line counts (see
// CountLines) and the bytes it writes: the new content's size, 0 for a
// deletion. Line counts alone let one enormous line through, so the bytes
// are bounded too. Path is relative to the repository root, with slashes.
type ChangeStat struct {
	Path    string
	Delete  bool
	Added   int
	Removed int
	Bytes   int
}

// Violation is a way a run's changes break the policy. Reason is a full
// sentence that names the path, fit for a PR comment or for the agent.
type Violation struct {
	Rule   string
	Path   string // empty for limits that concern the whole change
	Reason string
}

// String renders the violation as "rule: reason".
func (v Violation) String() string {
	return v.Rule + ": " + v.Reason
}

// FormatViolations renders violations as a markdown list, one per line with
// its rule, for comments and for feeding back to the agent. No violations
// render as "".
func FormatViolations(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "- `%s`: %s\n", v.Rule, v.Reason)
	}
	return b.String()
}

// CheckChanges lists every way changes break p: a path outside the
// repository, a denied path (built-in or the repository's), a path outside
// paths.allow, and too many files, lines or bytes written in total. Deleting a file counts as
// changing it. No violations means the changes may be pushed.
func CheckChanges(p Policy, changes []ChangeStat) []Violation {
	var vs []Violation
	files := map[string]bool{}
	lines, bytes := 0, 0
	for _, c := range changes {
		bytes += max(c.Bytes, 0)
		clean, ok := cleanPath(c.Path)
		if !ok {
			vs = append(vs, Violation{Rule: "paths.invalid", Path: c.Path, Reason: fmt.Sprintf("`%s` is not a path inside the repository", c.Path)})
			continue
		}
		files[clean] = true
		lines += max(c.Added, 0) + max(c.Removed, 0)
		verb := "changed"
		if c.Delete {
			verb = "deleted"
		}
		if v, denied := denyViolation(p, clean, verb); denied {
			vs = append(vs, v)
			continue
		}
		if len(p.Allow) > 0 && !matchAny(p.Allow, clean) {
			vs = append(vs, Violation{Rule: "paths.allow", Path: clean, Reason: fmt.Sprintf("`%s` is outside paths.allow (%s) and may not be %s", clean, quoteList(p.Allow), verb)})
		}
		if v, out := recipeViolation(p, clean, verb); out {
			vs = append(vs, v)
		}
	}
	if p.MaxFiles > 0 && len(files) > p.MaxFiles {
		vs = append(vs, Violation{Rule: "limits.max_files", Reason: fmt.Sprintf("the change touches %d files; the policy allows at most %d", len(files), p.MaxFiles)})
	}
	if p.MaxLines > 0 && lines > p.MaxLines {
		vs = append(vs, Violation{Rule: "limits.max_lines", Reason: fmt.Sprintf("the change adds and removes %d lines; the policy allows at most %d", lines, p.MaxLines)})
	}
	if p.MaxBytes > 0 && bytes > p.MaxBytes {
		vs = append(vs, Violation{Rule: "limits.max_bytes", Reason: fmt.Sprintf("the change writes %d bytes; the policy allows at most %d", bytes, p.MaxBytes)})
	}
	return vs
}

// cleanPath normalises a repository path and rejects one that leaves the
// repository, so "src/../.github/workflows/x" cannot slip past a deny.
func cleanPath(p string) (string, bool) {
	if p == "" || strings.HasPrefix(p, "/") {
		return "", false
	}
	c := path.Clean(p)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", false
	}
	return c, true
}

func denyViolation(pol Policy, p string, verb string) (Violation, bool) {
	lower := strings.ToLower(p)
	builtin := func(b BuiltinDeny) Violation {
		return Violation{Rule: "paths.deny", Path: p, Reason: fmt.Sprintf("`%s` matches the built-in deny `%s` (%s) and may not be %s", p, b.Pattern, b.Why, verb)}
	}
	for _, b := range BuiltinDenies() {
		if match(b.Pattern, lower) {
			return builtin(b), true
		}
	}
	instructions := isInstructionFile(lower)
	if instructions && !pol.EditInstructions {
		return builtin(InstructionsDeny), true
	}
	if match(GitHubDeny.Pattern, lower) && !matchAny(pol.GitHubAllow, p) && !instructions {
		return builtin(GitHubDeny), true
	}
	if g, secret := IsSecretPath(pol, p); secret {
		return Violation{Rule: "paths.secret", Path: p, Reason: fmt.Sprintf("`%s` matches the secret pattern `%s` and may not be %s", p, g, verb)}, true
	}
	for _, g := range pol.Deny {
		if match(g, p) {
			return Violation{Rule: "paths.deny", Path: p, Reason: fmt.Sprintf("`%s` matches `%s` in paths.deny and may not be %s", p, g, verb)}, true
		}
	}
	return Violation{}, false
}

// match reports whether a glob matches a path; a pattern that does not
// compile (ParseFile rejects those) matches nothing.
func match(pattern, p string) bool {
	ok, err := doublestar.Match(pattern, p)
	return err == nil && ok
}

func matchAny(patterns []string, p string) bool {
	for _, g := range patterns {
		if match(g, p) {
			return true
		}
	}
	return false
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "`" + s + "`"
	}
	return strings.Join(q, ", ")
}

// CanAutoMerge decides whether a run's PR may be merged without a human:
// autonomy rung 3 or higher, no policy violation (limits.max_bytes among
// them, so each change must carry the bytes it writes), every path under
// auto_merge.paths, within the auto_merge size bounds, and checks green.
func CanAutoMerge(p Policy, changes []ChangeStat, checksGreen bool) Decision {
	deny := func(rule, format string, args ...any) Decision {
		return Decision{Rule: rule, Reason: fmt.Sprintf(format, args...)}
	}
	if p.rung() < RungAutoMerge {
		return deny("autonomy", "autonomy is rung %d; auto-merge needs rung %d or higher", p.rung(), RungAutoMerge)
	}
	if len(p.AutoMergePaths) == 0 {
		return deny("auto_merge.paths", "auto_merge.paths is empty, so nothing merges automatically")
	}
	if len(changes) == 0 {
		return deny("auto_merge", "the PR changes nothing")
	}
	if vs := CheckChanges(p, changes); len(vs) > 0 {
		more := ""
		if len(vs) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(vs)-1)
		}
		return deny(vs[0].Rule, "the change breaks the policy: %s%s", vs[0].Reason, more)
	}
	files := map[string]bool{}
	lines := 0
	for _, c := range changes {
		clean, _ := cleanPath(c.Path) // CheckChanges rejected invalid paths
		if !matchAny(p.AutoMergePaths, clean) {
			return deny("auto_merge.paths", "`%s` is outside auto_merge.paths (%s)", clean, quoteList(p.AutoMergePaths))
		}
		files[clean] = true
		lines += max(c.Added, 0) + max(c.Removed, 0)
	}
	if p.AutoMergeMaxFiles > 0 && len(files) > p.AutoMergeMaxFiles {
		return deny("auto_merge.max_files", "the change touches %d files; auto-merge allows at most %d", len(files), p.AutoMergeMaxFiles)
	}
	if p.AutoMergeMaxLines > 0 && lines > p.AutoMergeMaxLines {
		return deny("auto_merge.max_lines", "the change adds and removes %d lines; auto-merge allows at most %d", lines, p.AutoMergeMaxLines)
	}
	if !checksGreen {
		return deny("auto_merge.checks", "checks are not all green")
	}
	return Decision{Allow: true, Rule: "auto_merge", Reason: fmt.Sprintf("%d files and %d lines, all inside auto_merge.paths, and checks are green", len(files), lines)}
}
