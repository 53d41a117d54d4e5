package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/store"
)

// jumpClock runs at the speed of time.Now from the instant it was last
// set to, so a test can jump to a schedule's tick.
type jumpClock struct {
	mu    sync.Mutex
	base  time.Time
	began time.Time
}

func newJumpClock(t0 string) *jumpClock {
	c := &jumpClock{}
	c.set(t0)
	return c
}

func (c *jumpClock) set(at string) {
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.base, c.began = t, time.Now()
	c.mu.Unlock()
}

func (c *jumpClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(time.Since(c.began))
}

// nightlyDocsPolicy is README's example: doc-hygiene every night at 03:00 UTC.
const nightlyDocsPolicy = `schedules:
  - name: nightly-docs
    cron: "0 3 * * *"
    recipe: doc-hygiene
`

// waitSchedules waits until the repository has n stored schedules.
func (e *env) waitSchedules(n int) []store.Schedule {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		scheds, err := e.srv.Store().Schedules(context.Background(), repoName)
		if err != nil {
			e.t.Fatal(err)
		}
		if len(scheds) == n {
			return scheds
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d schedules stored, want %d", len(scheds), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A nightly doc-hygiene schedule, loaded when the App is installed, fires
// at 03:00: one PR on lifeos/schedule-nightly-docs fixes the broken link
// and the stale date; the next night's firing adds a commit to the same
// PR; a push removing the schedule stops it.
func TestNightlyDocHygiene(t *testing.T) {
	clock := newJumpClock("2026-03-01T02:58:00Z")
	e := start(t, envOpts{now: clock.now, tick: 50 * time.Millisecond, files: map[string]string{
		".github/lifeos.yml": nightlyDocsPolicy,
		"README.md":          "# Hello-World\n\nSee the [guide](docs/guide.md) and [setup](docs/setup.md#install).\n",
		"docs/guide.md":      "# Guide\n\nLast updated: 2019-01-01. Works with v0.1.\n",
		"docs/install.md":    "# Install\n\n## Install\n\nRun it.\n",
		"VERSION":            "1.4.0\n",
	}})
	repo := e.gh.Repo(repoName)
	if code := e.deliver("installation", "", payload(t, "installation.created", nil)); code != 200 {
		t.Fatalf("installation delivery answered %d", code)
	}
	sched := e.waitSchedules(1)[0]
	subject := names.ScheduleSubject(sched.ID)
	if sched.Name != "nightly-docs" || sched.DefaultBranch != "main" || !strings.HasPrefix(sched.NextAt.UTC().Format(time.RFC3339), "2026-03-01T03:00") {
		t.Fatalf("stored schedule %+v", sched)
	}

	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{
			"path": "README.md", "old": "(docs/setup.md#install)", "new": "(docs/install.md#install)"})}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{
			"path": "docs/guide.md", "old": "Last updated: 2019-01-01. Works with v0.1.", "new": "Last updated: 2026-03-01. Works with v1.4.0."})}},
		modelfake.Finish("Fixed the broken link to docs/setup.md and the stale date and version in docs/guide.md.\n\n### Could not fix\n\nNothing."),
	)
	e.gh.ResetRequests()
	clock.set("2026-03-01T03:00:00Z")
	first := e.waitRuns(subject, 1)[0]
	// Branch head, tarball, tree, commit, ref, pull, and the three places
	// CODEOWNERS may be (no person triggered it, so its owners review): no
	// permission to read and no comment (the PR is the thread).
	if reqs := e.gh.Requests(); len(reqs) > 9 {
		t.Errorf("a first firing cost %d GitHub requests, want at most 9: %+v", len(reqs), reqs)
	}
	if first.Status != store.StatusSucceeded || first.Trigger != "schedule" || first.PRNumber == 0 {
		t.Fatalf("first firing: %+v", first)
	}
	branch := names.ScheduleBranch("nightly-docs")
	files, err := repo.Files(branch)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(files["README.md"], "(docs/install.md#install)") || !strings.Contains(files["docs/guide.md"], "2026-03-01") || !strings.Contains(files["docs/guide.md"], "v1.4.0") {
		t.Errorf("files on %s: %v", branch, files)
	}
	pulls := repo.Pulls()
	if len(pulls) != 1 || pulls[0].Head != branch || pulls[0].Base != "main" || !strings.Contains(pulls[0].Body, "broken link") || strings.Contains(pulls[0].Body, "Fixes #") {
		t.Fatalf("pulls = %+v", pulls)
	}

	// The next night: the PR is open, so the firing adds a commit to it.
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{
			"path": "docs/install.md", "old": "Run it.", "new": "Run `go run .`."})}},
		modelfake.Finish("Made the install step concrete."),
	)
	clock.set("2026-03-02T03:00:00Z")
	runs := e.waitRuns(subject, 2)
	second := runs[len(runs)-1]
	if second.Status != store.StatusSucceeded || second.PRNumber != first.PRNumber {
		t.Fatalf("second firing: %+v", second)
	}
	if pulls := repo.Pulls(); len(pulls) != 1 {
		t.Fatalf("a second firing opened another PR: %+v", pulls)
	}
	log, _ := repo.Log(branch)
	mainSHA, _ := repo.BranchSHA("main")
	if len(log) < 3 || log[2].SHA != mainSHA {
		t.Errorf("the branch should be main plus two commits: %+v", log)
	}

	// A push to main that removes the schedule stops it.
	policy := "autonomy: 1\n"
	e.gh.PushCommit(repoName, "main", map[string]*string{".github/lifeos.yml": &policy}, "Stop the nightly docs")
	push := payload(t, "push", func(ev map[string]any) { ev["ref"] = "refs/heads/main" })
	if code := e.deliver("push", "", push); code != 200 {
		t.Fatalf("push delivery answered %d", code)
	}
	e.waitSchedules(0)
	clock.set("2026-03-03T03:00:00Z")
	time.Sleep(300 * time.Millisecond) // several ticks
	if runs := e.waitRuns(subject, 2); len(runs) != 2 {
		t.Fatalf("a removed schedule fired: %d runs", len(runs))
	}
}

// Two replicas on one PostgreSQL database, each able to lead: a schedule's
// tick makes one run and one PR.
func TestScheduleFiresOnceOnTwoReplicas(t *testing.T) {
	clock := newJumpClock("2026-03-01T02:58:00Z")
	a, b := replicas(t, "lifeos_e2e_schedule_replicas", envOpts{now: clock.now, tick: 20 * time.Millisecond, files: map[string]string{
		".github/lifeos.yml": nightlyDocsPolicy,
		"docs/guide.md":      "# Guide\n\nLast updated: 2019-01-01.\n",
	}})
	if code := b.deliver("installation", "", payload(t, "installation.created", nil)); code != 200 {
		t.Fatalf("installation delivery answered %d", code)
	}
	sched := a.waitSchedules(1)[0]
	a.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{
			"path": "docs/guide.md", "old": "2019-01-01", "new": "2026-03-01"})}},
		modelfake.Finish("Fixed the stale date."),
	)
	clock.set("2026-03-01T03:00:00Z")
	a.waitRuns(names.ScheduleSubject(sched.ID), 1)
	time.Sleep(300 * time.Millisecond) // many ticks on both replicas
	if runs := a.waitRuns(names.ScheduleSubject(sched.ID), 1); runs[0].Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", runs[0])
	}
	if pulls := a.gh.Repo(repoName).Pulls(); len(pulls) != 1 || len(a.model.Requests()) != 2 {
		t.Fatalf("%d PRs and %d model calls, want 1 and 2", len(pulls), len(a.model.Requests()))
	}
}
