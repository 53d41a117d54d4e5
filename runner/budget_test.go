package runner

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/openai/openai-go"

	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// interruptingModel passes calls to the scripted model until call number
// at, which ends the job's context instead, as a shutdown does.
type interruptingModel struct {
	*scriptedModel
	at, calls int
	cancel    context.CancelFunc
}

func (m *interruptingModel) Complete(ctx context.Context, p openai.ChatCompletionNewParams) (*openai.ChatCompletion, error) {
	m.calls++
	if m.calls == m.at {
		m.cancel()
		return nil, context.Cause(ctx)
	}
	return m.scriptedModel.Complete(ctx, p)
}

func listFiles() toolCall { return toolCall{"list_files", map[string]any{}} }

// TestResumedRunContinuesItsLedger works a run job that is interrupted
// after one paid call, then works the same job again: the retry numbers its
// calls on from 2 and its per-run cap counts the first attempt's spending.
func TestResumedRunContinuesItsLedger(t *testing.T) {
	h := newHarness(t)
	h.setPolicy("limits:\n  max_cost_per_run: 0.0030\n") // two and a half calls
	ctx, cancel := context.WithCancel(h.ctx)
	h.runner.Model = &interruptingModel{scriptedModel: h.model, at: 2, cancel: cancel}
	h.model.then(reply(t, listFiles()), reply(t, listFiles()), reply(t, listFiles()), reply(t, finish("done")))
	job := h.labelJob("alice", "lifeos:do")

	first := h.ctx
	h.ctx = ctx
	if err := h.work(job); err == nil {
		t.Fatal("the interrupted attempt returned no error; River would not retry it")
	}
	h.ctx = first
	run := h.latest()
	if run.Status != store.StatusRunning {
		t.Fatalf("after the interruption the run is %s, want still running for the retry", run.Status)
	}
	if err := h.work(job); err != nil {
		t.Fatal(err)
	}

	run = h.latest()
	calls, err := h.store.ModelCalls(h.ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int
	for _, c := range calls {
		seqs = append(seqs, c.Seq)
	}
	if !slices.Equal(seqs, []int{1, 2, 3}) {
		t.Errorf("recorded calls %v, want 1, 2 and 3 across both attempts", seqs)
	}
	if cost, err := h.store.RunCost(h.ctx, run.ID); err != nil || policy.Money(cost) != 3*testCallCost {
		t.Errorf("run cost = %d, %v; want three calls, %d", cost, err, 3*testCallCost)
	}
	if run.Status != store.StatusFailed || !h.hasDecision(run.ID, "limits.max_cost_per_run", "the run spent $0.0036") {
		t.Errorf("run = %s (%s), decisions %q; want failed at the cap counting both attempts", run.Status, run.Error, h.decisions(run.ID))
	}
	for _, c := range h.gh.commentsOn(7) {
		if strings.Contains(strings.ToLower(c), "sql") || strings.Contains(c, "constraint") {
			t.Errorf("a comment shows a database error: %q", c)
		}
	}
	if len(h.gh.commits) != 0 {
		t.Errorf("commits = %d, want none", len(h.gh.commits))
	}
}

// TestBudgetRunsOutMidRun stops a run at the first call that takes the
// month's spending to the budget: it fails with a plain comment and pushes
// nothing.
func TestBudgetRunsOutMidRun(t *testing.T) {
	h := newHarness(t)
	h.setPolicy("limits:\n  monthly_budget: 0.0030\n  max_cost_per_run: 0\n") // two and a half calls
	h.model.then(reply(t, writeFile("a.txt", "a\n")), reply(t, listFiles()), reply(t, listFiles()), reply(t, finish("done")))

	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}

	run := h.latest()
	if run.Status != store.StatusFailed || len(h.model.got) != 3 {
		t.Fatalf("run = %s (%s) after %d calls; want failed after the third", run.Status, run.Error, len(h.model.got))
	}
	if len(h.gh.commits) != 0 || len(h.gh.pulls) != 0 {
		t.Errorf("commits %d, pulls %d; want nothing pushed", len(h.gh.commits), len(h.gh.pulls))
	}
	want := "LifeOS could not finish: this month's budget ran out during the run: spent $0.0036 of the repository's $0.003"
	if cs := h.gh.commentsOn(7); !slices.ContainsFunc(cs, func(c string) bool { return strings.HasPrefix(c, want) }) {
		t.Errorf("comments = %q, want one starting %q", cs, want)
	}
	if !h.hasDecision(run.ID, policy.RuleBudgetMonthly, "ran out during the run") {
		t.Errorf("decisions = %q", h.decisions(run.ID))
	}
}

// TestBudgetHeldByRunningRun refuses a run while another run in progress
// holds what is left of the month's budget (its per-run cap).
func TestBudgetHeldByRunningRun(t *testing.T) {
	h := newHarness(t)
	h.setPolicy("limits:\n  monthly_budget: 1.00\n  max_cost_per_run: 1.00\n")
	other, err := h.store.StartRun(h.ctx, store.NewRun{Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
		IssueNumber: 8, DeliveryID: "other", Trigger: "label", Actor: "alice", Status: store.StatusRunning})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.store.Reserve(h.ctx, store.Reservation{RunID: other.ID, Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
		HeldMicros: int64(policy.Dollar), Budgets: store.Budgets{Repo: int64(policy.Dollar)}}); err != nil || !ok {
		t.Fatalf("reserve = %v, %v", ok, err)
	}

	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}

	run := h.latest()
	if run.Status != store.StatusDenied || len(h.model.got) != 0 {
		t.Fatalf("run = %s (%s) after %d calls; want denied before any", run.Status, run.Error, len(h.model.got))
	}
	if cs := h.gh.commentsOn(7); len(cs) != 1 || !strings.Contains(cs[0], "held by runs in progress") {
		t.Errorf("comments = %q", cs)
	}
}

// TestRunReleasesItsReservation checks that a run that ended holds nothing.
func TestRunReleasesItsReservation(t *testing.T) {
	h := newHarness(t)
	h.setPolicy("limits:\n  monthly_budget: 1.00\n  max_cost_per_run: 1.00\n")
	h.openPR("a.txt")
	other, err := h.store.StartRun(h.ctx, store.NewRun{Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
		IssueNumber: 8, DeliveryID: "other", Trigger: "label", Actor: "alice", Status: store.StatusRunning})
	if err != nil {
		t.Fatal(err)
	}
	// The finished run's hold is gone: another can take the rest.
	if ok, err := h.store.Reserve(h.ctx, store.Reservation{RunID: other.ID, Repo: testRepo.FullName(), InstallationID: testRepo.InstallationID,
		HeldMicros: int64(policy.Dollar), Budgets: store.Budgets{Repo: int64(policy.Dollar)}}); err != nil || !ok {
		t.Fatalf("reserve after the run ended = %v, %v; want room", ok, err)
	}
}
