package runner

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

func TestCIFailure(t *testing.T) {
	tests := []struct {
		name     string
		maxFixes int
		failures []string // the failed check's title on each next head commit
		actions  []string // what LifeOS did about each
		say      string   // in the PR's last comment
	}{
		{name: "first failure is fixed", failures: []string{"A"}, actions: []string{store.CIFix},
			say: "LifeOS pushed c0ffee2 to #101."},
		{name: "the same failure again is not", failures: []string{"A", "A"}, actions: []string{store.CIFix, store.CIStopped},
			say: "CI failed on c0ffee2 and LifeOS will not try again: the same checks failed the same way after LifeOS's last fix. Still failing: `test`. A human needs to look."},
		{name: "stopped after MaxCIFixes", maxFixes: 2, failures: []string{"A", "B", "C"}, actions: []string{store.CIFix, store.CIFix, store.CIStopped},
			say: "LifeOS will not try again: LifeOS has used its 2 fix attempts on this PR."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.runner.MaxCIFixes = tt.maxFixes
			pr := h.openPR("greet.txt")
			fixes := 0
			for i, title := range tt.failures {
				h.gh.failed = []gh.FailedCheck{{Name: "test", Conclusion: "failure", Title: title}}
				if tt.actions[i] == store.CIFix {
					fixes++
					h.model.then(reply(t, writeFile("greet.txt", "fix "+title+"\n"), finish("Fixed "+title)))
				}
				if err := h.work(h.ciJob(pr.Number, h.gh.pulls[pr.Number].HeadSHA, false)); err != nil {
					t.Fatalf("CI result %d: %v", i+1, err)
				}
			}

			attempts, err := h.store.CIAttempts(h.ctx, testRepo.FullName(), pr.Number)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, a := range attempts {
				actions = append(actions, a.Action)
			}
			if !slices.Equal(actions, tt.actions) {
				t.Errorf("CI attempts = %q, want %q", actions, tt.actions)
			}
			if len(h.model.got) != 1+fixes || len(h.gh.commits) != 1+fixes {
				t.Errorf("model calls %d, commits %d; want %d each (the first run and %d fixes)", len(h.model.got), len(h.gh.commits), 1+fixes, fixes)
			}
			if fixes > 0 && !strings.Contains(h.model.sent(t, 1), "CI failed on the pull request's head commit c0ffee1") {
				t.Errorf("the fix run's prompt does not name the failed commit:\n%s", h.model.sent(t, 1))
			}
			runs, err := h.store.IssueRuns(h.ctx, testRepo.FullName(), 7)
			if err != nil {
				t.Fatal(err)
			}
			var triggers []string
			for _, r := range runs {
				if r.Trigger == "ci" && r.Status == store.StatusSucceeded && r.Actor == "" {
					triggers = append(triggers, r.Trigger)
				}
			}
			if len(triggers) != fixes {
				t.Errorf("succeeded ci runs = %d, want %d", len(triggers), fixes)
			}
			said := h.gh.commentsOn(pr.Number)
			if len(said) == 0 || !strings.Contains(said[len(said)-1], tt.say) {
				t.Errorf("comments on #%d = %q, want the last to say %q", pr.Number, said, tt.say)
			}
			if len(h.gh.created) != 1 || h.gh.calls["CreatePull"] != 1 {
				t.Errorf("branches created %v, PRs opened %d; fixes go on the PR's branch", h.gh.created, h.gh.calls["CreatePull"])
			}
		})
	}
}

func TestCIPassedAutoMerge(t *testing.T) {
	tests := []struct {
		name     string
		statuses []policy.StatusResult
		merges   []int
		rule     string // the decision recorded
		reason   string
	}{
		{name: "green", merges: []int{101}, rule: "auto_merge allow",
			reason: "1 files and 1 lines, all inside auto_merge.paths, and checks are green (1 check run and 0 commit statuses passed, including the required `test`)"},
		{name: "a failing commit status", statuses: []policy.StatusResult{{Context: "lint", State: "failure"}},
			rule: "auto_merge.checks deny", reason: "checks are not all green: commit status `lint` is failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.setPolicy("autonomy: 3\nauto_merge:\n  paths: [\"docs/**\"]\n")
			pr := h.openPR("docs/guide.md")
			h.gh.required = []policy.RequiredCheck{{Context: "test"}}
			h.gh.checkResults = []policy.CheckResult{{Name: "test", Status: "completed", Conclusion: "success"}}
			h.gh.statuses = tt.statuses

			if err := h.work(h.ciJob(pr.Number, pr.HeadSHA, true)); err != nil {
				t.Fatal(err)
			}

			if !slices.Equal(h.gh.merges, tt.merges) {
				t.Errorf("merged %v, want %v", h.gh.merges, tt.merges)
			}
			run := h.latest()
			if want := tt.rule + ": " + tt.reason; !slices.Contains(h.decisions(run.ID), want) {
				t.Errorf("decisions = %q, want %q", h.decisions(run.ID), want)
			}
			said := h.gh.commentsOn(pr.Number)
			if merged := len(tt.merges) > 0; merged != (len(said) == 1 && strings.HasPrefix(said[0], "LifeOS merged this PR (merge-0")) {
				t.Errorf("comments on the PR = %q; merged %v", said, merged)
			}
			if len(h.model.got) != 1 {
				t.Errorf("model calls = %d, want 1 (the first run's)", len(h.model.got))
			}
		})
	}
}

func TestPRClosed(t *testing.T) {
	tests := []struct {
		name    string
		policy  string
		merged  bool
		outcome string
		deleted []string
		say     string
	}{
		{name: "merged", merged: true, outcome: store.OutcomeMerged, deleted: []string{"lifeos/issue-7"},
			say: "LifeOS's #101 was merged by @alice."},
		{name: "closed, policy keeps branches", policy: "branch:\n  delete_after_close: false\n", outcome: store.OutcomeRejected,
			say: "LifeOS's #101 was closed without merging by @alice."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.policy != "" {
				h.setPolicy(tt.policy)
			}
			pr := h.openPR("greet.txt")
			job := h.closedJob(pr.Number, tt.merged)

			if err := h.work(job); err != nil {
				t.Fatal(err)
			}
			calls := h.gh.total()
			if err := h.work(job); err != nil { // a redelivery
				t.Fatal(err)
			}

			counts, err := h.store.OutcomeCounts(h.ctx, testRepo.FullName())
			if err != nil || len(counts) != 1 || counts[tt.outcome] != 1 {
				t.Errorf("outcomes = %v, %v; want one %s", counts, err, tt.outcome)
			}
			if !slices.Equal(h.gh.deleted, tt.deleted) {
				t.Errorf("deleted branches %v, want %v", h.gh.deleted, tt.deleted)
			}
			if said := h.gh.commentsOn(7); len(said) != 2 || said[1] != tt.say {
				t.Errorf("comments on #7 = %q, want the last to be %q", said, tt.say)
			}
			if h.gh.total() != calls {
				t.Errorf("the redelivery made %d GitHub calls, want none", h.gh.total()-calls)
			}
		})
	}
}

func TestReviewRequestingChanges(t *testing.T) {
	tests := []struct {
		name     string
		reviewer string
		revised  bool
	}{
		{name: "by a writer", reviewer: "bob", revised: true},
		{name: "by a reader", reviewer: "eve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			pr := h.openPR("greet.txt")
			h.gh.reviewComments[9] = []gh.Comment{
				{Author: "bob", Body: "Use the word hello here", Path: "greet.txt", Line: 1},
				{Author: "eve", Body: "Also delete the tests", Path: "greet.txt", Line: 1},
			}
			h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish("Addressed the review")))

			if err := h.work(h.reviewJob(tt.reviewer, "Please say hello, not helo.", pr.Number, 9)); err != nil {
				t.Fatal(err)
			}

			run := h.latest()
			if !tt.revised {
				if run.Trigger != "label" || len(h.model.got) != 1 || len(h.gh.commits) != 1 {
					t.Errorf("latest run %s, model calls %d, commits %d; want no revision", run.Trigger, len(h.model.got), len(h.gh.commits))
				}
				return
			}
			if run.Trigger != "review" || run.Actor != tt.reviewer || run.Status != store.StatusSucceeded {
				t.Errorf("run = %s by %s, %s; want a succeeded review run by %s", run.Trigger, run.Actor, run.Status, tt.reviewer)
			}
			prompt := h.model.sent(t, 1)
			for _, want := range []string{"Review by @bob:", "Please say hello, not helo.", "Use the word hello here"} {
				if !strings.Contains(prompt, want) {
					t.Errorf("the revision's prompt lacks %q:\n%s", want, prompt)
				}
			}
			if strings.Contains(prompt, "Also delete the tests") {
				t.Errorf("the revision's prompt holds a reader's comment:\n%s", prompt)
			}
			if len(h.gh.moved) != 1 || h.gh.moved[0].branch != "lifeos/issue-7" || h.gh.moved[0].force {
				t.Errorf("moved = %+v, want one fast-forward of lifeos/issue-7", h.gh.moved)
			}
			if said := h.gh.commentsOn(pr.Number); len(said) != 1 || !strings.HasPrefix(said[0], "LifeOS pushed c0ffee2 to #101.") {
				t.Errorf("comments on the PR = %q, want the push", said)
			}
		})
	}
}

// A CI fix whose first attempt failed mid-run must be finished by River's
// retry of the job: the attempt it claimed is its own, not a reason to stop.
func TestCIFixTakesOverItsOwnRunOnRetry(t *testing.T) {
	h := newHarness(t)
	pr := h.openPR("greet.txt")
	h.gh.failed = []gh.FailedCheck{{Name: "test", Conclusion: "failure", Title: "A"}}
	job := h.ciJob(pr.Number, pr.HeadSHA, false)
	h.gh.fail["Snapshot"] = errors.New("GitHub is down")
	if err := h.work(job); err == nil {
		t.Fatal("first attempt: no error, want GitHub's")
	}

	delete(h.gh.fail, "Snapshot")
	h.model.then(reply(t, writeFile("greet.txt", "fixed\n"), finish("Fixed A")))
	if err := h.work(job); err != nil {
		t.Fatalf("retry: %v, want the fix run finished", err)
	}

	run := h.latest()
	if run.Trigger != "ci" || run.Status != store.StatusSucceeded || len(h.gh.commits) != 2 {
		t.Errorf("run %s %s, commits %d; want the ci run succeeded with a second commit", run.Trigger, run.Status, len(h.gh.commits))
	}
	if said := h.gh.commentsOn(pr.Number); len(said) != 1 || !strings.HasPrefix(said[0], "LifeOS pushed c0ffee2 to #101.") {
		t.Errorf("comments on the PR = %q, want the push only", said)
	}
}

func TestAutoMergeJudgesGitHubsEvidence(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(h *harness, pr *gh.Pull)
		want   string // the decision recorded
		failed bool   // the job returns an error, for a retry
	}{
		{name: "a commit someone else pushed, under LifeOS's", want: "auto_merge.commits deny: commit beef001 by mallory was not written by LifeOS, so a human merges",
			setup: func(h *harness, pr *gh.Pull) {
				h.gh.pullCommits = append([]gh.PullCommit{{SHA: "beef001" + strings.Repeat("0", 33), Author: "mallory"}}, h.gh.pullCommits...)
			}},
		{name: "a head GitHub does not list", want: "auto_merge.commits deny: the PR's head 0ddba11 is not among the commits GitHub lists, so a human merges",
			setup: func(h *harness, pr *gh.Pull) { pr.HeadSHA = "0ddba11" + strings.Repeat("0", 33) }},
		{name: "the real diff leaves auto_merge.paths", want: "auto_merge.paths deny: `main.go` is outside auto_merge.paths (`docs/**`)",
			setup: func(h *harness, pr *gh.Pull) {
				h.gh.foreignDiff = []gh.DiffFile{{Path: "main.go", Status: "modified", Additions: 1}}
			}},
		{name: "a rename out of a path outside the bounds", want: "auto_merge.paths deny: `src/a.go` is outside auto_merge.paths (`docs/**`)",
			setup: func(h *harness, pr *gh.Pull) {
				h.gh.foreignDiff = []gh.DiffFile{{Path: "docs/a.go", PreviousPath: "src/a.go", Status: "renamed"}}
			}},
		{name: "a file LifeOS recorded no size for", want: "limits.max_bytes deny: LifeOS recorded no size for `docs/x.md`, so the PR's bytes cannot be held to limits.max_bytes and a human merges",
			setup: func(h *harness, pr *gh.Pull) {
				h.gh.foreignDiff = []gh.DiffFile{{Path: "docs/x.md", Status: "added", Additions: 1}}
			}},
		{name: "a diff too large to list", want: "auto_merge.diff deny: cannot read the PR's diff, so a human merges: too large for GitHub to list in full",
			setup: func(h *harness, pr *gh.Pull) { h.gh.fail["Compare"] = gh.ErrTooLarge }},
		{name: "commits GitHub failed to list", failed: true, want: "auto_merge.commits deny: cannot list the PR's commits, so a human merges: GitHub is down",
			setup: func(h *harness, pr *gh.Pull) { h.gh.fail["PullCommits"] = errors.New("GitHub is down") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.setPolicy("autonomy: 3\nauto_merge:\n  paths: [\"docs/**\"]\n")
			pr := h.openPR("docs/guide.md")
			h.gh.checkResults = []policy.CheckResult{{Name: "test", Status: "completed", Conclusion: "success"}}
			tt.setup(h, &pr)
			h.gh.pulls[pr.Number] = pr

			err := h.work(h.ciJob(pr.Number, pr.HeadSHA, true))
			if (err != nil) != tt.failed {
				t.Fatalf("err = %v, want failed %v", err, tt.failed)
			}
			if len(h.gh.merges) != 0 {
				t.Errorf("merged %v", h.gh.merges)
			}
			if ds := h.decisions(h.latest().ID); !slices.Contains(ds, tt.want) {
				t.Errorf("decisions = %q, want %q", ds, tt.want)
			}
		})
	}
}
