package e2e

import (
	"strings"
	"testing"

	"github.com/lifeos/lifeos/store"
)

// TestOneFileChangeRequestBudget counts the GitHub API requests of a
// label-to-PR run for a one-file change: 8 with the installation token
// cached (permission, branch head, tarball, tree, commit, ref, pull,
// comment).
func TestOneFileChangeRequestBudget(t *testing.T) {
	e := start(t, envOpts{})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	var api []string
	tokens := 0
	for _, r := range e.gh.Requests() {
		if strings.HasSuffix(r.Path, "/access_tokens") {
			tokens++
			continue
		}
		api = append(api, r.Method+" "+r.Path)
	}
	t.Logf("%d API requests (+%d token exchange):\n%s", len(api), tokens, strings.Join(api, "\n"))
	if len(api) > 8 {
		t.Errorf("%d API requests for a one-file change, budget 8", len(api))
	}
	if tokens != 1 {
		t.Errorf("%d token exchanges, want 1", tokens)
	}
}

// TestLabelOpensPullRequestOnPostgres is the happy path with PostgreSQL
// holding the runs and the queue.
func TestLabelOpensPullRequestOnPostgres(t *testing.T) {
	url := pgURL(t, "lifeos_e2e")
	if url == "" {
		t.Skip("set LIFEOS_TEST_DATABASE_URL to run against PostgreSQL")
	}
	e := start(t, envOpts{databaseURL: url})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	e.deliver("issues", "pg-delivery", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	e.deliver("issues", "pg-delivery", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded || run.PRNumber == 0 {
		t.Fatalf("run = %+v", run)
	}
	if pulls := e.gh.Repo(repoName).Pulls(); len(pulls) != 1 {
		t.Fatalf("pulls = %+v", pulls)
	}
}
