// Package recipes holds LifeOS's recipes: named, versioned task templates
// a schedule (or a person) can ask for by name. The shipped ones are
// embedded in the binary; a repository overrides one, or adds its own, as
// .github/lifeos/recipes/<name>.md, read from its default branch like the
// policy. A recipe is Markdown with a YAML front matter (description,
// allowed paths, limits) and the task as its body.
package recipes

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"

	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
)

// RepoDir is where a repository keeps its own recipes.
const RepoDir = ".github/lifeos/recipes"

// MaxRecipeSize bounds a recipe file; a task is a page, not a book.
const MaxRecipeSize = 32 << 10

//go:embed builtin/*.md
var builtin embed.FS

// Recipe is one task template.
type Recipe struct {
	Name        string
	Version     int
	Description string
	// Allow are the paths the recipe may change (none: whatever the
	// policy allows); ReadOnly forbids every change.
	Allow    []string
	ReadOnly bool
	Limits   Limits
	// Task is the body: what the agent is asked to do.
	Task string
	// Source says where the recipe came from: "LifeOS" or its path in
	// the repository.
	Source string
}

// Limits are a recipe's own limits, which may lower the policy's.
type Limits struct {
	MaxFiles int `yaml:"max_files"`
	MaxLines int `yaml:"max_lines"`
	MaxTurns int `yaml:"max_turns"`
}

// Bounds is the recipe's part of a run's policy.
func (r Recipe) Bounds() policy.RecipeBounds {
	return policy.RecipeBounds{Name: r.Name, Allow: r.Allow, ReadOnly: r.ReadOnly,
		MaxFiles: r.Limits.MaxFiles, MaxLines: r.Limits.MaxLines, MaxTurns: r.Limits.MaxTurns}
}

// frontMatter is a recipe file's YAML head.
type frontMatter struct {
	Version      int      `yaml:"version"`
	Description  string   `yaml:"description"`
	AllowedPaths []string `yaml:"allowed_paths"`
	ReadOnly     bool     `yaml:"read_only"`
	Limits       Limits   `yaml:"limits"`
}

// Parse reads a recipe file strictly: front matter between "---" lines
// (unknown keys, bad globs and negative limits are errors), then the task.
func Parse(name, source string, data []byte) (Recipe, error) {
	if why := names.ValidScheduleName(name); why != "" {
		return Recipe{}, fmt.Errorf("recipe name %q %s", name, why)
	}
	if len(data) > MaxRecipeSize {
		return Recipe{}, fmt.Errorf("recipe %s is %d bytes; at most %d", name, len(data), MaxRecipeSize)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	rest, ok := strings.CutPrefix(text, "---\n")
	head, body, found := strings.Cut(rest, "\n---\n")
	if !ok || !found {
		return Recipe{}, fmt.Errorf("recipe %s: must start with front matter between two --- lines", name)
	}
	var fm frontMatter
	dec := yaml.NewDecoder(bytes.NewReader([]byte(head)))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil && !errors.Is(err, io.EOF) {
		return Recipe{}, fmt.Errorf("recipe %s: front matter: %w", name, err)
	}
	r := Recipe{Name: name, Version: fm.Version, Description: strings.TrimSpace(fm.Description), Allow: fm.AllowedPaths,
		ReadOnly: fm.ReadOnly, Limits: fm.Limits, Task: strings.TrimSpace(body), Source: source}
	return r, r.check()
}

func (r Recipe) check() error {
	var probs []string
	if r.Task == "" {
		probs = append(probs, "the task (the body after the front matter) is empty")
	}
	if r.Description == "" {
		probs = append(probs, "description is missing")
	}
	for _, g := range r.Allow {
		if !doublestar.ValidatePattern(g) || strings.HasPrefix(g, "/") {
			probs = append(probs, fmt.Sprintf("allowed_paths: %q is not a glob relative to the repository root", g))
		}
	}
	if r.Limits.MaxFiles < 0 || r.Limits.MaxLines < 0 || r.Limits.MaxTurns < 0 {
		probs = append(probs, "limits must be positive")
	}
	if len(probs) > 0 {
		return fmt.Errorf("recipe %s: %s", r.Name, strings.Join(probs, "; "))
	}
	return nil
}

// Builtin returns the recipe shipped with LifeOS under name.
func Builtin(name string) (Recipe, bool) {
	data, err := builtin.ReadFile(path.Join("builtin", name+".md"))
	if err != nil {
		return Recipe{}, false
	}
	r, err := Parse(name, "LifeOS", data)
	if err != nil {
		panic(fmt.Sprintf("shipped recipe %s is broken: %v", name, err)) // the tests parse every one
	}
	return r, true
}

// Names lists the shipped recipes.
func Names() []string {
	entries, _ := builtin.ReadDir("builtin")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".md"))
	}
	sort.Strings(out)
	return out
}

// RepoPath is where a repository keeps its recipe name.
func RepoPath(name string) string { return RepoDir + "/" + name + ".md" }

// Files reads a repository's file, or reports it has none.
type Files func(path string) ([]byte, bool)

// Lookup finds the recipe name: the repository's own file first (which
// overrides a shipped recipe of that name), then the shipped one. A
// repository file that does not parse is an error, never a silent
// fallback.
func Lookup(name string, repo Files) (Recipe, bool, error) {
	if repo != nil {
		if data, ok := repo(RepoPath(name)); ok {
			r, err := Parse(name, RepoPath(name), data)
			return r, err == nil, err
		}
	}
	r, ok := Builtin(name)
	return r, ok, nil
}

// Known reports whether name is a recipe a repository can use: shipped,
// or a file of its own.
func Known(repo Files) func(name string) bool {
	return func(name string) bool {
		_, ok, _ := Lookup(name, repo)
		return ok
	}
}
