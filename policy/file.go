package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"
)

// FilePath is where a repository keeps its LifeOS policy.
const FilePath = ".github/lifeos.yml"

// FileVersion is the only policy file schema version this code reads. A
// missing version means this one.
const FileVersion = 1

// The autonomy rungs a repository can choose, from least to most autonomous.
const (
	// RungTriggered: LifeOS works an issue when triggered; a human merges.
	RungTriggered = 1
	// RungPlanFirst: LifeOS posts a plan and writes code only after
	// "/lifeos approve".
	RungPlanFirst = 2
	// RungAutoMerge: LifeOS merges its own PR when the change is inside the
	// auto_merge bounds and checks are green.
	RungAutoMerge = 3
	// RungPropose: LifeOS may also open issues proposing work.
	RungPropose = 4
)

// MaxLabelLen is GitHub's limit on a label's name, in characters.
const MaxLabelLen = 50

// maxLoginLen is GitHub's limit on a user login.
const maxLoginLen = 39

// MaxFileSize is the largest policy file ParseFile reads. A real one is a
// few hundred bytes; the cap keeps a hostile file from costing parse time.
const MaxFileSize = 64 << 10

// File is a parsed .github/lifeos.yml, as the repository wrote it. A zero
// field means the key was absent (numbers must be positive and money is
// unlimited at 0, so zero is never a meaningful setting); Effective fills it
// in from the server's ceilings.
type File struct {
	Version    int
	Trigger    TriggerFile
	Paths      PathsFile
	Limits     LimitsFile
	Model      string
	CheapModel string
	Autonomy   int
	AutoMerge  AutoMergeFile
	Branch     BranchFile
}

// TriggerFile is the file's trigger section: who may start a run and how.
type TriggerFile struct {
	Label         string
	MinPermission string
	Users         []string
	Teams         []string
}

// PathsFile is the file's paths section: globs the agent's changes must
// match (Allow) or must not touch (Deny, on top of BuiltinDeny).
type PathsFile struct {
	Allow []string
	Deny  []string
}

// LimitsFile is the file's limits section: how big and how costly a run may
// be. Money of 0 means the repository sets no limit of its own.
type LimitsFile struct {
	MaxFiles      int
	MaxLines      int
	MaxTurns      int
	MaxCostPerRun Money
	MonthlyBudget Money
}

// AutoMergeFile is the file's auto_merge section: the bounds within which a
// rung-3 run merges its own PR.
type AutoMergeFile struct {
	Paths    []string
	MaxFiles int
	MaxLines int
}

// BranchFile is the file's branch section. DeleteAfterClose is nil when the
// key is absent.
type BranchFile struct {
	DeleteAfterClose *bool
}

// Problem is one thing wrong with a policy file, located for the person who
// has to fix it. Key is the dotted path of the offending key ("paths.deny[2]"),
// empty for a syntax error.
type Problem struct {
	Line    int
	Column  int
	Key     string
	Message string
}

// String renders the problem as "line:col: key: message", the form editors
// and the policy check command understand.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		b.WriteString(strconv.Itoa(p.Line))
		if p.Column > 0 {
			b.WriteString(":" + strconv.Itoa(p.Column))
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// FileError is returned by ParseFile for a policy file that cannot be used; it
// lists every problem found, in file order.
type FileError struct {
	Problems []Problem
}

// Error lists the problems, one per line.
func (e *FileError) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	n := len(e.Problems)
	if n == 1 {
		lines = append(lines, FilePath+" has 1 problem:")
	} else {
		lines = append(lines, fmt.Sprintf("%s has %d problems:", FilePath, n))
	}
	for _, p := range e.Problems {
		lines = append(lines, "  "+p.String())
	}
	return strings.Join(lines, "\n")
}

// ParseFile reads a policy file strictly: an unknown key, a value of the wrong
// type or out of range, and a glob that does not compile are all problems,
// and every one is reported in a *FileError. An empty file (or one with only
// comments) is a File with every key absent.
func ParseFile(data []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, &FileError{Problems: []Problem{{Line: 1, Message: fmt.Sprintf("the file is %d bytes; a policy file may have at most %d", len(data), MaxFileSize)}}}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &File{}, nil
		}
		return nil, &FileError{Problems: []Problem{syntaxProblem(err)}}
	}
	var p parser
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.add(&extra, "", "the file holds more than one YAML document; put everything in one")
	} else if !errors.Is(err, io.EOF) {
		return nil, &FileError{Problems: []Problem{syntaxProblem(err)}}
	}

	f := &File{}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return f, nil
		}
		root = root.Content[0]
	}
	p.object(root, "", []field{
		{"version", func(key string, v *yaml.Node) {
			if n, ok := p.integer(v, key); ok {
				if n != FileVersion {
					p.add(v, key, "version %d is not supported; this LifeOS reads version %d", n, FileVersion)
					return
				}
				f.Version = n
			}
		}},
		{"trigger", func(key string, v *yaml.Node) { p.trigger(v, key, &f.Trigger) }},
		{"paths", func(key string, v *yaml.Node) {
			p.object(v, key, []field{
				{"allow", func(key string, v *yaml.Node) { f.Paths.Allow = p.globs(v, key) }},
				{"deny", func(key string, v *yaml.Node) { f.Paths.Deny = p.globs(v, key) }},
			})
		}},
		{"limits", func(key string, v *yaml.Node) {
			l := &f.Limits
			p.object(v, key, []field{
				{"max_files", func(key string, v *yaml.Node) { l.MaxFiles, _ = p.positive(v, key) }},
				{"max_lines", func(key string, v *yaml.Node) { l.MaxLines, _ = p.positive(v, key) }},
				{"max_turns", func(key string, v *yaml.Node) { l.MaxTurns, _ = p.positive(v, key) }},
				{"max_cost_per_run", func(key string, v *yaml.Node) { l.MaxCostPerRun = p.money(v, key) }},
				{"monthly_budget", func(key string, v *yaml.Node) { l.MonthlyBudget = p.money(v, key) }},
			})
		}},
		{"model", func(key string, v *yaml.Node) { f.Model = p.model(v, key) }},
		{"cheap_model", func(key string, v *yaml.Node) { f.CheapModel = p.model(v, key) }},
		{"autonomy", func(key string, v *yaml.Node) {
			if n, ok := p.integer(v, key); ok {
				if n < RungTriggered || n > RungPropose {
					p.add(v, key, "must be a rung from %d to %d, got %d", RungTriggered, RungPropose, n)
					return
				}
				f.Autonomy = n
			}
		}},
		{"auto_merge", func(key string, v *yaml.Node) {
			a := &f.AutoMerge
			p.object(v, key, []field{
				{"paths", func(key string, v *yaml.Node) { a.Paths = p.globs(v, key) }},
				{"max_files", func(key string, v *yaml.Node) { a.MaxFiles, _ = p.positive(v, key) }},
				{"max_lines", func(key string, v *yaml.Node) { a.MaxLines, _ = p.positive(v, key) }},
			})
		}},
		{"branch", func(key string, v *yaml.Node) {
			p.object(v, key, []field{
				{"delete_after_close", func(key string, v *yaml.Node) { f.Branch.DeleteAfterClose = p.boolean(v, key) }},
			})
		}},
	})
	if len(p.problems) > 0 {
		sort.SliceStable(p.problems, func(i, j int) bool {
			a, b := p.problems[i], p.problems[j]
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Column < b.Column
		})
		return nil, &FileError{Problems: p.problems}
	}
	return f, nil
}

// yamlLine finds the line number yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxProblem(err error) Problem {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// yaml.v3 numbers a parser error (as opposed to a scanner error)
		// from the 0-based line where the construct began, so it points one
		// line too early; its parser errors all read "did not find expected".
		if strings.HasPrefix(m[2], "did not find expected") {
			line++
		}
		return Problem{Line: line, Message: "YAML syntax: " + m[2]}
	}
	return Problem{Message: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// parser walks the YAML node tree and collects problems rather than stopping
// at the first, so one round of fixes is enough.
type parser struct {
	problems []Problem
}

type field struct {
	name string
	set  func(key string, v *yaml.Node)
}

func (p *parser) add(n *yaml.Node, key, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: n.Line, Column: n.Column, Key: key, Message: fmt.Sprintf(format, args...)})
}

// resolve follows aliases, so anchors work like the values they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// isNull reports a key written without a value ("limits:") or as ~ / null,
// which counts as absent.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "something else"
}

func (p *parser) object(n *yaml.Node, path string, fields []field) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	if n.Kind != yaml.MappingNode {
		where := "the file"
		if path != "" {
			where = path
		}
		p.add(n, path, "%s must be a mapping with the keys %s, got %s", where, strings.Join(names, ", "), describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(k, path, "keys must be plain names, got %s", describe(k))
			continue
		}
		key := join(path, k.Value)
		if seen[k.Value] {
			p.add(k, key, "key is set twice")
			continue
		}
		seen[k.Value] = true
		var set func(string, *yaml.Node)
		for _, f := range fields {
			if f.name == k.Value {
				set = f.set
			}
		}
		if set == nil {
			msg := "unknown key"
			if s := suggest(k.Value, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			} else {
				msg += fmt.Sprintf(" (known keys: %s)", strings.Join(names, ", "))
			}
			p.add(k, key, "%s", msg)
			continue
		}
		set(key, resolve(v))
	}
}

// scalar returns n if it is a non-null scalar; a null means absent and
// anything else is a problem.
func (p *parser) scalar(n *yaml.Node, key, want string) (*yaml.Node, bool) {
	if isNull(n) {
		return nil, false
	}
	if n.Kind != yaml.ScalarNode {
		p.add(n, key, "must be %s, got %s", want, describe(n))
		return nil, false
	}
	return n, true
}

func (p *parser) integer(n *yaml.Node, key string) (int, bool) {
	const want = "a whole number"
	n, ok := p.scalar(n, key, want)
	if !ok {
		return 0, false
	}
	var v int
	if n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		p.add(n, key, "must be %s, got %s", want, describe(n))
		return 0, false
	}
	return v, true
}

func (p *parser) positive(n *yaml.Node, key string) (int, bool) {
	v, ok := p.integer(n, key)
	if ok && v <= 0 {
		p.add(n, key, "must be a positive whole number, got %d", v)
		return 0, false
	}
	return v, ok
}

func (p *parser) money(n *yaml.Node, key string) Money {
	const want = "an amount of US dollars such as 2.50"
	n, ok := p.scalar(n, key, want)
	if !ok {
		return 0
	}
	switch n.ShortTag() {
	case "!!int", "!!float", "!!str":
	default:
		p.add(n, key, "must be %s, got %s", want, describe(n))
		return 0
	}
	m, err := ParseMoney(n.Value)
	if err != nil {
		p.add(n, key, "must be %s: %v", want, err)
		return 0
	}
	if m < 0 {
		p.add(n, key, "must not be negative, got %s", m)
		return 0
	}
	return m
}

func (p *parser) boolean(n *yaml.Node, key string) *bool {
	const want = "true or false"
	n, ok := p.scalar(n, key, want)
	if !ok {
		return nil
	}
	var v bool
	if n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		p.add(n, key, "must be %s, got %s", want, describe(n))
		return nil
	}
	return &v
}

func (p *parser) str(n *yaml.Node, key, want string) (string, bool) {
	n, ok := p.scalar(n, key, want)
	if !ok {
		return "", false
	}
	return n.Value, true
}

// list calls each for every item of a sequence and keeps the values it
// accepts.
func (p *parser) list(n *yaml.Node, key, want, itemWant string, each func(key string, item *yaml.Node) (string, bool)) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n, key, "must be a list of %s, got %s", want, describe(n))
		return nil
	}
	var out []string
	for i, item := range n.Content {
		item = resolve(item)
		ikey := fmt.Sprintf("%s[%d]", key, i)
		if item.Kind != yaml.ScalarNode || isNull(item) {
			p.add(item, ikey, "must be %s, got %s", itemWant, describe(item))
			continue
		}
		if v, ok := each(ikey, item); ok {
			out = append(out, v)
		}
	}
	return out
}

func (p *parser) globs(n *yaml.Node, key string) []string {
	return p.list(n, key, "glob patterns", "a glob pattern", func(key string, item *yaml.Node) (string, bool) {
		g := item.Value
		switch {
		case strings.TrimSpace(g) == "":
			p.add(item, key, "an empty pattern matches nothing")
		case strings.HasPrefix(g, "/"), strings.HasPrefix(g, "./"):
			p.add(item, key, "patterns are relative to the repository root: write %q", strings.TrimLeft(strings.TrimPrefix(g, "."), "/"))
		case !doublestar.ValidatePattern(g):
			p.add(item, key, "%q is not a valid glob (check brackets, braces and backslashes)", g)
		default:
			return g, true
		}
		return "", false
	})
}

// loginPattern is GitHub's rule for logins: letters, digits and single
// hyphens, not at either end; apps end in [bot].
var loginPattern = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*(\[bot\])?$`)

// teamPattern is "org/team-slug".
var teamPattern = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*/[A-Za-z0-9_.-]+$`)

func (p *parser) trigger(n *yaml.Node, path string, t *TriggerFile) {
	p.object(n, path, []field{
		{"label", func(key string, v *yaml.Node) {
			s, ok := p.str(v, key, "a label name")
			switch {
			case !ok:
			case strings.TrimSpace(s) == "":
				p.add(v, key, "must not be empty")
			case len([]rune(s)) > MaxLabelLen:
				p.add(v, key, "GitHub labels have at most %d characters, this one has %d", MaxLabelLen, len([]rune(s)))
			default:
				t.Label = s
			}
		}},
		{"min_permission", func(key string, v *yaml.Node) {
			s, ok := p.str(v, key, "write, maintain or admin")
			if !ok {
				return
			}
			rank, known := roleRank[s]
			switch {
			case !known:
				p.add(v, key, "must be write, maintain or admin, got %q", s)
			case rank < roleRank[MinTriggerRole]:
				p.add(v, key, "cannot be %s: only people who can push (write, maintain or admin) may make LifeOS push", s)
			default:
				t.MinPermission = s
			}
		}},
		{"users", func(key string, v *yaml.Node) {
			t.Users = p.list(v, key, "GitHub logins", "a GitHub login", func(key string, item *yaml.Node) (string, bool) {
				s := strings.TrimPrefix(item.Value, "@")
				if len(s) > maxLoginLen+len("[bot]") || !loginPattern.MatchString(s) {
					p.add(item, key, "%q is not a GitHub login", item.Value)
					return "", false
				}
				return s, true
			})
		}},
		{"teams", func(key string, v *yaml.Node) {
			t.Teams = p.list(v, key, "teams written org/team-slug", "a team written org/team-slug", func(key string, item *yaml.Node) (string, bool) {
				s := strings.TrimPrefix(item.Value, "@")
				if !teamPattern.MatchString(s) {
					p.add(item, key, "%q is not a team; write it as org/team-slug", item.Value)
					return "", false
				}
				return s, true
			})
		}},
	})
}

func (p *parser) model(n *yaml.Node, key string) string {
	s, ok := p.str(n, key, "a model name")
	switch {
	case !ok:
	case strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t\r\n"):
		p.add(n, key, "%q is not a model name", s)
	default:
		return s
	}
	return ""
}

// suggest returns the known name closest to a mistyped key, if one is close
// enough to be a likely typo.
func suggest(got string, known []string) string {
	best, bestDist := "", len(got)/2+1
	for _, k := range known {
		if d := editDistance(got, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
