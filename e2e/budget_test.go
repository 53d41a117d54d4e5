package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// priced makes every call of the doubles' models cost a known amount: the
// model double reports 100 prompt tokens per call, so gpt-e2e costs $0.10 a
// call and gpt-e2e-mini $0.05.
func priced(c *config.Config) {
	c.Prices = policy.DefaultPrices()
	c.Prices["gpt-e2e"] = policy.Price{InputPerMillion: 1000 * policy.Dollar}
	c.Prices["gpt-e2e-mini"] = policy.Price{InputPerMillion: 500 * policy.Dollar}
}

// midMonth is where the monthly-budget tests' clock starts, so that their
// ledger cannot straddle a month boundary however long they take.
var midMonth = time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC)

// twoCallRun labels a new issue with a run of two model calls and waits
// for it.
func (e *env) twoCallRun(title string) (*store.Run, int) {
	e.t.Helper()
	n := e.gh.AddIssue(repoName, title, "x", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "n" + itoa(n) + ".txt", "content": "x\n"})}},
		modelfake.Finish("Wrote a file."),
	)
	e.deliver("issues", "", labeled(e.t, n, "lifeos:do", maintainer, title, "x"))
	return e.waitRuns(n, 1)[0], n
}

func TestMonthlyBudgetThresholdsAcrossRestart(t *testing.T) {
	files := withPolicy("limits:\n  monthly_budget: 1.00\nmodel: gpt-e2e\ncheap_model: gpt-e2e-mini\n")
	clock := clockAt(midMonth)
	e := start(t, envOpts{files: files, configure: priced, now: clock})
	notices := func(n int) string { return strings.Join(e.bodies(n), "\n") }

	run, n := e.twoCallRun("one") // $0.20
	if run.Status != store.StatusSucceeded || strings.Contains(notices(n), "budget") {
		t.Fatalf("run 1 = %+v, comments %q", run, notices(n))
	}
	if y, m, _ := run.StartedAt.Date(); y != midMonth.Year() || m != midMonth.Month() {
		t.Fatalf("run 1 started %s, not on the test's clock", run.StartedAt)
	}
	e.twoCallRun("two")          // $0.40
	_, n = e.twoCallRun("three") // $0.60: crosses 50%
	if c := notices(n); !strings.Contains(c, "$0.60 of this repository's $1.00") || !strings.Contains(c, "50%") {
		t.Errorf("no 50%% notice: %q", c)
	}
	_, n = e.twoCallRun("four") // $0.80: crosses 80%
	if c := notices(n); !strings.Contains(c, "cheaper model gpt-e2e-mini") {
		t.Errorf("no 80%% notice: %q", c)
	}

	// A restart keeps the ledger.
	e.shutdown()
	e = start(t, envOpts{from: e, configure: priced, now: clock})
	before := len(e.model.Requests())
	run, _ = e.twoCallRun("five") // cheaper model: $0.10, total $0.90
	if run.Status != store.StatusSucceeded || run.Model != "gpt-e2e-mini" {
		t.Fatalf("run 5 = %+v", run)
	}
	if m := e.model.Requests()[before].Model; m != "gpt-e2e-mini" {
		t.Errorf("run 5 asked for %s", m)
	}
	_, n = e.twoCallRun("six") // $1.00: crosses 100%
	if c := notices(n); !strings.Contains(c, "refused") {
		t.Errorf("no 100%% notice: %q", c)
	}
	before = len(e.model.Requests())
	run, n = e.twoCallRun("seven")
	if run.Status != store.StatusDenied {
		t.Fatalf("run 7 = %+v", run)
	}
	if len(e.model.Requests()) != before {
		t.Error("the model was called over budget")
	}
	if c := notices(n); !strings.Contains(c, "budget is spent") || !strings.Contains(c, "next month") {
		t.Errorf("refusal = %q", c)
	}
}

func TestCostCapPerRun(t *testing.T) {
	files := withPolicy("limits:\n  max_cost_per_run: 0.15\nmodel: gpt-e2e\n")
	e := start(t, envOpts{files: files, configure: priced})
	n := e.gh.AddIssue(repoName, "Expensive", "x", maintainer)
	list := modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("list_files", map[string]any{})}}
	e.model.Script(list, list, list, modelfake.Finish("done"))
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Expensive", "x"))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusFailed || run.Turns != 2 {
		t.Fatalf("run = %+v", run)
	}
	if c := strings.Join(e.bodies(n), "\n"); !strings.Contains(c, "$0.15") {
		t.Errorf("comment = %q", c)
	}
	if cost, _ := e.srv.Store().RunCost(t.Context(), run.ID); cost != int64(20*policy.Cent) {
		t.Errorf("run cost = %d micro-dollars", cost)
	}
}

func TestInstallationBudget(t *testing.T) {
	e := start(t, envOpts{
		files: withPolicy("model: gpt-e2e\n"),
		configure: func(c *config.Config) {
			priced(c)
			c.Ceilings.MonthlyBudgetInstallation = 30 * policy.Cent
		},
		now: clockAt(midMonth),
	})
	e.twoCallRun("one")           // $0.20 of the installation's $0.30
	run, n := e.twoCallRun("two") // $0.30 after its first call: stopped there
	c := strings.Join(e.bodies(n), "\n")
	if run.Status != store.StatusFailed || !strings.Contains(c, "budget ran out during the run") || !strings.Contains(c, "installation's $0.30") {
		t.Fatalf("run 2 = %s (%s), comments %q", run.Status, run.Error, c)
	}
	if run.CommitSHA != "" || run.PRNumber != 0 {
		t.Errorf("run 2 pushed %q, PR %d; want nothing", run.CommitSHA, run.PRNumber)
	}
	run, _ = e.twoCallRun("three")
	if run.Status != store.StatusDenied || !strings.Contains(run.Error, "installation") {
		t.Fatalf("run 3 = %+v", run)
	}
}

// TestConcurrentRunsStayWithinBudget labels several issues at once against
// a small budget with no per-run cap, with a model that never finishes:
// every run stops at the first call that reaches the budget, so the month
// ends within the budget plus one call per run.
func TestConcurrentRunsStayWithinBudget(t *testing.T) {
	const issues, call = 6, 10 * policy.Cent
	const budget = 25 * policy.Cent
	e := start(t, envOpts{
		files:     withPolicy("limits:\n  monthly_budget: 0.25\n  max_cost_per_run: 0\nmodel: gpt-e2e\n"),
		configure: priced,
		now:       clockAt(midMonth),
	})
	e.model.HandleFunc(func(modelfake.Request) modelfake.Reply {
		return modelfake.Calls(modelfake.Call("list_files", map[string]any{}))
	})
	var numbers []int
	for i := range issues {
		title := "busy " + itoa(i)
		n := e.gh.AddIssue(repoName, title, "x", maintainer)
		numbers = append(numbers, n)
		e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, title, "x"))
	}
	e.waitIdle(t)
	repo, _, err := e.srv.Store().Spent(t.Context(), repoName, installationID)
	if err != nil {
		t.Fatal(err)
	}
	if spent := policy.Money(repo); spent < budget || spent > budget+issues*call {
		t.Fatalf("spent %s of %s with %d runs at %s a call; want at most one call per run over", spent, budget, issues, call)
	}
	for _, n := range numbers {
		run := e.waitRuns(n, 1)[0]
		if run.Status != store.StatusFailed && run.Status != store.StatusDenied {
			t.Errorf("issue %d: run %s, want failed mid-run or denied", n, run.Status)
		}
		if run.CommitSHA != "" {
			t.Errorf("issue %d: run pushed %s", n, run.CommitSHA)
		}
	}
}
