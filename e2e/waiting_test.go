package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// A command that arrives during a run is acknowledged once and then costs
// GitHub nothing while it waits; the run's end starts it at once.
func TestWaitingCommandCostsNoRequests(t *testing.T) {
	e := start(t, envOpts{})
	n := e.slowRun()
	e.model.Script(modelfake.Finish("Nothing more to do."))
	commentID, _ := e.comment(n, false, maintainer, "User", "/lifeos retry")
	deadline := time.Now().Add(10 * time.Second)
	for len(e.gh.Repo(repoName).Reactions(commentID)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the command was never acknowledged")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Its one request beyond the 👀: the comment saying it is queued, and
	// behind which run.
	var queued githubfake.Comment
	for deadline := time.Now().Add(10 * time.Second); queued.ID == 0; time.Sleep(10 * time.Millisecond) {
		for _, c := range e.gh.Repo(repoName).Comments(n) {
			if strings.Contains(c.Body, "LifeOS queued `/lifeos retry`") {
				queued = c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no queued comment: %+v", e.gh.Repo(repoName).Comments(n))
		}
	}
	if !strings.Contains(queued.Body, "it starts when run 1 on this issue ends") {
		t.Errorf("queued comment = %q, want its place behind run 1", queued.Body)
	}
	seen := len(e.gh.Requests())
	// The command is parked: its job is snoozed beyond idleHorizon (more
	// than the 3 s at which it used to look again), so only the run's end
	// or the one-minute safety net wakes it.
	// The waiter is recorded after the 👀 and just before the job snoozes.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		w, err := e.srv.Store().Waiters(t.Context(), repoName, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(w) == 1 {
			if state, due := e.jobDue(t, w[0]); state == "scheduled" {
				if due < idleHorizon {
					t.Errorf("the waiting command's job is due in %s; want beyond %s", due, idleHorizon)
				}
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the waiting command never parked: waiters %v", w)
		}
	}
	var during []string
	for _, r := range e.gh.Requests()[seen:] {
		during = append(during, r.Method+" "+r.Path)
	}
	if len(during) != 0 {
		t.Errorf("the waiting command made %d GitHub requests: %v", len(during), during)
	}

	e.comment(n, false, maintainer, "User", "/lifeos stop")
	runs := e.waitRuns(n, 2)
	if runs[0].Status != store.StatusCancelled || runs[1].Trigger != "retry" || runs[1].FinishedAt == nil {
		t.Fatalf("runs = %+v, %+v; want the first stopped and the retry done", runs[0], runs[1])
	}
	if wait := runs[1].StartedAt.Sub(*runs[0].FinishedAt); wait > 10*time.Second {
		t.Errorf("the retry started %s after the run ended; the end should wake it", wait)
	}
	if r := e.gh.Repo(repoName).Reactions(commentID); len(r) != 1 {
		t.Errorf("reactions on the command = %+v, want one 👀", r)
	}
	// The queued comment became the retry's progress comment and ended
	// with it: no other comment of the retry's.
	ofRetry := 0
	for _, c := range e.gh.Repo(repoName).Comments(n) {
		if strings.Contains(c.Body, "lifeos:progress run="+strconv.FormatInt(runs[1].ID, 10)) {
			ofRetry++
			if c.ID != queued.ID || strings.Contains(c.Body, "queued") {
				t.Errorf("the retry's comment = %+v, want the queued comment %d at the run's end", c, queued.ID)
			}
		}
	}
	if ofRetry != 1 {
		t.Errorf("%d comments of the retry run, want one: %+v", ofRetry, e.gh.Repo(repoName).Comments(n))
	}
}
