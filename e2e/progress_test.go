package e2e

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// patchComment is the route of an edit of an issue or PR comment.
const patchComment = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"

// progressStates records each state the issue's one comment is edited
// to, in order.
type progressStates struct {
	mu     sync.Mutex
	states []string
	times  []time.Time
}

func watchProgress(e *env, n int) *progressStates {
	p := &progressStates{}
	e.gh.OnRequest(patchComment, func(githubfake.Request) {
		cs := e.gh.Repo(repoName).Comments(n)
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(cs) > 0 {
			p.states = append(p.states, cs[len(cs)-1].Body)
			p.times = append(p.times, time.Now())
		}
	})
	return p
}

func (p *progressStates) get() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.states...)
}

// A label run's one comment goes through its states: started, each turn
// with its tokens and cost, the commit, and the PR; no other comment is
// posted.
func TestProgressCommentGoesThroughItsStates(t *testing.T) {
	e := start(t, envOpts{progress: time.Millisecond})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	p := watchProgress(e, n)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	cs := e.gh.Repo(repoName).Comments(n)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, "LifeOS opened #") || !strings.Contains(cs[0].Body, "<!-- lifeos:progress run=") {
		t.Fatalf("comments = %+v, want one progress comment ending as opened", cs)
	}
	states := p.get()
	want := []string{"turn 1 of", "turn 3 of", "committed", "LifeOS opened #"}
	i := 0
	for _, s := range states {
		if i < len(want) && strings.Contains(s, want[i]) {
			i++
		}
	}
	if i != len(want) {
		t.Errorf("states = %q, want them to pass through %q in order", states, want)
	}
	for _, s := range states {
		if strings.Contains(s, "turn ") && (!strings.Contains(s, "tokens") || !strings.Contains(s, "$")) {
			t.Errorf("state %q lacks the tokens and cost so far", s)
		}
	}
}

// Edits of the progress comment come at most once an interval, however
// fast the run moves, and the final state is written at once.
func TestProgressEditsAreThrottled(t *testing.T) {
	const interval = 250 * time.Millisecond
	e := start(t, envOpts{progress: interval})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	var replies []modelfake.Reply
	for i := 0; i < 12; i++ {
		path := []string{"README.md", "main.go"}[i%2] // the same call four times running is stopped
		replies = append(replies, modelfake.Reply{Delay: 40 * time.Millisecond,
			ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": path})}})
	}
	replies = append(replies,
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Finish("Fixed the typo in README.md."))
	e.model.Script(replies...)
	p := watchProgress(e, n)
	begun := time.Now()
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	took := time.Since(begun)
	p.mu.Lock()
	times := append([]time.Time(nil), p.times...)
	p.mu.Unlock()
	// The last edit is the final state, written whatever the interval;
	// those before it are a throttle's.
	if most := int(took/interval) + 1; len(times) < 2 || len(times)-1 > most {
		t.Errorf("%d edits in %s, want 2 to %d (one per %s, plus the final)", len(times), took.Round(time.Millisecond), most+1, interval)
	}
	for i := 1; i < len(times)-1; i++ {
		if gap := times[i].Sub(times[i-1]); gap < interval-20*time.Millisecond {
			t.Errorf("edits %d and %d came %s apart, under the %s interval", i-1, i, gap, interval)
		}
	}
	if cs := e.gh.Repo(repoName).Comments(n); len(cs) != 1 || !strings.HasPrefix(cs[0].Body, "LifeOS opened #") {
		t.Errorf("comments = %+v, want one, at its final state", cs)
	}
}

// A failed run's progress comment ends with the reason and what to do;
// it stays the only comment.
func TestProgressCommentSaysWhyARunFailed(t *testing.T) {
	e := start(t, envOpts{progress: time.Millisecond})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": ".github/workflows/x.yml", "content": "on: push\n"})}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": ".github/workflows/x.yml", "content": "on: push\n"})}},
		modelfake.Finish("Added a workflow."), modelfake.Finish("Added a workflow."))
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusFailed {
		t.Fatalf("run = %+v, want failed", run)
	}
	cs := e.gh.Repo(repoName).Comments(n)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, "LifeOS could not finish:") || !strings.Contains(cs[0].Body, "<!-- lifeos:progress run=") {
		t.Errorf("comments = %+v, want the one progress comment saying why the run failed", cs)
	}
}

// Every commit the agent pushes carries the LifeOS check run with the
// run's figures, and its details_url is the run's page.
func TestCheckRunOnEachAgentCommit(t *testing.T) {
	const admin = "e2e-admin-token-0123456789"
	e := start(t, envOpts{configure: func(c *config.Config) {
		c.Web.AdminToken = admin
		c.Web.PublicURL = &url.URL{Scheme: "https", Host: "lifeos.example"}
	}})
	issue, pr := e.openPR()
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "more.txt", "content": "more\n"})}},
		modelfake.Finish("Added more."),
	)
	e.comment(pr, true, maintainer, "User", "/lifeos retry add more")
	runs := e.waitRuns(issue, 2)
	repo := e.gh.Repo(repoName)
	for _, run := range runs {
		if run.Status != store.StatusSucceeded || run.CommitSHA == "" {
			t.Fatalf("run = %+v", run)
		}
		var own []githubfake.CheckRun
		for _, c := range repo.CheckRuns(run.CommitSHA) {
			if c.Name == "LifeOS" {
				own = append(own, c)
			}
		}
		if len(own) != 1 {
			t.Fatalf("LifeOS check runs on %s = %+v, want one", run.CommitSHA, own)
		}
		c := own[0]
		if c.Status != "completed" || c.Conclusion != "success" {
			t.Errorf("check run = %s/%s, want completed/success", c.Status, c.Conclusion)
		}
		for _, want := range []string{"**Task:** #", "**Files changed:** 1 file", "**Turns:**", "**Tokens:**", "**Cost:** $", "budget.monthly"} {
			if !strings.Contains(c.Summary, want) {
				t.Errorf("summary of run %d lacks %q:\n%s", run.ID, want, c.Summary)
			}
		}
		u, err := url.Parse(c.DetailsURL)
		if err != nil || u.Host != "lifeos.example" || u.Path != "/runs/"+strconv.FormatInt(run.ID, 10) {
			t.Fatalf("details_url = %q, want https://lifeos.example/runs/%d", c.DetailsURL, run.ID)
		}
		req, _ := http.NewRequest(http.MethodGet, e.url+u.Path, nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s = %d %s, want the run page", u.Path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// An edit of an executable file cannot go through createCommitOnBranch,
// which sets no mode: the commit takes the git data API, keeps the mode,
// and the run still ends with one comment and its check run.
func TestExecutableEditTakesTheGitDataAPI(t *testing.T) {
	e := start(t, envOpts{repoFiles: map[string]githubfake.File{
		"README.md":      {Content: "# Hello-World\n\nHello, wrold!\n"},
		"scripts/run.sh": {Content: "#!/bin/sh\necho hi\n", Mode: "100755"},
	}})
	n := e.gh.AddIssue(repoName, "Say hello", "run.sh should say hello.", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{"path": "scripts/run.sh", "old": "echo hi", "new": "echo hello"})}},
		modelfake.Finish("run.sh says hello."))
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Say hello", "run.sh should say hello."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	tree, err := e.gh.Repo(repoName).Tree("lifeos/issue-" + itoa(n))
	if err != nil || tree["scripts/run.sh"].Mode != "100755" || !strings.Contains(tree["scripts/run.sh"].Content, "echo hello") {
		t.Errorf("scripts/run.sh on the branch = %+v (%v), want the edit, still executable", tree["scripts/run.sh"], err)
	}
	for _, r := range e.gh.Requests() {
		if r.Route == githubfake.GraphQLRoute("createCommitOnBranch") {
			t.Errorf("the executable's edit went through createCommitOnBranch")
		}
	}
	if cs := e.gh.Repo(repoName).Comments(n); len(cs) != 1 || !strings.HasPrefix(cs[0].Body, "LifeOS opened #") {
		t.Errorf("comments = %+v, want the one progress comment", cs)
	}
	if len(e.gh.Repo(repoName).CheckRuns(run.CommitSHA)) != 1 {
		t.Errorf("check runs on %s = %+v, want LifeOS's", run.CommitSHA, e.gh.Repo(repoName).CheckRuns(run.CommitSHA))
	}
}
