package names

import (
	"strings"
	"testing"
)

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

func TestIssueOfPull(t *testing.T) {
	own := PullOrigin{Author: "lifeos[bot]", HeadRef: "lifeos/issue-7", HeadRepo: "octo/hello", BaseRepo: "octo/hello"}
	tests := []struct {
		name  string
		edit  func(p *PullOrigin)
		issue int
		why   string
	}{
		{name: "LifeOS's own", edit: func(*PullOrigin) {}, issue: 7},
		{name: "repository names differ in case only", edit: func(p *PullOrigin) { p.HeadRepo = "Octo/Hello" }, issue: 7},
		{name: "other branch", edit: func(p *PullOrigin) { p.HeadRef = "feature" }, why: "branch"},
		{name: "a human's, same repository", edit: func(p *PullOrigin) { p.Author = "alice" }, why: "not the App"},
		{name: "another App's", edit: func(p *PullOrigin) { p.Author = "lifeos-evil[bot]" }, why: "not the App"},
		{name: "from a fork", edit: func(p *PullOrigin) { p.HeadRepo = "mallory/hello" }, why: "fork"},
		{name: "from a deleted fork", edit: func(p *PullOrigin) { p.HeadRepo = "" }, why: "fork"},
	}
	for _, tt := range tests {
		p := own
		tt.edit(&p)
		issue, why := IssueOfPull("lifeos", p)
		if issue != tt.issue || (tt.why == "") != (why == "") || !strings.Contains(why, tt.why) {
			t.Errorf("%s: IssueOfPull = %d, %q; want %d and a reason about %q", tt.name, issue, why, tt.issue, tt.why)
		}
	}
}

func TestScheduleNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"nightly-docs", true}, {"a1", true}, {"", false}, {"Nightly", false}, {"-x", false},
		{"x-", false}, {"a--b", false}, {"a_b", false}, {"a/b", false}, {strings.Repeat("a", 41), false},
	} {
		if got := ValidScheduleName(tc.name) == ""; got != tc.ok {
			t.Errorf("ValidScheduleName(%q) ok = %v, want %v", tc.name, got, tc.ok)
		}
	}
	if b := ScheduleBranch("nightly-docs"); b != "lifeos/schedule-nightly-docs" || ScheduleOfBranch(b) != "nightly-docs" {
		t.Errorf("ScheduleBranch round trip: %q", b)
	}
	for _, b := range []string{"lifeos/issue-3", "lifeos/schedule-", "lifeos/schedule-A", "main"} {
		if n := ScheduleOfBranch(b); n != "" {
			t.Errorf("ScheduleOfBranch(%q) = %q, want none", b, n)
		}
	}
	o := PullOrigin{Author: "lifeos[bot]", HeadRef: "lifeos/schedule-nightly", HeadRepo: "o/r", BaseRepo: "o/r"}
	if n, why := ScheduleOfPull("lifeos", o); n != "nightly" {
		t.Errorf("ScheduleOfPull = %q (%s)", n, why)
	}
	o.Author = "mallory"
	if n, _ := ScheduleOfPull("lifeos", o); n != "" {
		t.Errorf("a human's PR is not a schedule's: %q", n)
	}
	o.Author, o.HeadRepo = "lifeos[bot]", "fork/r"
	if n, _ := ScheduleOfPull("lifeos", o); n != "" {
		t.Errorf("a fork's PR is not a schedule's: %q", n)
	}
	if s := ScheduleSubject(7); !IsScheduleSubject(s) || IsScheduleSubject(7) {
		t.Errorf("ScheduleSubject(7) = %d", s)
	}
}

func TestRevertBranch(t *testing.T) {
	if got := RevertBranch(12); got != "lifeos/revert-12" {
		t.Errorf("RevertBranch(12) = %q", got)
	}
	if n := IssueOfBranch(RevertBranch(12)); n != 0 {
		t.Errorf("a revert branch reads as issue %d's", n)
	}
}
