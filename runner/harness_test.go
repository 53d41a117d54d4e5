package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

const (
	testAppSlug = "lifeos"
	testModel   = "gpt-test"
	// Each scripted reply reports this usage: with testPrices a call costs
	// 1000×$1/M + 100×$2/M = $0.0012.
	testPromptTokens     = 1000
	testCompletionTokens = 100
	testCallCost         = 1200 * policy.Microdollar
)

// testPrices prices testModel at $1 in and $2 out per million tokens.
var testPrices = policy.PriceTable{testModel: {InputPerMillion: policy.Dollar, OutputPerMillion: 2 * policy.Dollar}}

// testNow is the harness's fixed clock.
var testNow = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

var testRepo = jobs.Repo{InstallationID: 42, Owner: "octo", Name: "hello", DefaultBranch: "main"}

// scriptedModel answers each call with the next completion of its script
// and keeps the params it was sent.
type scriptedModel struct {
	script []*openai.ChatCompletion
	got    []openai.ChatCompletionNewParams
}

func (m *scriptedModel) Complete(_ context.Context, p openai.ChatCompletionNewParams) (*openai.ChatCompletion, error) {
	m.got = append(m.got, p)
	if len(m.got) > len(m.script) {
		return nil, errors.New("the script has no more replies")
	}
	return m.script[len(m.got)-1], nil
}

// then appends replies to the script.
func (m *scriptedModel) then(replies ...*openai.ChatCompletion) {
	m.script = append(m.script, replies...)
}

// sent is the JSON of the params of call i, to look for prompt text in.
func (m *scriptedModel) sent(t *testing.T, i int) string {
	t.Helper()
	if i >= len(m.got) {
		t.Fatalf("the model was called %d times; no call %d", len(m.got), i)
	}
	b, err := json.Marshal(m.got[i])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// toolCall is one tool call of a scripted reply.
type toolCall struct {
	name string
	args map[string]any
}

func writeFile(path, content string) toolCall {
	return toolCall{"write_file", map[string]any{"path": path, "content": content}}
}

func finish(summary string) toolCall { return toolCall{"finish", map[string]any{"summary": summary}} }

// reply is a chat completion making calls, read from the JSON an endpoint
// sends, with testPromptTokens and testCompletionTokens of usage.
func reply(t *testing.T, calls ...toolCall) *openai.ChatCompletion {
	t.Helper()
	var tcs []map[string]any
	for i, c := range calls {
		args, err := json.Marshal(c.args)
		if err != nil {
			t.Fatal(err)
		}
		tcs = append(tcs, map[string]any{"id": fmt.Sprintf("call_%d", i), "type": "function",
			"function": map[string]any{"name": c.name, "arguments": string(args)}})
	}
	body, err := json.Marshal(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": testModel,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "tool_calls",
			"message": map[string]any{"role": "assistant", "content": "", "tool_calls": tcs}}},
		"usage": map[string]any{"prompt_tokens": testPromptTokens, "completion_tokens": testCompletionTokens,
			"total_tokens": testPromptTokens + testCompletionTokens},
	})
	if err != nil {
		t.Fatal(err)
	}
	var c openai.ChatCompletion
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// harness is a Runner over a real store, the fake GitHub and the scripted
// model, with a fixed clock.
type harness struct {
	t      *testing.T
	ctx    context.Context
	gh     *fakeGitHub
	model  *scriptedModel
	db     *store.DB
	store  *store.Store
	runner *Runner
	jobID  int64            // the last job's ID
	ids    map[string]int64 // job IDs by delivery
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := zerolog.New(zerolog.NewTestWriter(t)).WithContext(context.Background())
	db, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// River's tables live beside the store's, as in production: the store
	// reads job states from them.
	migrator, err := rivermigrate.New(riversqlite.New(db.DB), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return testNow }
	st := store.New(db, now)
	ceilings := policy.DefaultCeilings()
	ceilings.DefaultModel, ceilings.DefaultCheapModel = testModel, ""
	ceilings.MaxAutonomy = policy.RungAutoMerge
	h := &harness{t: t, ctx: ctx, gh: newFakeGitHub(), model: &scriptedModel{}, db: db, store: st, ids: map[string]int64{}}
	h.runner = &Runner{
		GitHub:         func(jobs.Repo) (GitHub, error) { return h.gh, nil },
		Store:          st,
		Model:          h.model,
		ModelName:      testModel,
		DeleteBranches: true,
		AppSlug:        testAppSlug,
		Ceilings:       ceilings,
		Prices:         testPrices,
		Now:            now,
		Log:            zerolog.New(zerolog.NewTestWriter(t)),
	}
	h.gh.roles = map[string]string{"alice": "write", "bob": "maintain", "eve": "read"}
	h.gh.issues[7] = gh.Issue{Number: 7, Title: "Greeting is misspelled", Body: "It says helo.", Author: "alice"}
	return h
}

// delivery is a new delivery of event; each gets its own ID and job ID.
func (h *harness) delivery(event string) jobs.Delivery {
	h.jobID++
	d := jobs.Delivery{ID: fmt.Sprintf("delivery-%d", h.jobID), Event: event, QueuedAt: testNow}
	h.ids[d.ID] = h.jobID
	return d
}

// work works a job as its River worker does, with the job's ID.
func (h *harness) work(job jobs.Job) error {
	d, _ := job.Meta()
	id := h.ids[d.ID]
	switch j := job.(type) {
	case jobs.Run:
		return h.runner.label(h.ctx, id, j)
	case jobs.Command:
		return h.runner.command(h.ctx, id, j)
	case jobs.Review:
		return h.runner.review(h.ctx, id, j)
	case jobs.CI:
		return h.runner.ci(h.ctx, id, j)
	case jobs.Closed:
		return h.runner.closed(h.ctx, id, j)
	}
	h.t.Fatalf("no workflow for %T", job)
	return nil
}

// labelJob is alice's (or actor's) label on issue 7.
func (h *harness) labelJob(actor, label string) jobs.Run {
	is := h.gh.issues[7]
	return jobs.NewRun(h.delivery("issues"), testRepo,
		jobs.Issue{Number: is.Number, Title: is.Title, Body: is.Body, Author: is.Author}, label, actor)
}

func (h *harness) commandJob(sender, verb string, number int) jobs.Command {
	return jobs.NewCommand(h.delivery("issue_comment"), testRepo,
		jobs.Command{Number: number, CommentID: 555, Sender: sender, Verb: verb})
}

func (h *harness) ciJob(pr int, headSHA string, passed bool) jobs.CI {
	return jobs.NewCI(h.delivery("check_suite"), testRepo, jobs.CI{Issue: 7, Branch: "lifeos/issue-7",
		HeadSHA: headSHA, Passed: passed, SuiteID: 9, PRs: []int{pr}})
}

func (h *harness) reviewJob(reviewer, body string, pr int, reviewID int64) jobs.Review {
	return jobs.NewReview(h.delivery("pull_request_review"), testRepo,
		jobs.Review{PR: pr, Issue: 7, ReviewID: reviewID, Reviewer: reviewer, Body: body})
}

func (h *harness) closedJob(pr int, merged bool) jobs.Closed {
	return jobs.NewClosed(h.delivery("pull_request"), testRepo,
		jobs.Closed{PR: pr, Issue: 7, Branch: "lifeos/issue-7", Merged: merged, Sender: "alice"})
}

// setPolicy puts a policy file on the default branch.
func (h *harness) setPolicy(yaml string) { h.gh.tree[policy.FilePath] = []byte(yaml) }

// latest is issue 7's latest run, which must exist.
func (h *harness) latest() *store.Run {
	h.t.Helper()
	run, err := h.store.LatestRun(h.ctx, testRepo.FullName(), 7)
	if err != nil || run == nil {
		h.t.Fatalf("LatestRun = %v, %v; want a run", run, err)
	}
	return run
}

// decisions are a run's decisions as "rule allow|deny: reason".
func (h *harness) decisions(runID int64) []string {
	h.t.Helper()
	ds, err := h.store.Decisions(h.ctx, runID)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		verdict := "deny"
		if d.Allow {
			verdict = "allow"
		}
		out = append(out, d.Rule+" "+verdict+": "+d.Reason)
	}
	return out
}

// hasDecision reports whether a run recorded a decision of rule whose
// line contains text.
func (h *harness) hasDecision(runID int64, rule, text string) bool {
	for _, d := range h.decisions(runID) {
		if strings.HasPrefix(d, rule+" ") && strings.Contains(d, text) {
			return true
		}
	}
	return false
}

// finishedRun records a run that ended, for tests that need history.
func (h *harness) finishedRun(o store.Outcome) *store.Run {
	h.t.Helper()
	d := h.delivery("issues")
	run, err := h.store.StartRun(h.ctx, store.NewRun{Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
		IssueNumber: 7, DeliveryID: d.ID, JobID: h.jobID, Trigger: "label", Actor: "alice", Status: store.StatusRunning})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.FinishRun(h.ctx, run.ID, o); err != nil {
		h.t.Fatal(err)
	}
	return run
}

// openPR runs alice's label run on issue 7 with a change to path and
// returns the PR it opened.
func (h *harness) openPR(path string) gh.Pull {
	h.t.Helper()
	h.model.then(reply(h.t, writeFile(path, "first\n"), finish("Wrote "+path)))
	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		h.t.Fatalf("label run: %v", err)
	}
	run := h.latest()
	if run.Status != store.StatusSucceeded || run.PRNumber == 0 {
		h.t.Fatalf("first run: status %s, PR %d (%s)", run.Status, run.PRNumber, run.Error)
	}
	return h.gh.pulls[run.PRNumber]
}
