package e2e

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// Routes a label run reads, as the API description spells them.
const (
	branchRoute  = "GET /repos/{owner}/{repo}/branches/{branch}"
	tarballRoute = "GET /repos/{owner}/{repo}/tarball/{ref}"
)

// routeCalls counts the requests the GitHub double saw for route.
func (e *env) routeCalls(route string) int {
	n := 0
	for _, r := range e.gh.Requests() {
		if r.Route == route {
			n++
		}
	}
	return n
}

// labelRunOpensPR labels a typo issue and checks that its one run (one
// job attempt) opened the PR.
func labelRunOpensPR(t *testing.T, e *env) {
	t.Helper()
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	e.waitIdle(t)
	runs := e.waitRuns(n, 1)
	if len(runs) != 1 || runs[0].Status != store.StatusSucceeded || runs[0].PRNumber == 0 {
		t.Fatalf("runs = %+v; want one that opened its PR", runs)
	}
}

func TestLabelRunRidesOutBranch502s(t *testing.T) {
	e := start(t, envOpts{})
	e.expectStatus("GET", "/repos/*/*/branches/*", http.StatusBadGateway)
	e.gh.FailRouteTimes(branchRoute, http.StatusBadGateway, 2)
	labelRunOpensPR(t, e)
	if got := e.routeCalls(branchRoute); got < 3 {
		t.Errorf("branch read %d times; want the two 502s and a success", got)
	}
	if len(e.ghWaits.all()) < 2 {
		t.Errorf("waits = %v; want a backoff before each retry", e.ghWaits.all())
	}
}

func TestLabelRunRidesOutAResetOnTheTarball(t *testing.T) {
	e := start(t, envOpts{})
	e.gh.ResetRoute(tarballRoute, 1)
	labelRunOpensPR(t, e)
	if got := e.routeCalls(tarballRoute); got < 2 {
		t.Errorf("tarball link asked %d times; want the reset and a success", got)
	}
}

// TestLabelRunRidesOutASlowBranchRead: GitHub holds the branch read back
// longer than a try may take; the try times out, is sent again after a
// backoff, and the run opens its PR.
func TestLabelRunRidesOutASlowBranchRead(t *testing.T) {
	e := start(t, envOpts{ghPerTry: 300 * time.Millisecond})
	e.gh.SlowRoute(branchRoute, 3*time.Second, 1)
	labelRunOpensPR(t, e)
	if got := e.routeCalls(branchRoute); got < 1 {
		t.Errorf("branch answered %d times; want the retry's answer", got)
	}
	if len(e.ghWaits.all()) < 1 {
		t.Errorf("waits = %v; want a backoff after the timed-out try", e.ghWaits.all())
	}
}

func TestLabelRunWaitsOutASecondaryRateLimit(t *testing.T) {
	e := start(t, envOpts{})
	e.expectStatus("GET", "/repos/*/*/collaborators/*/permission", http.StatusForbidden)
	e.gh.RateLimitRoute(permissionRoute, http.StatusForbidden, http.Header{"Retry-After": {"1"}}, 1)
	labelRunOpensPR(t, e)
	if w := e.ghWaits.all(); len(w) != 1 || w[0] < time.Second/2 || w[0] > time.Second {
		t.Errorf("waits = %v; want the one second GitHub asked for", w)
	}
	if got := e.routeCalls(permissionRoute); got < 2 {
		t.Errorf("permission asked %d times; want the refusal and a success", got)
	}
}

// TestLabelRunSnoozesALongRateLimit: GitHub's primary limit is spent for
// ten minutes (x-ratelimit-remaining 0, x-ratelimit-reset), longer than a
// job waits in place (gh.DefaultMaxRateWait): the request returns
// gh.RateLimited, the job is snoozed until the reset, and the run stays
// running with nobody told it failed. Once the reset has passed, the same
// run opens its PR.
func TestLabelRunSnoozesALongRateLimit(t *testing.T) {
	e := start(t, envOpts{})
	e.expectStatus("GET", "/repos/*/*/collaborators/*/permission", http.StatusForbidden)
	reset := time.Now().Add(10 * time.Minute)
	e.gh.RateLimitRoute(permissionRoute, http.StatusForbidden, http.Header{
		"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(reset.Unix(), 10)}}, 1)
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))

	db := e.riverDB(t)
	var id int64
	var state string
	var due time.Duration
	for deadline := time.Now().Add(20 * time.Second); state != "scheduled"; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the job was never snoozed: state %q", state)
		}
		if err := db.QueryRow(`SELECT id FROM river_job WHERE kind = 'lifeos_run'`).Scan(&id); err != nil {
			continue
		}
		state, due = e.jobDue(t, id)
	}
	if due < 9*time.Minute || due > 11*time.Minute {
		t.Errorf("the job is due in %s; want about the 10 minutes to the reset", due)
	}
	runs, err := e.srv.Store().IssueRuns(t.Context(), repoName, n)
	if err != nil || len(runs) != 1 || runs[0].Status != store.StatusRunning {
		t.Fatalf("runs = %+v (%v); want one left running for the snoozed job", runs, err)
	}
	if said := e.bodies(n); len(said) != 0 {
		t.Errorf("comments while snoozed = %q; want none", said)
	}

	// The reset passes: GitHub's clock and the job's schedule move on.
	e.ghWaits.sleep(t.Context(), 10*time.Minute)
	e.makeDue(t, id)
	runs = e.waitRuns(n, 1)
	if runs[0].Status != store.StatusSucceeded || runs[0].PRNumber == 0 {
		t.Fatalf("run = %s %q; want the same run to open its PR after the reset", runs[0].Status, runs[0].Error)
	}
}

// makeDue makes the scheduled River job id due now, in the server's
// SQLite file.
func (e *env) makeDue(t *testing.T, id int64) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.cfg.DataDir, store.SQLiteFileName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE river_job SET scheduled_at = datetime('now', 'subsec') WHERE id = ?`, id); err != nil {
		t.Fatalf("make job %d due: %v", id, err)
	}
}

// TestInstallationTokenExpiresMidRun: the GitHub double's installation
// tokens live one second and are refused with 401 after it, and the
// model's first answer takes two, so the token the run read the
// repository with has expired before it writes back. LifeOS asks for a
// new token instead of sending the dead one: the run opens its PR and
// GitHub refused no request.
func TestInstallationTokenExpiresMidRun(t *testing.T) {
	e := start(t, envOpts{tokenLifetime: time.Second})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(
		modelfake.Reply{Delay: 2 * time.Second, ToolCalls: []modelfake.ToolCall{
			modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Finish("Fixed the typo."))
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	runs := e.waitRuns(n, 1)
	if runs[0].Status != store.StatusSucceeded || runs[0].PRNumber == 0 {
		t.Fatalf("run = %s %q; want a PR despite the token expiring mid-run", runs[0].Status, runs[0].Error)
	}
	if tokens := e.gh.IssuedTokens(); len(tokens) < 2 {
		t.Errorf("%d installation tokens issued; want the first renewed after it expired", len(tokens))
	}
	for _, r := range e.gh.Requests() {
		if r.Status == http.StatusUnauthorized {
			t.Errorf("GitHub refused %s %s with 401: an expired token was sent", r.Method, r.Path)
		}
	}
}
