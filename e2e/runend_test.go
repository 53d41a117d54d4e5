package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/lifeos/lifeos/store"
)

// retryAtOnce makes a failed job's next attempt due at once.
type retryAtOnce struct{}

func (retryAtOnce) NextRetry(*rivertype.JobRow) time.Time { return time.Now() }

// permissionRoute is the first GitHub request of a label run: who labelled.
const permissionRoute = "GET /repos/{owner}/{repo}/collaborators/{username}/permission"

func TestRunEndsWhenGitHubFailsEveryAttempt(t *testing.T) {
	for _, db := range []struct{ name, url string }{{"sqlite", ""}, {"postgres", pgURL(t, "lifeos_e2e_runend")}} {
		if db.name == "postgres" && db.url == "" {
			continue
		}
		t.Run(db.name, func(t *testing.T) {
			e := start(t, envOpts{databaseURL: db.url, retry: retryAtOnce{}})
			e.expectStatus("GET", "/repos/*/*/collaborators/*/permission", 502)
			n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
			e.gh.FailRoute(permissionRoute, 502)
			e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
			e.waitIdle(t)

			run := e.waitRuns(n, 1)[0]
			if run.Status != store.StatusFailed || !strings.Contains(run.Error, "LifeOS gave up after 3 attempts") || !strings.Contains(run.Error, "502") {
				t.Fatalf("run = %s %q; want failed after 3 attempts", run.Status, run.Error)
			}
			said := e.bodies(n)
			if len(said) != 1 || !strings.Contains(said[0], "did not finish") || !strings.Contains(said[0], "502") {
				t.Fatalf("comments = %q; want one plain comment", said)
			}
			if strings.Contains(said[0], "ghs_") || strings.Contains(said[0], "access_token") {
				t.Errorf("a credential reached the thread: %q", said[0])
			}
			// The job River gave up on degrades health and counts as a failed run.
			if h := e.health(t); h.Status != "degraded" || len(h.Reasons) != 1 || !strings.HasPrefix(h.Reasons[0], "jobs failing: 1 failed") {
				t.Errorf("health = %+v; want degraded by one failed job", h)
			}
			if got := sum(e.scrape(t), "lifeos_runs_total", `outcome="failed"`, `trigger="label"`); got != 1 {
				t.Errorf("failed label runs = %v, want 1", got)
			}

			// With GitHub well again, a relabel opens the PR.
			e.gh.FailRoute(permissionRoute, 0)
			fixTypo(e.model)
			e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
			e.waitIdle(t)
			runs := e.waitRuns(n, 2)
			if runs[1].Status != store.StatusSucceeded || runs[1].PRNumber == 0 {
				t.Fatalf("relabel run = %+v", runs[1])
			}
		})
	}
}

// TestGitHubAnswerIsNotRetried: a 404 or 422 is GitHub's answer, not a
// fault, so the job is not tried again (spending requests and, later in a
// run, model calls on the same answer): the run fails on its first attempt
// and the thread is told once.
func TestGitHubAnswerIsNotRetried(t *testing.T) {
	e := start(t, envOpts{retry: retryAtOnce{}})
	e.expectStatus("GET", "/repos/*/*/branches/*", 404)
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.gh.FailRoute(branchRoute, 404)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	e.waitIdle(t)

	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusFailed || strings.Contains(run.Error, "attempts") || !strings.Contains(run.Error, "404") ||
		strings.Contains(run.Error, "JobCancelError") {
		t.Fatalf("run = %s %q; want failed at once on GitHub's 404", run.Status, run.Error)
	}
	asked := 0
	for _, r := range e.gh.Requests() {
		if r.Route == branchRoute {
			asked++
		}
	}
	if got := asked; got != 1 {
		t.Errorf("the branch was asked for %d times, want 1", got)
	}
	if said := e.bodies(n); len(said) != 1 {
		t.Errorf("comments = %q; want one", said)
	}
}

// TestRunEndIsToldOnceGitHubTakesComments: GitHub refuses comments while a
// run gives up, so its end cannot be told then; once GitHub takes them
// again, the leader's sweep tells it, once.
func TestRunEndIsToldOnceGitHubTakesComments(t *testing.T) {
	const commentRoute = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
	for _, db := range []struct{ name, url string }{{"sqlite", ""}, {"postgres", pgURL(t, "lifeos_e2e_runend_told")}} {
		if db.name == "postgres" && db.url == "" {
			continue
		}
		t.Run(db.name, func(t *testing.T) {
			e := start(t, envOpts{databaseURL: db.url, retry: retryAtOnce{}, sweep: 200 * time.Millisecond})
			e.expectStatus("GET", "/repos/*/*/collaborators/*/permission", 502)
			e.expectStatus("POST", "/repos/*/*/issues/*/comments", 502)
			n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
			e.gh.FailRoute(permissionRoute, 502)
			e.gh.FailRoute(commentRoute, 502)
			e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
			e.waitIdle(t)
			if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusFailed {
				t.Fatalf("run = %s; want failed", run.Status)
			}
			time.Sleep(time.Second) // sweeps while GitHub still refuses
			if said := e.bodies(n); len(said) != 0 {
				t.Fatalf("comments while GitHub refuses them = %q", said)
			}
			e.gh.FailRoute(commentRoute, 0)
			for deadline := time.Now().Add(10 * time.Second); len(e.bodies(n)) == 0; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the run's end was never told once GitHub took comments again")
				}
			}
			time.Sleep(time.Second) // more sweeps: nothing told twice
			if said := e.bodies(n); len(said) != 1 || !strings.Contains(said[0], "did not finish") || !strings.Contains(said[0], "gave up after 3 attempts") {
				t.Fatalf("comments = %q; want the run's end told once", said)
			}
		})
	}
}
