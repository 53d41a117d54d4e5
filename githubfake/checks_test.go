package githubfake

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-github/v89/github"
)

func TestCheckRunsAndActionsLogs(t *testing.T) {
	f := newFixture(t, map[string]string{"a.go": "package a\n"})
	sha, _ := f.repo.BranchSHA("main")

	run, _, err := f.gh.Checks.CreateCheckRun(ctx, "acme", "widgets", github.CreateCheckRunOptions{
		Name: "lifeos", HeadSHA: sha, Status: github.Ptr("in_progress"),
		StartedAt: &github.Timestamp{Time: time.Now()}, ExternalID: github.Ptr("run-1"),
		DetailsURL: github.Ptr("https://lifeos.example/runs/1"),
	})
	if err != nil || run.GetStatus() != "in_progress" || run.GetApp().GetSlug() != "lifeos" {
		t.Fatalf("create check run = %v, %v", run, err)
	}
	_, _, err = f.gh.Checks.UpdateCheckRun(ctx, "acme", "widgets", run.GetID(), github.UpdateCheckRunOptions{
		Name:       "lifeos",
		Conclusion: github.Ptr("failure"),
		Output: &github.CheckRunOutput{
			Title: github.Ptr("1 problem"), Summary: github.Ptr("see below"),
			Annotations: []*github.CheckRunAnnotation{{
				Path: github.Ptr("a.go"), StartLine: github.Ptr(1), EndLine: github.Ptr(1),
				AnnotationLevel: github.Ptr("failure"), Message: github.Ptr("bad"),
			}},
		},
	})
	if err != nil {
		t.Fatalf("update check run: %v", err)
	}
	if _, _, err := f.gh.Checks.CreateCheckRun(ctx, "acme", "widgets", github.CreateCheckRunOptions{Name: "x", HeadSHA: "0123456789012345678901234567890123456789"}); statusOf(err) != 422 {
		t.Errorf("check run on unknown commit: err = %v, want 422", err)
	}

	ci := f.s.AddCheckRun(testRepo, sha, CheckRunFixture{
		Name: "test", Conclusion: "failure", Log: "FAIL: TestX\n",
		Annotations: []Annotation{{Path: "a.go", StartLine: 3, EndLine: 3, Level: "failure", Message: "boom"}},
	})

	list, _, err := f.gh.Checks.ListCheckRunsForRef(ctx, "acme", "widgets", "main", nil)
	if err != nil || list.GetTotal() != 2 {
		t.Fatalf("runs for ref = %v, %v", list, err)
	}
	suiteRuns, _, err := f.gh.Checks.ListCheckRunsCheckSuite(ctx, "acme", "widgets", ci.SuiteID, nil)
	if err != nil || suiteRuns.GetTotal() != 1 || suiteRuns.CheckRuns[0].GetName() != "test" {
		t.Fatalf("runs of suite = %v, %v", suiteRuns, err)
	}
	suite, _, err := f.gh.Checks.GetCheckSuite(ctx, "acme", "widgets", ci.SuiteID)
	if err != nil || suite.GetConclusion() != "failure" || suite.GetApp().GetSlug() != "github-actions" {
		t.Errorf("suite = %v, %v", suite, err)
	}
	anns, _, err := f.gh.Checks.ListCheckRunAnnotations(ctx, "acme", "widgets", ci.ID, nil)
	if err != nil || len(anns) != 1 || anns[0].GetMessage() != "boom" {
		t.Errorf("annotations = %v, %v", anns, err)
	}
	jobs, _, err := f.gh.Actions.ListWorkflowJobs(ctx, "acme", "widgets", ci.RunID, nil)
	if err != nil || jobs.GetTotalCount() != 1 || jobs.Jobs[0].GetID() != ci.ID {
		t.Fatalf("jobs = %v, %v", jobs, err)
	}
	logURL, _, err := f.gh.Actions.GetWorkflowJobLogs(ctx, "acme", "widgets", ci.ID, 0)
	if err != nil {
		t.Fatalf("job logs: %v", err)
	}
	resp, err := http.Get(logURL.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "FAIL: TestX\n" {
		t.Errorf("log = %q", b)
	}
	if _, _, err := f.gh.Checks.UpdateCheckRun(ctx, "acme", "widgets", ci.ID, github.UpdateCheckRunOptions{Name: "x"}); statusOf(err) != 403 {
		t.Errorf("updating another app's run: err = %v, want 403", err)
	}
	runs := f.repo.CheckRuns(sha)
	if len(runs) != 2 || runs[0].Conclusion != "failure" || len(runs[0].Annotations) != 1 {
		t.Errorf("Repo.CheckRuns = %+v", runs)
	}
	noValidationErrors(t, f.s)
}
