package names

import "testing"

func TestIssueOfBranch(t *testing.T) {
	tests := map[string]int{
		"lifeos/issue-1":    1,
		"lifeos/issue-4242": 4242,
		Branch(17):          17,
		"lifeos/issue-":     0,
		"lifeos/issue-0":    0,
		"lifeos/issue-01":   0,
		"lifeos/issue-+1":   0,
		"lifeos/issue--1":   0,
		"lifeos/issue-1a":   0,
		"lifeos/issue-1/x":  0,
		"main":              0,
		"x/lifeos/issue-1":  0,
	}
	for name, want := range tests {
		if got := IssueOfBranch(name); got != want {
			t.Errorf("IssueOfBranch(%q) = %d, want %d", name, got, want)
		}
	}
}
