package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// mergeRoute is the operation that merges a pull request.
const mergeRoute = "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge"

// mergeDecision waits for the auto-merge decision recorded on the issue's
// latest run after CI reported, and returns it.
func (e *env) mergeDecision(issue int) store.Decision {
	e.t.Helper()
	run := e.waitRuns(issue, 1)[0]
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds, err := e.srv.Store().Decisions(e.t.Context(), run.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, d := range ds {
			if strings.HasPrefix(d.Rule, "auto_merge") {
				return d
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("no auto_merge decision after 10s: %+v", ds)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mergeAttempted reports whether LifeOS asked GitHub to merge.
func (e *env) mergeAttempted() bool {
	for _, r := range e.gh.Requests() {
		if r.Route == mergeRoute {
			return true
		}
	}
	return false
}

// blocked asserts that a rung-3 PR was left to a human on the checks,
// without a merge attempt, and that the decision says why.
func (e *env) blocked(issue, pr int, why string) {
	e.t.Helper()
	d := e.mergeDecision(issue)
	if d.Allow || d.Rule != "auto_merge.checks" || !strings.Contains(d.Reason, why) {
		e.t.Errorf("decision = %+v; want auto_merge.checks denied, naming %q", d, why)
	}
	if e.mergeAttempted() {
		e.t.Error("LifeOS asked GitHub to merge")
	}
	if p, _ := e.gh.Repo(repoName).Pull(pr); p.Merged {
		e.t.Error("the PR was merged")
	}
}

func TestRung3FailingCommitStatusBlocksTheMerge(t *testing.T) {
	e := rung3(t)
	n, pr := e.docsPR("docs/new.md", "# New\n")
	pull, _ := e.gh.Repo(repoName).Pull(pr)
	e.gh.SetStatus(repoName, pull.HeadSHA, "ci/jenkins", "failure")
	e.passCI(pr) // every check run passed
	e.blocked(n, pr, "commit status `ci/jenkins` is failure")
}

func TestRung3PendingCommitStatusBlocksTheMerge(t *testing.T) {
	e := rung3(t)
	n, pr := e.docsPR("docs/new.md", "# New\n")
	pull, _ := e.gh.Repo(repoName).Pull(pr)
	e.gh.SetStatus(repoName, pull.HeadSHA, "ci/jenkins", "pending")
	e.passCI(pr)
	e.blocked(n, pr, "commit status `ci/jenkins` is pending")
}

func TestRung3RequiredCheckThatNeverReportedBlocksTheMerge(t *testing.T) {
	e := rung3(t)
	e.gh.SetRequiredChecks(repoName, "main", "build")
	n, pr := e.docsPR("docs/new.md", "# New\n")
	e.passCI(pr) // "test" passed; "build" never reported
	e.blocked(n, pr, "required check `build` has not passed")
}

func TestRung3MergesWithTheRequiredChecksPassing(t *testing.T) {
	e := rung3(t)
	e.gh.SetRequiredChecks(repoName, "main", "build", "ci/jenkins")
	n, pr := e.docsPR("docs/new.md", "# New\n")
	pull, _ := e.gh.Repo(repoName).Pull(pr)
	e.gh.SetStatus(repoName, pull.HeadSHA, "ci/jenkins", "pending")
	e.gh.SetStatus(repoName, pull.HeadSHA, "ci/jenkins", "success") // the latest status counts
	e.passCI(pr, githubfake.CheckRunFixture{Name: "build"})
	if !e.merged(pr) {
		t.Fatalf("not merged: %+v", e.mergeDecision(n))
	}
	if d := e.mergeDecision(n); !d.Allow || !strings.Contains(d.Reason, "required `build`, `ci/jenkins`") {
		t.Errorf("decision = %+v", d)
	}
}

// A failure on the second page of check runs is still a failure.
func TestRung3ReadsEveryPageOfCheckRuns(t *testing.T) {
	e := rung3(t)
	n, pr := e.docsPR("docs/new.md", "# New\n")
	pull, _ := e.gh.Repo(repoName).Pull(pr)
	// GitHub lists the newest first, so the oldest run lands on the last page.
	e.gh.AddCheckRun(repoName, pull.HeadSHA, githubfake.CheckRunFixture{Name: "lint", Conclusion: "failure", HeadBranch: pull.Head})
	var more []githubfake.CheckRunFixture
	for i := range 100 {
		more = append(more, githubfake.CheckRunFixture{Name: fmt.Sprintf("shard-%03d", i)})
	}
	e.passCI(pr, more...)
	e.blocked(n, pr, "check run `lint` concluded failure")
}

// A CI fix run hears of a failed check run on the second page of its suite,
// and of its annotations past the first page.
func TestCIFixReadsEveryPageOfTheSuite(t *testing.T) {
	e := start(t, envOpts{})
	issue, pr := e.openPR()
	pull, _ := e.gh.Repo(repoName).Pull(pr)
	var anns []githubfake.Annotation
	for i := 1; i <= 120; i++ {
		anns = append(anns, githubfake.Annotation{Path: "main.go", StartLine: i, EndLine: i, Level: "failure", Message: fmt.Sprintf("problem %d", i)})
	}
	// Newest first: the oldest run is the one on the second page.
	cr := e.gh.AddCheckRun(repoName, pull.HeadSHA, githubfake.CheckRunFixture{
		Name: "lint", Conclusion: "failure", HeadBranch: pull.Head, Summary: "120 problems", Annotations: anns,
	})
	for i := range 100 {
		e.gh.AddCheckRun(repoName, pull.HeadSHA, githubfake.CheckRunFixture{Name: fmt.Sprintf("shard-%03d", i), HeadBranch: pull.Head})
	}
	e.gh.SetCheckSuite(repoName, cr.SuiteID, "completed", "failure")
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "fix.txt", "content": "x\n"})}},
		modelfake.Finish("Fixed lint."),
	)
	e.deliver("check_suite", "", e.checkSuitePayload(pr, cr.SuiteID, pull.Head, pull.HeadSHA))
	run := e.waitRuns(issue, 2)[1]
	if run.Status != store.StatusSucceeded || run.Trigger != "ci" {
		t.Fatalf("fix run = %+v", run)
	}
	reqs := e.model.Requests()
	prompt := reqs[len(reqs)-2].Messages[1].Content
	for _, want := range []string{"### lint: failure", "main.go:1: failure: problem 1", "main.go:120: failure: problem 120"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("fix prompt lacks %q", want)
		}
	}
}

// A CI fix run from a workflow run hears of a failed job on its second page.
func TestCIFixReadsEveryPageOfTheWorkflowJobs(t *testing.T) {
	e := start(t, envOpts{})
	issue, pr := e.openPR()
	pull, _ := e.gh.Repo(repoName).Pull(pr)
	first := e.gh.AddCheckRun(repoName, pull.HeadSHA, githubfake.CheckRunFixture{Name: "shard-000", HeadBranch: pull.Head})
	for i := 1; i < 100; i++ {
		e.gh.AddCheckRun(repoName, pull.HeadSHA, githubfake.CheckRunFixture{Name: fmt.Sprintf("shard-%03d", i), HeadBranch: pull.Head, WorkflowRunID: first.RunID})
	}
	// Jobs are listed oldest first: the newest is the one on the second page.
	e.gh.AddCheckRun(repoName, pull.HeadSHA, githubfake.CheckRunFixture{
		Name: "build", Conclusion: "failure", HeadBranch: pull.Head, WorkflowRunID: first.RunID,
		Steps: []githubfake.JobStep{{Name: "go build", Status: "completed", Conclusion: "failure", Number: 1}},
		Log:   "main.go:3:1: undefined: hello\n",
	})
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "hello.go", "content": "package main\n\nfunc hello() {}\n"})}},
		modelfake.Finish("Defined hello."),
	)
	e.deliver("workflow_run", "", workflowRun(t, first.RunID, pull.Head, pull.HeadSHA, repoName))
	run := e.waitRuns(issue, 2)[1]
	if run.Status != store.StatusSucceeded || run.Trigger != "ci" {
		t.Fatalf("fix run = %+v", run)
	}
	reqs := e.model.Requests()
	if prompt := reqs[len(reqs)-2].Messages[1].Content; !strings.Contains(prompt, "### build: failure") || !strings.Contains(prompt, "undefined: hello") {
		t.Errorf("fix prompt lacks the failed job:\n%s", prompt)
	}
}
