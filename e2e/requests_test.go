package e2e

import (
	"strings"
	"testing"

	"github.com/lifeos/lifeos/store"
)

// TestOneFileChangeRequestBudget counts the GitHub API requests of a
// label-to-PR run for a one-file change: 9 with the installation token and
// the owner's default policy cached (permission, branch head, tarball,
// tree, commit, ref, pull, review request, comment). The review request is
// the PR's "ready" step: this repository has no CI, so its PR opens ready
// and asks the person who labelled; a draft asks when its CI has passed.
// The first run of a process pays for the token and the policy once.
func TestOneFileChangeRequestBudget(t *testing.T) {
	e := start(t, envOpts{})
	run := func() (api []string, tokens int) {
		n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
		fixTypo(e.model)
		e.gh.ResetRequests()
		e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
		if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusSucceeded {
			t.Fatalf("run = %+v", run)
		}
		for _, r := range e.gh.Requests() {
			if strings.HasSuffix(r.Path, "/access_tokens") {
				tokens++
				continue
			}
			api = append(api, r.Method+" "+r.Path)
		}
		return api, tokens
	}
	cold, coldTokens := run()
	t.Logf("first run: %d API requests (+%d token exchange):\n%s", len(cold), coldTokens, strings.Join(cold, "\n"))
	if coldTokens != 1 || len(cold) != 10 {
		t.Errorf("first run: %d requests and %d token exchanges, want 10 and 1", len(cold), coldTokens)
	}

	// The README typo is fixed on the other branch only; main still has it.
	warm, warmTokens := run()
	t.Logf("warm run: %d API requests (+%d token exchange):\n%s", len(warm), warmTokens, strings.Join(warm, "\n"))
	if len(warm) > 9 {
		t.Errorf("%d API requests for a one-file change, budget 9", len(warm))
	}
	if warmTokens != 0 {
		t.Errorf("%d token exchanges with the token cached, want 0", warmTokens)
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
