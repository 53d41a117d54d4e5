package e2e

import (
	"net/http"
	"testing"
	"time"

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

func TestLabelRunRidesOutTarball502s(t *testing.T) {
	e := start(t, envOpts{})
	e.expectStatus("GET", "/repos/*/*/tarball/*", http.StatusBadGateway)
	e.gh.FailRouteTimes(tarballRoute, http.StatusBadGateway, 2)
	labelRunOpensPR(t, e)
	if got := e.routeCalls(tarballRoute); got < 3 {
		t.Errorf("tarball link asked %d times; want the two 502s and a success", got)
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
