package recipes

import (
	"slices"
	"strings"
	"testing"
)

func TestShippedRecipesParse(t *testing.T) {
	if got := Names(); !slices.Equal(got, []string{"doc-hygiene", "scout", "test-gap"}) {
		t.Fatalf("Names = %v", got)
	}
	for _, n := range Names() {
		r, ok := Builtin(n)
		if !ok || r.Version != 1 || r.Task == "" || r.Source != "LifeOS" {
			t.Errorf("%s: %+v", n, r)
		}
	}
	if r, _ := Builtin("scout"); !r.ReadOnly {
		t.Error("scout must only read")
	}
	if r, _ := Builtin("doc-hygiene"); !slices.Contains(r.Allow, "**/*.md") || !strings.Contains(r.Task, "Could not fix") {
		t.Errorf("doc-hygiene: %+v", r)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct{ name, file, err string }{
		{"ok", "---\ndescription: d\nallowed_paths: [\"a/**\"]\nlimits:\n  max_files: 2\n---\ndo it\n", ""},
		{"no front matter", "do it\n", "front matter"},
		{"unknown key", "---\ndescription: d\npaths: [x]\n---\ndo it\n", "field paths not found"},
		{"bad glob", "---\ndescription: d\nallowed_paths: [\"a/[\"]\n---\ndo it\n", "not a glob"},
		{"empty task", "---\ndescription: d\n---\n\n", "task"},
		{"no description", "---\nversion: 2\n---\ndo it\n", "description"},
		{"negative", "---\ndescription: d\nlimits:\n  max_lines: -1\n---\ndo it\n", "positive"},
	} {
		_, err := Parse("mine", RepoPath("mine"), []byte(tc.file))
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
		}
	}
}

func TestLookupPrefersTheRepository(t *testing.T) {
	files := map[string]string{
		RepoPath("doc-hygiene"): "---\ndescription: ours\n---\nonly README\n",
		RepoPath("broken"):      "no front matter",
	}
	repo := func(p string) ([]byte, bool) { s, ok := files[p]; return []byte(s), ok }
	r, ok, err := Lookup("doc-hygiene", repo)
	if !ok || err != nil || r.Task != "only README" || r.Source != RepoPath("doc-hygiene") {
		t.Errorf("override: %+v %v %v", r, ok, err)
	}
	if r, ok, _ := Lookup("test-gap", repo); !ok || r.Source != "LifeOS" {
		t.Errorf("shipped: %+v", r)
	}
	if _, ok, err := Lookup("broken", repo); ok || err == nil {
		t.Errorf("a broken repository recipe is an error: %v %v", ok, err)
	}
	known := Known(repo)
	if !known("scout") || known("nope") || known("broken") {
		t.Error("Known")
	}
}
