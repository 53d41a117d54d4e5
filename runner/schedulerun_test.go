package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/store"
)

// fireNext ticks at at and works the firing it queued.
func (h *harness) fireNext(c *clock, q *fakeQueue, at string) *store.Run {
	h.t.Helper()
	before := len(q.fires())
	if n := h.tick(c, at); n != 1 {
		h.t.Fatalf("tick at %s fired %d, want 1", at, n)
	}
	f := q.fires()[before]
	h.jobID++
	if err := h.runner.fire(h.ctx, h.jobID, f); err != nil {
		h.t.Fatalf("fire: %v", err)
	}
	run, err := h.store.LatestRun(h.ctx, testRepo.FullName(), f.RunSubject)
	if err != nil || run == nil {
		h.t.Fatalf("no run of the firing: %v", err)
	}
	return run
}

func TestScheduleFiringsShareOnePR(t *testing.T) {
	h, c, q := scheduleHarness(t)
	h.setPolicy(nightlyPolicy)
	h.gh.tree["docs/guide.md"] = []byte("See [setup](setup.md). Updated 2019.\n")
	h.reload()

	h.model.then(reply(t, writeFile("docs/guide.md", "See [setup](install.md). Updated 2026.\n"), finish("Fixed a broken link and a stale date.")))
	first := h.fireNext(c, q, "2026-01-01T03:00:00Z")
	if first.Status != store.StatusSucceeded || first.PRNumber == 0 || first.Trigger != "schedule" || first.Branch != "lifeos/schedule-nightly-docs" {
		t.Fatalf("first firing: %+v", first)
	}
	pr := h.gh.pulls[first.PRNumber]
	if pr.HeadRef != names.ScheduleBranch("nightly-docs") || !strings.Contains(pr.Title, "nightly-docs") ||
		strings.Contains(h.gh.pullBodies[0], "Fixes #") || !strings.Contains(h.gh.pullBodies[0], "Fixed a broken link") {
		t.Fatalf("PR %+v, body %q", pr, h.gh.pullBodies[0])
	}
	if len(h.gh.posted) != 0 {
		t.Errorf("a new schedule PR posted comments: %+v", h.gh.posted)
	}
	if !strings.Contains(h.model.sent(t, 0), "Could not fix") || !h.hasDecision(first.ID, "recipe", "doc-hygiene") {
		t.Errorf("the recipe did not reach the run: decisions %v", h.decisions(first.ID))
	}

	// The next night: a commit on the same PR, never a second PR.
	h.model.then(reply(t, writeFile("README.md", "# Hello\n"), finish("Capitalised the title.")))
	second := h.fireNext(c, q, "2026-01-02T03:00:00Z")
	if second.Status != store.StatusSucceeded || second.PRNumber != first.PRNumber || h.gh.calls["CreatePull"] != 1 {
		t.Fatalf("second firing: %+v; %d PRs", second, h.gh.calls["CreatePull"])
	}
	if head := h.gh.branches["lifeos/schedule-nightly-docs"].CommitSHA; head != second.CommitSHA || len(h.gh.moved) != 0 {
		t.Errorf("second firing: the schedule's branch is at %s, want its commit %s on top (moves %+v)", head, second.CommitSHA, h.gh.moved)
	}

	// A night with nothing to do changes nothing and posts nothing.
	posted, commits := len(h.gh.posted), len(h.gh.commits)
	h.model.then(reply(t, finish("Everything is in order.")))
	third := h.fireNext(c, q, "2026-01-03T03:00:00Z")
	if third.Status != store.StatusNoChange || len(h.gh.posted) != posted || len(h.gh.commits) != commits {
		t.Errorf("idle firing: status %s, %d new comments, %d new commits", third.Status, len(h.gh.posted)-posted, len(h.gh.commits)-commits)
	}
}

func TestRecipePathsAreEnforced(t *testing.T) {
	h, c, q := scheduleHarness(t)
	h.setPolicy(nightlyPolicy)
	h.reload()
	// doc-hygiene may change only documentation: twice a Go file.
	h.model.then(reply(t, writeFile("main.go", "package main\n"), finish("Changed code.")),
		reply(t, writeFile("main.go", "package main\n"), finish("Changed code again.")))
	run := h.fireNext(c, q, "2026-01-01T03:00:00Z")
	if run.Status != store.StatusFailed || len(h.gh.commits) != 0 || !h.hasDecision(run.ID, "recipe.paths", "main.go") {
		t.Fatalf("run %s (%s), %d commits; decisions %v", run.Status, run.Error, len(h.gh.commits), h.decisions(run.ID))
	}
}

func TestScoutProposalsAreNotDuplicated(t *testing.T) {
	h, c, q := scheduleHarness(t)
	h.runner.Ceilings.MaxAutonomy = 4
	h.setPolicy("autonomy: 4\nproposals:\n  max: 2\nschedules:\n  - name: scout\n    cron: \"0 6 * * 1\"\n    recipe: scout\n")
	h.reload()
	propose := func(title string) toolCall {
		return toolCall{"propose_issue", map[string]any{"title": title, "body": "Because. Estimated cost: small."}}
	}
	h.model.then(reply(t, propose("Add tests for the parser"), propose("Document the config"), propose("Fix the flaky test"), finish("Proposed three.")))
	first := h.fireNext(c, q, "2026-01-05T06:00:00Z")
	if first.Status != store.StatusNoChange || len(h.gh.newIssues) != 2 || !h.hasDecision(first.ID, "proposals.max", "Fix the flaky test") {
		t.Fatalf("first scout: %s, issues %v, decisions %v", first.Status, h.gh.newIssues, h.decisions(first.ID))
	}
	// The parser proposal was closed a week ago; the config one is open.
	parser := h.gh.issues[101]
	parser.State, parser.ClosedAt = "closed", time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC)
	h.gh.issues[101] = parser

	h.model.then(reply(t, propose("parser: add tests"), propose("Document the config!"), propose("Speed up the build"), finish("Proposed again.")))
	second := h.fireNext(c, q, "2026-01-12T06:00:00Z")
	if len(h.gh.newIssues) != 3 || h.gh.newIssues[2] != "Speed up the build" {
		t.Fatalf("second scout opened %v", h.gh.newIssues)
	}
	if !h.hasDecision(second.ID, "proposals.duplicate", "#101") || !h.hasDecision(second.ID, "proposals.duplicate", "#102") {
		t.Errorf("decisions %v", h.decisions(second.ID))
	}
	ps, _ := h.store.Proposals(h.ctx, testRepo.FullName())
	if len(ps) != 3 {
		t.Errorf("recorded proposals %+v", ps)
	}
}

func TestScoutNeedsRungFour(t *testing.T) {
	h, c, q := scheduleHarness(t)
	h.setPolicy("schedules:\n  - name: scout\n    cron: \"0 6 * * 1\"\n    recipe: scout\n")
	h.reload()
	run := h.fireNext(c, q, "2026-01-05T06:00:00Z")
	if run.Status != store.StatusDenied || len(h.model.got) != 0 || !h.hasDecision(run.ID, "autonomy", "rung 4") {
		t.Fatalf("run %s: %v", run.Status, h.decisions(run.ID))
	}
}
