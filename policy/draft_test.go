package policy

import (
	"slices"
	"strings"
	"testing"
)

func TestHasCI(t *testing.T) {
	tests := []struct {
		paths []string
		want  string
	}{
		{[]string{"README.md", ".github/workflows/ci.yml"}, ".github/workflows/ci.yml"},
		{[]string{".github/workflows/test.yaml"}, ".github/workflows/test.yaml"},
		{[]string{".github/workflows/sub/x.yml", ".github/workflows/README.md"}, ""},
		{[]string{".circleci/config.yml"}, ".circleci/config.yml"},
		{[]string{"Jenkinsfile"}, "Jenkinsfile"},
		{[]string{"docs/.travis.yml", ".github/dependabot.yml"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		has, file := HasCI(tt.paths)
		if file != tt.want || has != (tt.want != "") {
			t.Errorf("HasCI(%q) = %v, %q; want %q", tt.paths, has, file, tt.want)
		}
	}
}

func TestCIReady(t *testing.T) {
	run := func(name, status, conclusion string) CheckResult {
		return CheckResult{Name: name, Status: status, Conclusion: conclusion}
	}
	own := CheckResult{Name: "LifeOS", Own: true, Status: "completed", Conclusion: "success"}
	tests := []struct {
		name     string
		required []RequiredCheck
		checks   []CheckResult
		statuses []StatusResult
		want     CIState
		reason   string
	}{
		{"nothing reported", nil, nil, nil, CIPending, "no check has reported"},
		{"only LifeOS's own", nil, []CheckResult{own}, nil, CIPending, "no check has reported"},
		{"all passed", nil, []CheckResult{run("test", "completed", "success"), run("lint", "completed", "skipped")}, []StatusResult{{"ci/x", "success"}}, CIPassed, "3 checks passed"},
		{"one still running", nil, []CheckResult{run("test", "completed", "success"), run("lint", "in_progress", "")}, nil, CIPending, "`lint` is in_progress"},
		{"one failed", nil, []CheckResult{run("test", "completed", "failure"), run("lint", "in_progress", "")}, nil, CIFailed, "`test` concluded failure"},
		{"status error", nil, nil, []StatusResult{{"ci/x", "error"}}, CIFailed, "`ci/x` is error"},
		{"status pending", nil, []CheckResult{run("test", "completed", "success")}, []StatusResult{{"ci/x", "pending"}}, CIPending, "`ci/x` is pending"},
		{"own failure never counts", nil, []CheckResult{run("test", "completed", "success"), {Name: "LifeOS", Own: true, Status: "completed", Conclusion: "failure"}}, nil, CIPassed, "1 check passed"},
		{"required passed, another failed", []RequiredCheck{{Context: "test"}}, []CheckResult{run("test", "completed", "success"), run("flaky", "completed", "failure")}, nil, CIPassed, "the required `test` passed"},
		{"required by status", []RequiredCheck{{Context: "ci/x"}}, nil, []StatusResult{{"ci/x", "success"}}, CIPassed, "`ci/x`"},
		{"required missing", []RequiredCheck{{Context: "test"}, {Context: "lint"}}, []CheckResult{run("test", "completed", "success")}, nil, CIPending, "`lint` has not passed yet"},
		{"required failed", []RequiredCheck{{Context: "test"}}, []CheckResult{run("test", "completed", "failure")}, nil, CIFailed, "`test` failed"},
		{"a required LifeOS alone falls back to every check", []RequiredCheck{{Context: "LifeOS"}}, []CheckResult{own}, nil, CIPending, "no check has reported"},
		{"a required LifeOS is not waited for", []RequiredCheck{{Context: "LifeOS"}, {Context: "test"}}, []CheckResult{own, run("test", "completed", "success")}, nil, CIPassed, "the required `test` passed"},
		{"a required LifeOS failing is not a failure", []RequiredCheck{{Context: "LifeOS"}, {Context: "test"}}, []CheckResult{{Name: "LifeOS", Own: true, Status: "completed", Conclusion: "failure"}, run("test", "completed", "success")}, nil, CIPassed, "`test`"},
		{"required from another app", []RequiredCheck{{Context: "test", AppID: 7}}, []CheckResult{{Name: "test", AppID: 8, Status: "completed", Conclusion: "success"}}, nil, CIPending, "has not passed"},
	}
	for _, tt := range tests {
		got, why := CIReady(tt.required, tt.checks, tt.statuses)
		if got != tt.want || !strings.Contains(why, tt.reason) {
			t.Errorf("%s: CIReady = %s, %q; want %s, naming %q", tt.name, got, why, tt.want, tt.reason)
		}
	}
}

func TestMergeReady(t *testing.T) {
	if d := MergeReady(true); d.Allow || d.Rule != RuleMergeReady || !strings.Contains(d.Reason, "draft") {
		t.Errorf("draft: %+v", d)
	}
	if d := MergeReady(false); !d.Allow {
		t.Errorf("ready: %+v", d)
	}
}

func TestCodeOwners(t *testing.T) {
	file := []byte(`# owners
*            @octo/core
/docs/       @writer docs@example.com
*.go         @gopher @octo/go
/build/logs/ @ops
apps/        @app-owner
README.md    @writer
`)
	tests := []struct {
		paths        []string
		users, teams []string
	}{
		{[]string{"main.go"}, []string{"gopher"}, []string{"octo/go"}},
		{[]string{"docs/guide.md"}, []string{"writer"}, nil},
		{[]string{"docs/x.go"}, []string{"gopher"}, []string{"octo/go"}},
		{[]string{"LICENSE"}, nil, []string{"octo/core"}},
		{[]string{"build/logs/a/b.txt", "src/apps/x.txt"}, []string{"ops", "app-owner"}, nil},
		{[]string{"README.md", "docs/README.md"}, []string{"writer"}, nil},
	}
	for _, tt := range tests {
		users, teams := CodeOwners(file, tt.paths)
		if !slices.Equal(users, tt.users) || !slices.Equal(teams, tt.teams) {
			t.Errorf("CodeOwners(%q) = %q, %q; want %q, %q", tt.paths, users, teams, tt.users, tt.teams)
		}
	}
}
