package runner

import (
	"slices"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

func TestLabelRunByWriterOpensPR(t *testing.T) {
	h := newHarness(t)
	h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Fixed the greeting")))

	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}

	if len(h.gh.commits) != 1 {
		t.Fatalf("commits = %d, want 1", len(h.gh.commits))
	}
	c := h.gh.commits[0]
	if want := (gh.Head{CommitSHA: "main-sha-0000000", TreeSHA: "main-tree"}); c.parent != want {
		t.Errorf("commit parent = %+v, want the default branch's tip %+v", c.parent, want)
	}
	if len(c.changes) != 1 || c.changes[0].Path != "greet.txt" || string(c.changes[0].Content) != "hello\n" || c.changes[0].Delete {
		t.Errorf("commit changes = %+v, want greet.txt = hello", c.changes)
	}
	if want := "Greeting is misspelled (#7)\n\nFixed the greeting"; c.message != want {
		t.Errorf("commit message = %q, want %q", c.message, want)
	}
	if !slices.Equal(h.gh.created, []string{"lifeos/issue-7"}) || h.gh.branches["lifeos/issue-7"].CommitSHA != c.sha {
		t.Errorf("created branches %v, lifeos/issue-7 at %q; want lifeos/issue-7 at %s", h.gh.created, h.gh.branches["lifeos/issue-7"].CommitSHA, c.sha)
	}
	pr, ok := h.gh.pulls[101]
	if !ok || pr.HeadRef != "lifeos/issue-7" || pr.BaseRef != "main" || pr.Title != "Greeting is misspelled" {
		t.Errorf("pull requests = %+v, want #101 from lifeos/issue-7 into main", h.gh.pulls)
	}
	if want := []string{"LifeOS opened #101 for this issue.\n\n> Fixed the greeting\n\nNo checks ran: this repository has no CI LifeOS could find (such as a workflow in `.github/workflows/`), so the PR is ready for review; LifeOS asked @alice to review it.\n\n<!-- lifeos:run-1:opened -->"}; !slices.Equal(h.gh.commentsOn(7), want) || !slices.Equal(h.gh.reviewsAsked, []string{"PR_101:alice"}) {
		t.Errorf("comments on #7 = %q, want %q", h.gh.commentsOn(7), want)
	}
	run := h.latest()
	if run.Status != store.StatusSucceeded || run.PRNumber != 101 || run.CommitSHA != c.sha || run.Trigger != "label" || run.Actor != "alice" {
		t.Errorf("run = %s PR %d commit %s trigger %s by %s; want succeeded, PR 101, %s, label by alice",
			run.Status, run.PRNumber, run.CommitSHA, run.Trigger, run.Actor, c.sha)
	}
	if run.Turns != 1 || run.PromptTokens != testPromptTokens || run.CompletionTokens != testCompletionTokens || run.Model != testModel {
		t.Errorf("run usage = %d turns, %d+%d tokens, model %s", run.Turns, run.PromptTokens, run.CompletionTokens, run.Model)
	}
	if !h.hasDecision(run.ID, "trigger.permission", "@alice has write access") {
		t.Errorf("decisions = %q, want trigger.permission allowed for alice", h.decisions(run.ID))
	}
	repoSpent, _, err := h.store.Spent(h.ctx, testRepo.FullName(), testRepo.InstallationID)
	if err != nil || policy.Money(repoSpent) != testCallCost {
		t.Errorf("spent = %d, %v; want %d (one call)", repoSpent, err, testCallCost)
	}
}

// TestLabelRunDenied covers runs refused before any model call.
func TestLabelRunDenied(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(h *harness)
		actor   string
		label   string
		rule    string
		say     []string // each in the one comment; none means no comment
		reads   int      // snapshots read
		noteOut string   // in the run's stored error
	}{
		{
			name: "reader", actor: "eve", label: "lifeos:do", rule: "trigger.permission",
			say:     []string{"LifeOS did not start: @eve has read access; starting LifeOS needs write"},
			noteOut: "@eve has read access",
		},
		{
			name: "not the trigger label", actor: "alice", label: "lifeos:other", rule: "trigger.label",
			reads: 1, noteOut: `trigger label is "lifeos:do", not "lifeos:other"`,
		},
		{
			name:  "broken policy file",
			setup: func(h *harness) { h.setPolicy("versoin: 1\n") },
			actor: "alice", label: "lifeos:do", rule: "policy.file", reads: 1,
			say:     []string{"the policy file `octo/hello@main:.github/lifeos.yml` has problems", "- line 1, `versoin`:"},
			noteOut: "versoin",
		},
		{
			name: "monthly budget spent",
			setup: func(h *harness) {
				h.setPolicy("limits:\n  monthly_budget: 1.00\n")
				old := h.finishedRun(store.Outcome{Status: store.StatusNoChange})
				if _, err := h.store.Charge(h.ctx, store.Charge{RunID: old.ID, Seq: 1, Repo: testRepo.FullName(),
					InstallationID: testRepo.InstallationID, Model: testModel, CostMicros: int64(policy.Dollar)}); err != nil {
					t.Fatal(err)
				}
			},
			actor: "alice", label: "lifeos:do", rule: policy.RuleBudgetMonthly, reads: 1,
			say:     []string{"this month's budget is spent (spent $1.00 of the repository's $1.00", "New runs resume next month"},
			noteOut: "this month's budget is spent",
		},
		{
			name:  "model without a price",
			setup: func(h *harness) { h.setPolicy("model: llama3\n") },
			actor: "alice", label: "lifeos:do", rule: policy.RulePrice, reads: 1,
			say:     []string{`the model "llama3" has no price`, "LIFEOS_PRICES"},
			noteOut: "LIFEOS_PRICES",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Fixed")))

			if err := h.work(h.labelJob(tt.actor, tt.label)); err != nil {
				t.Fatal(err)
			}

			run := h.latest()
			if run.Status != store.StatusDenied || !strings.Contains(run.Error, tt.noteOut) {
				t.Errorf("run = %s (%q), want denied with %q", run.Status, run.Error, tt.noteOut)
			}
			if !h.hasDecision(run.ID, tt.rule, "") || strings.Contains(strings.Join(h.decisions(run.ID), "\n"), tt.rule+" allow") {
				t.Errorf("decisions = %q, want %s refused", h.decisions(run.ID), tt.rule)
			}
			said := h.gh.commentsOn(7)
			switch {
			case len(tt.say) == 0 && len(said) != 0:
				t.Errorf("comments = %q, want none", said)
			case len(tt.say) > 0 && len(said) != 1:
				t.Errorf("comments = %q, want one", said)
			case len(tt.say) > 0:
				for _, s := range tt.say {
					if !strings.Contains(said[0], s) {
						t.Errorf("comment %q does not say %q", said[0], s)
					}
				}
			}
			if got := h.gh.calls["Snapshot"]; got != tt.reads {
				t.Errorf("snapshots read = %d, want %d", got, tt.reads)
			}
			if len(h.model.got) != 0 || len(h.gh.commits) != 0 || h.gh.calls["CreatePull"] != 0 {
				t.Errorf("model calls %d, commits %d, PRs %d; want none", len(h.model.got), len(h.gh.commits), h.gh.calls["CreatePull"])
			}
		})
	}
}

func TestLabelRunForbiddenPathTwiceFails(t *testing.T) {
	h := newHarness(t)
	h.model.then(
		reply(t, writeFile(".github/workflows/x.yml", "on: push\n"), finish("Added CI")),
		reply(t, finish("Added CI, really")),
	)

	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}

	run := h.latest()
	if run.Status != store.StatusFailed {
		t.Errorf("run status = %s, want failed", run.Status)
	}
	if len(h.model.got) != 2 {
		t.Errorf("model calls = %d, want 2 (one repair)", len(h.model.got))
	}
	if len(h.gh.commits) != 0 || h.gh.calls["CreateBranch"] != 0 || h.gh.calls["CreatePull"] != 0 {
		t.Errorf("commits %d, branches %d, PRs %d; want nothing written", len(h.gh.commits), h.gh.calls["CreateBranch"], h.gh.calls["CreatePull"])
	}
	said := h.gh.commentsOn(7)
	if len(said) != 1 || !strings.Contains(said[0], "still broke the repository's policy after one repair") || !strings.Contains(said[0], ".github/workflows/x.yml") {
		t.Errorf("comments = %q, want one naming the broken path", said)
	}
	if !h.hasDecision(run.ID, "paths.deny", "matches the built-in deny `.github/workflows/**`") {
		t.Errorf("decisions = %q, want the path refused", h.decisions(run.ID))
	}
}

func TestLabelRunAgainPushesToOpenPR(t *testing.T) {
	h := newHarness(t)
	pr := h.openPR("greet.txt")
	first := h.gh.commits[0]
	h.model.then(reply(t, writeFile("greet.txt", "second\n"), finish("Second pass")))

	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}

	if len(h.gh.commits) != 2 {
		t.Fatalf("commits = %d, want 2", len(h.gh.commits))
	}
	second := h.gh.commits[1]
	if second.parent.CommitSHA != first.sha {
		t.Errorf("second commit's parent = %s, want the PR branch's tip %s", second.parent.CommitSHA, first.sha)
	}
	if want := []fakeMove{{"lifeos/issue-7", second.sha, false}}; !slices.Equal(h.gh.moved, want) {
		t.Errorf("moved branches = %+v, want %+v (fast-forward)", h.gh.moved, want)
	}
	if h.gh.calls["CreatePull"] != 1 || len(h.gh.created) != 1 {
		t.Errorf("PRs opened %d, branches created %d; want 1 each (the first run's)", h.gh.calls["CreatePull"], len(h.gh.created))
	}
	said := h.gh.commentsOn(7)
	if want := "LifeOS pushed c0ffee2 to #101.\n\n> Second pass\n\n<!-- lifeos:run-2:pushed -->"; len(said) != 2 || said[1] != want {
		t.Errorf("comments on #7 = %q, want the second to be %q", said, want)
	}
	run := h.latest()
	if run.Status != store.StatusSucceeded || run.PRNumber != pr.Number || run.CommitSHA != second.sha {
		t.Errorf("run = %s PR %d commit %s; want succeeded on #%d with %s", run.Status, run.PRNumber, run.CommitSHA, pr.Number, second.sha)
	}
}
