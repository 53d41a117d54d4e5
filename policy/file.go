// The policy file's schema (File and its sections) and ParseFile, which reads it.

package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

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
	Schedules  []ScheduleFile
	Proposals  ProposalsFile
}

// TriggerFile is the file's trigger section: who may start a run and how.
type TriggerFile struct {
	Label         string
	MinPermission string
	Users         []string
	Teams         []string
}

// PathsFile is the file's paths section: globs the agent's changes must
// match (Allow) or must not touch (Deny, on top of BuiltinDeny), the paths
// under .github/ it may change after all (GitHubAllow), and files it may not
// even read (Secret, on top of the built-in secret paths).
type PathsFile struct {
	Allow       []string
	Deny        []string
	GitHubAllow []string
	Secret      []string
	// EditInstructions lets the agent change the instruction files
	// (InstructionFiles), denied by default.
	EditInstructions bool
}

// LimitsFile is the file's limits section: how big and how costly a run may
// be. Money of 0 means the repository sets no limit of its own.
type LimitsFile struct {
	MaxFiles      int
	MaxLines      int
	MaxBytes      int
	MaxTurns      int
	MaxMinutes    int
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
				{"github_allow", func(key string, v *yaml.Node) { f.Paths.GitHubAllow = p.githubGlobs(v, key) }},
				{"secret", func(key string, v *yaml.Node) { f.Paths.Secret = p.globs(v, key) }},
				{"edit_instructions", func(key string, v *yaml.Node) {
					if b := p.boolean(v, key); b != nil {
						f.Paths.EditInstructions = *b
					}
				}},
			})
		}},
		{"limits", func(key string, v *yaml.Node) {
			l := &f.Limits
			p.object(v, key, []field{
				{"max_files", func(key string, v *yaml.Node) { l.MaxFiles, _ = p.positive(v, key) }},
				{"max_lines", func(key string, v *yaml.Node) { l.MaxLines, _ = p.positive(v, key) }},
				{"max_bytes", func(key string, v *yaml.Node) { l.MaxBytes, _ = p.positive(v, key) }},
				{"max_turns", func(key string, v *yaml.Node) { l.MaxTurns, _ = p.positive(v, key) }},
				{"max_minutes", func(key string, v *yaml.Node) { l.MaxMinutes, _ = p.positive(v, key) }},
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
		{"schedules", func(key string, v *yaml.Node) { f.Schedules = p.schedules(v, key) }},
		{"proposals", func(key string, v *yaml.Node) { p.proposals(v, key, &f.Proposals) }},
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

// githubGlobs reads paths.github_allow: globs under .github/ that open a
// part of it to the agent. A glob outside .github/, or one reaching into
// what is always denied there (workflows, actions, the policy file), is a
// problem rather than a silent no-op.
func (p *parser) githubGlobs(n *yaml.Node, key string) []string {
	return p.list(n, key, "glob patterns under .github/", "a glob pattern under .github/", func(key string, item *yaml.Node) (string, bool) {
		g, ok := p.glob(key, item)
		if !ok {
			return "", false
		}
		lower := strings.ToLower(g)
		switch {
		case !strings.HasPrefix(lower, ".github/"):
			p.add(item, key, "%q is not under .github/; paths.github_allow only opens parts of .github/", g)
		case alwaysDeniedGitHub(lower):
			p.add(item, key, "%q reaches into workflows, actions, CODEOWNERS or the policy file, which stay denied; name a narrower path", g)
		default:
			return g, true
		}
		return "", false
	})
}

// alwaysDeniedGitHub reports whether a lower-cased .github/ glob is, or may
// reach into, a path that stays denied whatever paths.github_allow says.
func alwaysDeniedGitHub(g string) bool {
	rest := strings.TrimPrefix(g, ".github/")
	if strings.HasPrefix(rest, "*") {
		// ".github/**" or ".github/*.yml": opens files next to the policy file.
		return match(g, strings.ToLower(FilePath)) || strings.HasPrefix(rest, "**")
	}
	for _, d := range []string{"workflows", "actions", "codeowners"} {
		if strings.HasPrefix(rest, d) {
			return true
		}
	}
	return match(g, strings.ToLower(FilePath))
}
