package runner

import (
	"strings"
	"testing"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

func TestDigest(t *testing.T) {
	tool := func(name, args string) agent.Entry { return agent.Entry{Role: "tool", Tool: name, Args: args} }
	tr := []agent.Entry{
		{Role: "assistant", Content: "thinking"},
		tool("read_file", `{"path":"a.go"}`),
		tool("read_file", `{"path":"a.go"}`),
		tool("search", `{"query":"Greet"}`),
		tool("list_files", `{}`),
	}
	if got, want := digest(tr), "read_file a.go (×2), search Greet, list_files"; got != want {
		t.Errorf("digest = %q, want %q", got, want)
	}
	var many []agent.Entry
	for i := 0; i < maxDigestCalls+5; i++ {
		many = append(many, tool("read_file", `{"path":"f`+strings.Repeat("x", i)+`"}`))
	}
	if got := digest(many); !strings.HasPrefix(got, "(the last 30 of 35) read_file fxxxxx,") {
		t.Errorf("digest of many = %q", got[:60])
	}
}

// A checkpoint still goes through the guard: a partial change that breaks
// the policy is not pushed, and the run fails saying why.
func TestCheckpointKeepsThePolicy(t *testing.T) {
	h := newHarness(t)
	h.setPolicy("limits:\n  max_turns: 1\npaths:\n  deny: [\"secret/**\"]\n")
	h.model.then(reply(t, writeFile("secret/x.txt", "x\n")))
	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}
	if len(h.gh.commits) != 0 || len(h.gh.pulls) != 0 {
		t.Errorf("commits %d, pulls %d; want nothing pushed", len(h.gh.commits), len(h.gh.pulls))
	}
	run := h.latest()
	if run.Status != store.StatusFailed || !strings.Contains(run.Error, "broke the repository's policy") {
		t.Errorf("run = %s %q", run.Status, run.Error)
	}
}

// Within the policy, the limited run's change is pushed as a checkpoint:
// a draft PR, and a comment saying where it stopped and how to go on.
func TestCheckpointOpensADraft(t *testing.T) {
	h := newHarness(t)
	h.setPolicy("limits:\n  max_turns: 1\n")
	h.model.then(reply(t, writeFile("greet.txt", "hello\n")))
	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}
	pr, ok := h.gh.pulls[101]
	if len(h.gh.commits) != 1 || !ok || !pr.Draft || len(h.gh.reviewsAsked) != 0 {
		t.Fatalf("commits %d, pull %+v; want one checkpoint commit in a draft, no review asked", len(h.gh.commits), pr)
	}
	comments := h.gh.commentsOn(7)
	if len(comments) != 1 || !strings.Contains(comments[0], "limit of 1 turns") || !strings.Contains(comments[0], "`/lifeos retry`") {
		t.Errorf("comments = %q", comments)
	}
	if run := h.latest(); run.PRNumber != 101 || !strings.Contains(run.Summary, "wrote `greet.txt`") {
		t.Errorf("run = PR %d, summary %q", run.PRNumber, run.Summary)
	}
}

// A checkpoint pushed onto a ready PR keeps rung 3 from merging it when
// CI passes: the work is unfinished.
func TestCheckpointIsNotAutoMerged(t *testing.T) {
	h := newHarness(t)
	h.setPolicy("autonomy: 3\nauto_merge:\n  paths: [\"docs/**\"]\n")
	pr := h.openPR("docs/guide.md")
	h.setPolicy("autonomy: 3\nlimits:\n  max_turns: 1\nauto_merge:\n  paths: [\"docs/**\"]\n")
	h.model.then(reply(t, writeFile("docs/more.md", "more\n")))
	if err := h.work(h.commandJob("alice", "retry", 7)); err != nil {
		t.Fatal(err)
	}
	if run := h.latest(); !strings.HasPrefix(run.Error, checkpointError) || run.PRNumber != pr.Number {
		t.Fatalf("the retry = %s %q PR %d, want a checkpoint on #%d", run.Status, run.Error, run.PRNumber, pr.Number)
	}
	h.gh.checkResults = []policy.CheckResult{{Name: "test", Status: "completed", Conclusion: "success"}}
	head := h.gh.pulls[pr.Number].HeadSHA
	if err := h.work(h.ciJob(pr.Number, head, true)); err != nil {
		t.Fatal(err)
	}
	if len(h.gh.merges) != 0 {
		t.Errorf("merged %v", h.gh.merges)
	}
	if !h.hasDecision(h.latest().ID, "ci.checkpoint", "unfinished") {
		t.Errorf("decisions = %q", h.decisions(h.latest().ID))
	}
}
