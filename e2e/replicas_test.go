package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/runner"
	"github.com/lifeos/lifeos/store"
)

// Several replicas on one PostgreSQL database, as README's "Several
// replicas" section deploys them: GitHub may send any delivery to any of
// them. A stop sent to the replica not working the run is
// TestStopReachesARunOnAnotherReplica (lease_test.go); a run taken over
// from a dead replica is TestASecondReplicaTakesOverARunWhoseProcessDied.

// replicas starts two servers on one fresh PostgreSQL schema, sharing the
// GitHub and model doubles, or skips the test without PostgreSQL.
func replicas(t *testing.T, schema string, o envOpts) (a, b *env) {
	t.Helper()
	url := pgURL(t, schema)
	if url == "" {
		t.Skip("set LIFEOS_TEST_DATABASE_URL to run against PostgreSQL")
	}
	o.databaseURL = url
	a = start(t, o)
	o.from = a
	b = start(t, o)
	return a, b
}

// atOnce runs each function in its own goroutine and waits for all.
func atOnce(fs ...func()) {
	var wg sync.WaitGroup
	for _, f := range fs {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	wg.Wait()
}

// deliveryJobs counts the River jobs in the shared database that
// deliveries set off (the sweep's and the schedules' periodic jobs are
// not).
func deliveryJobs(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.riverDB(t).QueryRow(`SELECT count(*) FROM river_job WHERE kind <> $1 AND kind <> $2`,
		runner.SweepArgs{}.Kind(), runner.TickArgs{}.Kind()).Scan(&n); err != nil {
		t.Fatalf("count River jobs: %v", err)
	}
	return n
}

// onePR checks that the issue's run succeeded once and opened the one PR,
// with the typo fixed on its branch.
func onePR(t *testing.T, a, b *env, n int) {
	t.Helper()
	a.waitIdle(t)
	b.waitIdle(t)
	runs := a.waitRuns(n, 1)
	if runs[0].Status != store.StatusSucceeded {
		t.Fatalf("run = %s %q", runs[0].Status, runs[0].Error)
	}
	repo := a.gh.Repo(repoName)
	if pulls := repo.Pulls(); len(pulls) != 1 {
		t.Fatalf("pulls = %+v; want one", pulls)
	}
	files, _ := repo.Files("lifeos/issue-" + itoa(n))
	if !strings.Contains(files["README.md"], "Hello, world!") {
		t.Errorf("README on the branch = %q", files["README.md"])
	}
}

// TestReplicasTakeTheSameDeliveryOnce sends one delivery (one
// X-GitHub-Delivery) to both replicas at the same moment, as a GitHub
// redelivery racing the original can: one job, one run, one PR.
func TestReplicasTakeTheSameDeliveryOnce(t *testing.T) {
	a, b := replicas(t, "lifeos_e2e_replicas_same", envOpts{})
	n := a.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(a.model)
	body := labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")
	var codeA, codeB int
	atOnce(func() { codeA = a.deliver("issues", "same-delivery", body) },
		func() { codeB = b.deliver("issues", "same-delivery", body) })
	for _, code := range []int{codeA, codeB} {
		if code >= 300 {
			t.Fatalf("deliveries answered %d and %d", codeA, codeB)
		}
	}
	onePR(t, a, b, n)
	if jobs := deliveryJobs(t, a); jobs != 1 {
		t.Errorf("River jobs = %d; want one for the one delivery", jobs)
	}
}

// TestReplicasRunAnIssueOnceForTwoDeliveries sends two label deliveries
// for the same issue (GitHub sends one per label added), one to each
// replica at once: the issue still gets one run and one PR.
func TestReplicasRunAnIssueOnceForTwoDeliveries(t *testing.T) {
	a, b := replicas(t, "lifeos_e2e_replicas_issue", envOpts{})
	n := a.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(a.model)
	body := labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")
	var codeA, codeB int
	atOnce(func() { codeA = a.deliver("issues", "", body) },
		func() { codeB = b.deliver("issues", "", body) })
	for _, code := range []int{codeA, codeB} {
		if code >= 300 {
			t.Fatalf("deliveries answered %d and %d", codeA, codeB)
		}
	}
	onePR(t, a, b, n)
}

// TestReplicasWorkTwoIssuesSideBySide sends one issue to each replica:
// two runs, two PRs, each with its own change.
func TestReplicasWorkTwoIssuesSideBySide(t *testing.T) {
	a, b := replicas(t, "lifeos_e2e_replicas_two", envOpts{})
	first := a.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	second := a.gh.AddIssue(repoName, "Expand the guide", "Add a second step to docs/guide.md.", maintainer)
	// The runs share the model double and may interleave, so it answers
	// by what each conversation is about rather than from one queue.
	a.model.HandleFunc(func(req modelfake.Request) modelfake.Reply {
		if len(req.ToolResults()) > 0 {
			return modelfake.Finish("Done.")
		}
		for _, m := range req.Messages {
			if strings.Contains(m.Content, "Expand the guide") {
				return modelfake.Calls(modelfake.Call("edit_file", map[string]any{"path": "docs/guide.md", "old": "Step one.", "new": "Step one.\n\nStep two."}))
			}
		}
		return modelfake.Calls(modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"}))
	})
	var codeA, codeB int
	atOnce(func() {
		codeA = a.deliver("issues", "", labeled(t, first, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	}, func() {
		codeB = b.deliver("issues", "", labeled(t, second, "lifeos:do", maintainer, "Expand the guide", "Add a second step to docs/guide.md."))
	})
	if codeA >= 300 || codeB >= 300 {
		t.Fatalf("deliveries answered %d and %d", codeA, codeB)
	}
	a.waitIdle(t)
	b.waitIdle(t)
	for _, n := range []int{first, second} {
		if runs := a.waitRuns(n, 1); runs[0].Status != store.StatusSucceeded {
			t.Fatalf("issue %d: run = %s %q", n, runs[0].Status, runs[0].Error)
		}
	}
	repo := a.gh.Repo(repoName)
	if pulls := repo.Pulls(); len(pulls) != 2 {
		t.Fatalf("pulls = %+v; want two", pulls)
	}
	readme, _ := repo.Files("lifeos/issue-" + itoa(first))
	guide, _ := repo.Files("lifeos/issue-" + itoa(second))
	if !strings.Contains(readme["README.md"], "Hello, world!") || strings.Contains(readme["docs/guide.md"], "Step two.") {
		t.Errorf("first branch: README %q, guide %q", readme["README.md"], readme["docs/guide.md"])
	}
	if !strings.Contains(guide["docs/guide.md"], "Step two.") || strings.Contains(guide["README.md"], "world!") {
		t.Errorf("second branch: README %q, guide %q", guide["README.md"], guide["docs/guide.md"])
	}
}

// sweepJobs is how many sweep jobs the test below waits for: enough
// that a second scheduler's jobs would be among them.
const sweepJobs = 8

// TestOnlyTheLeaderSchedulesTheSweep runs two replicas with a short sweep
// interval and reads back the sweep jobs. River's leader alone schedules
// periodic jobs, each due one interval after the one before, so after the
// first (run at start-up) their due times are exactly an interval apart.
// Had each replica scheduled its own, two such series would interleave.
func TestOnlyTheLeaderSchedulesTheSweep(t *testing.T) {
	const interval = 250 * time.Millisecond
	a, _ := replicas(t, "lifeos_e2e_replicas_sweep", envOpts{sweep: interval})
	db := a.riverDB(t)
	var due []time.Time
	deadline := time.Now().Add(20 * time.Second)
	for len(due) < sweepJobs {
		if time.Now().After(deadline) {
			t.Fatalf("%d sweep jobs after 20s; want %d", len(due), sweepJobs)
		}
		time.Sleep(20 * time.Millisecond)
		rows, err := db.QueryContext(context.Background(), `SELECT scheduled_at FROM river_job WHERE kind = $1 ORDER BY scheduled_at`, runner.SweepArgs{}.Kind())
		if err != nil {
			t.Fatalf("read sweep jobs: %v", err)
		}
		due = due[:0]
		for rows.Next() {
			var at time.Time
			if err := rows.Scan(&at); err != nil {
				t.Fatalf("read sweep jobs: %v", err)
			}
			due = append(due, at)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read sweep jobs: %v", err)
		}
		rows.Close()
	}
	for i := 2; i < len(due); i++ {
		if gap := due[i].Sub(due[i-1]); gap < interval-time.Millisecond || gap > interval+time.Millisecond {
			t.Fatalf("sweep jobs due %s apart, not %s: more than one replica schedules the sweep\n%v", gap, interval, due)
		}
	}
	var leaders int
	if err := db.QueryRow(`SELECT count(*) FROM river_leader`).Scan(&leaders); err != nil {
		t.Fatalf("count River leaders: %v", err)
	}
	if leaders != 1 {
		t.Errorf("River leaders = %d; want one", leaders)
	}
}
