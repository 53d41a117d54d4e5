package runner

import (
	"context"
	"slices"
	"testing"
)

// The person who started the work is asked to review; without one, the
// code owners of the changed paths are.
func TestReviewers(t *testing.T) {
	f := newFakeGitHub()
	f.tree[".github/CODEOWNERS"] = []byte("* @octo/core\ndocs/ @writer\n")
	users, teams := reviewers(context.Background(), f, "main", "alice", []string{"docs/a.md"})
	if !slices.Equal(users, []string{"alice"}) || teams != nil {
		t.Errorf("with a person: %q, %q", users, teams)
	}
	users, teams = reviewers(context.Background(), f, "main", "", []string{"docs/a.md", "main.go"})
	if !slices.Equal(users, []string{"writer"}) || !slices.Equal(teams, []string{"octo/core"}) {
		t.Errorf("code owners: %q, %q", users, teams)
	}
	users, _ = reviewers(context.Background(), f, "main", "renovate[bot]", []string{"docs/a.md"})
	if !slices.Equal(users, []string{"writer"}) {
		t.Errorf("a bot is not a person: %q", users)
	}
}
