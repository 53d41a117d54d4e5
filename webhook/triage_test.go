package webhook

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/sjson"

	"github.com/lifeos/lifeos/commands"
	"github.com/lifeos/lifeos/jobs"
)

// testConfig() is the server every test runs as.
func testConfig() Config { return Config{AppSlug: "lifeos-test", TriggerLabel: "lifeos:do"} }

// edit changes one path of a fixture; the value deleted{} removes it.
type edit struct {
	path  string
	value any
}

// deleted, as an edit's value, removes the path.
type deleted struct{}

// fixture reads one of GitHub's example payloads and applies edits to it.
func fixture(t *testing.T, name string, edits ...edit) []byte {
	t.Helper()
	raw, err := os.ReadFile("../e2e/testdata/webhooks/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		if _, del := e.value.(deleted); del {
			raw, err = sjson.DeleteBytes(raw, e.path)
		} else {
			raw, err = sjson.SetBytes(raw, e.path, e.value)
		}
		if err != nil {
			t.Fatalf("edit %s of %s: %v", e.path, name, err)
		}
	}
	return raw
}

// triageCase is one row of a triage table: the edits to the event's
// fixture, and the job it must make, or (want nil) a word of the reason it
// must be ignored for.
type triageCase struct {
	name  string
	edits []edit
	want  jobs.Job
	why   string
}

// delivery is the delivery every triage test triages.
func delivery(event string) jobs.Delivery {
	return jobs.Delivery{ID: "delivery-1", Event: event, QueuedAt: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)}
}

// repo is the repository of GitHub's example payloads, with the
// installation the tests add.
func repo(defaultBranch string) jobs.Repo {
	return jobs.Repo{InstallationID: 42, Owner: "Codertocat", Name: "Hello-World", DefaultBranch: defaultBranch}
}

// runTriage checks every row against triage, on fixture name with base
// applied first.
func runTriage(t *testing.T, triage triageFunc, name string, base []edit, tests []triageCase) {
	t.Helper()
	event, _, _ := strings.Cut(name, ".")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := fixture(t, name, append(append([]edit{}, base...), tt.edits...)...)
			got, reason := triage(delivery(event), payload, testConfig())
			switch {
			case tt.want == nil && got != nil:
				t.Fatalf("got job %+v, want it ignored (%s)", got, tt.why)
			case tt.want == nil && !strings.Contains(reason, tt.why):
				t.Fatalf("ignored because %q, want a reason about %q", reason, tt.why)
			case tt.want != nil && got == nil:
				t.Fatalf("ignored (%s), want job %+v", reason, tt.want)
			case !reflect.DeepEqual(got, tt.want):
				t.Fatalf("got job\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

// The tests below have one row per rule that decides an event, against
// GitHub's own example payloads (which lack the installation an App always
// receives, so each table adds it).

func TestTriageIssues(t *testing.T) {
	d, r := delivery("issues"), repo("master")
	issue := jobs.Issue{Number: 1, Title: "Spelling error in the README file",
		Body: "It looks like you accidently spelled 'commit' with two 't's.", Author: "Codertocat", Comments: 0}
	noCount := issue
	noCount.Comments = -1
	runTriage(t, triageIssues, "issues.labeled", []edit{{"installation.id", 42}, {"label.name", "lifeos:do"}}, []triageCase{
		{name: "trigger label", want: jobs.NewRun(d, r, issue, "lifeos:do", "Codertocat")},
		{name: "label in the namespace", edits: []edit{{"label.name", "lifeos:go"}}, want: jobs.NewRun(d, r, issue, "lifeos:go", "Codertocat")},
		{name: "no comment count", edits: []edit{{"issue.comments", deleted{}}}, want: jobs.NewRun(d, r, noCount, "lifeos:do", "Codertocat")},
		{name: "other action", edits: []edit{{"action", "unlabeled"}}, why: "action"},
		{name: "other label", edits: []edit{{"label.name", "bug"}}, why: "label"},
		{name: "bot sender", edits: []edit{{"sender.type", "Bot"}}, why: "bot"},
		{name: "the App as sender", edits: []edit{{"sender.login", "lifeos-test[bot]"}}, why: "bot"},
		{name: "no issue number", edits: []edit{{"issue.number", 0}}, why: "issue number"},
		{name: "no installation", edits: []edit{{"installation", deleted{}}}, why: "installation"},
		{name: "no repository", edits: []edit{{"repository", deleted{}}}, why: "repository"},
	})
}

func TestTriageIssueComment(t *testing.T) {
	d, r := delivery("issue_comment"), repo("master")
	issue := &jobs.Issue{Number: 1, Title: "Spelling error in the README file",
		Body: "It looks like you accidently spelled 'commit' with two 't's.", Author: "Codertocat", Comments: 0}
	cmd := func(c jobs.Command) jobs.Job {
		c.Number, c.CommentID, c.Sender = 1, 492700400, "Codertocat"
		return jobs.NewCommand(d, r, c)
	}
	// The reply's text is package commands' business; the job carries it.
	reply := commands.Parse("/lifeos frobnicate").Reply
	if reply == "" {
		t.Fatal("commands.Parse has no reply for an unknown verb; pick another near miss")
	}
	status := edit{"comment.body", "/lifeos status"}
	pr := edit{"issue.pull_request", map[string]any{"url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"}}
	runTriage(t, triageIssueComment, "issue_comment.created", []edit{{"installation.id", 42}}, []triageCase{
		{name: "command on an issue", edits: []edit{{"comment.body", "/lifeos retry fix the typo"}},
			want: cmd(jobs.Command{Verb: "retry", Instructions: "fix the typo", Issue: issue})},
		{name: "command on a pull request", edits: []edit{status, pr}, want: cmd(jobs.Command{OnPR: true, Verb: "status"})},
		{name: "null pull_request is an issue", edits: []edit{status, {"issue.pull_request", nil}},
			want: cmd(jobs.Command{Verb: "status", Issue: issue})},
		{name: "near miss gets a reply", edits: []edit{{"comment.body", "/lifeos frobnicate"}},
			want: cmd(jobs.Command{Reply: reply, Issue: issue})},
		{name: "no command", why: "no command"},
		{name: "other action", edits: []edit{status, {"action", "edited"}}, why: "action"},
		{name: "bot sender", edits: []edit{status, {"sender.type", "Bot"}}, why: "bot"},
		{name: "the App as sender", edits: []edit{status, {"sender.login", "lifeos-test[bot]"}}, why: "bot"},
		{name: "no issue number", edits: []edit{status, {"issue.number", deleted{}}}, why: "issue number"},
		{name: "issue number 0", edits: []edit{status, {"issue.number", 0}}, why: "issue number"},
		{name: "negative issue number", edits: []edit{{"comment.body", "/lifeos frobnicate"}, {"issue.number", -3}}, why: "issue number"},
		{name: "no installation", edits: []edit{status, {"installation", deleted{}}}, why: "installation"},
		{name: "no repository", edits: []edit{status, {"repository", deleted{}}}, why: "repository"},
	})
}

func TestTriagePullRequestReview(t *testing.T) {
	d, r := delivery("pull_request_review"), repo("master")
	review := func(body string) jobs.Job {
		return jobs.NewReview(d, r, jobs.Review{PR: 2, Issue: 7, ReviewID: 237895671, Reviewer: "Codertocat", Body: body})
	}
	base := []edit{{"installation.id", 42}, {"review.state", "changes_requested"},
		{"pull_request.head.ref", "lifeos/issue-7"}, {"review.body", "Rename it."}, {"pull_request.user.login", "lifeos-test[bot]"}}
	runTriage(t, triagePullRequestReview, "pull_request_review.submitted", base, []triageCase{
		{name: "changes requested", want: review("Rename it.")},
		{name: "state in capitals", edits: []edit{{"review.state", "CHANGES_REQUESTED"}}, want: review("Rename it.")},
		{name: "no body", edits: []edit{{"review.body", nil}}, want: review("")},
		{name: "approval", edits: []edit{{"review.state", "approved"}}, why: "state"},
		{name: "other action", edits: []edit{{"action", "dismissed"}}, why: "action"},
		{name: "not a LifeOS branch", edits: []edit{{"pull_request.head.ref", "changes"}}, why: "branch"},
		{name: "a human's PR on a LifeOS-like branch", edits: []edit{{"pull_request.user.login", "Codertocat"}}, why: "not the App"},
		{name: "from a fork", edits: []edit{{"pull_request.head.repo.full_name", "mallory/Hello-World"}}, why: "fork"},
		{name: "from a deleted fork", edits: []edit{{"pull_request.head.repo", nil}}, why: "fork"},
		{name: "bot reviewer", edits: []edit{{"review.user.type", "Bot"}}, why: "reviewer"},
		{name: "bot sender", edits: []edit{{"sender.type", "Bot"}}, why: "sender"},
		{name: "the App as sender", edits: []edit{{"sender.login", "lifeos-test[bot]"}}, why: "sender"},
		{name: "no installation", edits: []edit{{"installation", deleted{}}}, why: "installation"},
		{name: "no repository", edits: []edit{{"repository", deleted{}}}, why: "repository"},
	})
}

func TestTriageCheckSuite(t *testing.T) {
	d, r := delivery("check_suite"), repo("master")
	ci := func(passed bool, prs []int) jobs.Job {
		return jobs.NewCI(d, r, jobs.CI{Issue: 7, Branch: "lifeos/issue-7", HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
			Passed: passed, SuiteID: 118578147, PRs: prs})
	}
	base := []edit{{"installation.id", 42}, {"check_suite.head_branch", "lifeos/issue-7"},
		{"check_suite.app.slug", "circleci"}, {"check_suite.conclusion", "failure"}}
	runTriage(t, triageCheckSuite, "check_suite.completed", base, []triageCase{
		{name: "failure", want: ci(false, []int{2})},
		{name: "timed out", edits: []edit{{"check_suite.conclusion", "timed_out"}}, want: ci(false, []int{2})},
		{name: "success", edits: []edit{{"check_suite.conclusion", "success"}}, want: ci(true, []int{2})},
		{name: "no linked pull requests", edits: []edit{{"check_suite.pull_requests", []any{}}}, want: ci(false, nil)},
		{name: "neutral", edits: []edit{{"check_suite.conclusion", "neutral"}}, why: "conclusion"},
		{name: "cancelled", edits: []edit{{"check_suite.conclusion", "cancelled"}}, why: "conclusion"},
		{name: "other action", edits: []edit{{"action", "requested"}}, why: "action"},
		{name: "LifeOS's own suite", edits: []edit{{"check_suite.app.slug", "lifeos-test"}}, why: "own"},
		{name: "not a LifeOS branch", edits: []edit{{"check_suite.head_branch", "changes"}}, why: "branch"},
		{name: "a fork's pull request", edits: []edit{{"check_suite.pull_requests.0.head.repo.id", 666}}, why: "fork"},
		{name: "a deleted fork's pull request", edits: []edit{{"check_suite.pull_requests.0.head.repo", nil}}, why: "fork"},
		{name: "no installation", edits: []edit{{"installation", deleted{}}}, why: "installation"},
		{name: "no repository", edits: []edit{{"repository", deleted{}}}, why: "repository"},
	})
}

func TestTriageWorkflowRun(t *testing.T) {
	d, r := delivery("workflow_run"), repo("main")
	ci := jobs.NewCI(d, r, jobs.CI{Issue: 7, Branch: "lifeos/issue-7", HeadSHA: "5779607b49aab1200488439f02372c57b4f75444",
		WorkflowRunID: 1589141559, PRs: []int{5}})
	base := []edit{{"installation.id", 42}, {"workflow_run.head_branch", "lifeos/issue-7"},
		{"workflow_run.conclusion", "failure"}, {"workflow_run.pull_requests", []map[string]any{{"number": 5}}},
		{"workflow_run.head_repository.full_name", "Codertocat/Hello-World"}}
	runTriage(t, triageWorkflowRun, "workflow_run.completed", base, []triageCase{
		{name: "failure", want: ci},
		{name: "timed out", edits: []edit{{"workflow_run.conclusion", "timed_out"}}, want: ci},
		{name: "success comes via check_suite", edits: []edit{{"workflow_run.conclusion", "success"}}, why: "conclusion"},
		{name: "no conclusion", edits: []edit{{"workflow_run.conclusion", nil}}, why: "conclusion"},
		{name: "other action", edits: []edit{{"action", "requested"}}, why: "action"},
		{name: "not a LifeOS branch", edits: []edit{{"workflow_run.head_branch", "main"}}, why: "branch"},
		{name: "head repository in another case", edits: []edit{{"workflow_run.head_repository.full_name", "codertocat/hello-world"}}, want: ci},
		{name: "from a fork", edits: []edit{{"workflow_run.head_repository.full_name", "mallory/Hello-World"}}, why: "fork"},
		{name: "from a deleted fork", edits: []edit{{"workflow_run.head_repository", nil}}, why: "fork"},
		{name: "no installation", edits: []edit{{"installation", deleted{}}}, why: "installation"},
		{name: "no repository", edits: []edit{{"repository", deleted{}}}, why: "repository"},
	})
}

func TestTriagePullRequest(t *testing.T) {
	d, r := delivery("pull_request"), repo("master")
	closed := func(merged bool) jobs.Job {
		return jobs.NewClosed(d, r, jobs.Closed{PR: 2, Issue: 7, Branch: "lifeos/issue-7", Merged: merged, Sender: "Codertocat"})
	}
	base := []edit{{"installation.id", 42}, {"pull_request.head.ref", "lifeos/issue-7"}, {"pull_request.user.login", "lifeos-test[bot]"}}
	runTriage(t, triagePullRequest, "pull_request.closed", base, []triageCase{
		{name: "closed", want: closed(false)},
		{name: "merged", edits: []edit{{"pull_request.merged", true}}, want: closed(true)},
		{name: "other action", edits: []edit{{"action", "opened"}}, why: "action"},
		{name: "not a LifeOS branch", edits: []edit{{"pull_request.head.ref", "changes"}}, why: "branch"},
		{name: "not by the App", edits: []edit{{"pull_request.user.login", "Codertocat"}}, why: "not the App"},
		{name: "from a fork", edits: []edit{{"pull_request.head.repo.full_name", "mallory/Hello-World"}}, why: "fork"},
		{name: "no installation", edits: []edit{{"installation", deleted{}}}, why: "installation"},
		{name: "no repository", edits: []edit{{"repository", deleted{}}}, why: "repository"},
	})
}

// Triage finds each event's triage function, and refuses what never will
// be work.
func TestTriage(t *testing.T) {
	payload := fixture(t, "pull_request.closed", edit{"installation.id", 42},
		edit{"pull_request.head.ref", "lifeos/issue-7"}, edit{"pull_request.user.login", "lifeos-test[bot]"})
	if job, reason, err := Triage(delivery("pull_request"), payload, testConfig()); err != nil || job == nil {
		t.Errorf("pull_request: got %v, %q, %v; want a job", job, reason, err)
	}
	if job, _, err := Triage(delivery("issues"), payload, testConfig()); err != nil || job != nil {
		t.Errorf("a pull_request payload as issues: got %v, %v; want it ignored", job, err)
	}
	if _, _, err := Triage(delivery("star"), payload, testConfig()); err == nil {
		t.Error("star: no error for an event no handler takes")
	}
	if _, _, err := Triage(delivery("pull_request"), payload[:len(payload)/2], testConfig()); err == nil {
		t.Error("no error for a payload that is not JSON")
	}
}

func TestTriageStatus(t *testing.T) {
	d, r := delivery("status"), repo("master")
	const sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
	ci := func(passed bool) jobs.Job {
		return jobs.NewCI(d, r, jobs.CI{Issue: 7, Branch: "lifeos/issue-7", HeadSHA: sha, Passed: passed})
	}
	base := []edit{{"installation.id", 42}, {"branches.1.name", "lifeos/issue-7"}, {"branches.1.commit.sha", sha}}
	runTriage(t, triageStatus, "status", base, []triageCase{
		{name: "success", want: ci(true)},
		{name: "failure", edits: []edit{{"state", "failure"}}, want: ci(false)},
		{name: "error", edits: []edit{{"state", "error"}}, want: ci(false)},
		{name: "pending", edits: []edit{{"state", "pending"}}, why: "not an end"},
		{name: "set by LifeOS", edits: []edit{{"sender.login", "lifeos-test[bot]"}}, why: "own"},
		{name: "another bot's status counts", edits: []edit{{"sender.login", "jenkins[bot]"}, {"sender.type", "Bot"}}, want: ci(true)},
		{name: "not at the LifeOS branch's tip", edits: []edit{{"branches.1.commit.sha", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"}}, why: "tip"},
		{name: "no LifeOS branch", edits: []edit{{"branches.1.name", "changes"}}, why: "tip"},
		{name: "no installation", edits: []edit{{"installation", deleted{}}}, why: "installation"},
	})
}
