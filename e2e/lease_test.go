package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/runner"
	"github.com/lifeos/lifeos/store"
)

// takeoverBound is how soon a second replica must finish a run whose
// process stopped renewing its lease: the lease's TTL, a sweep, a fetch
// and the run itself, with room to spare on a busy machine.
const takeoverBound = 15 * time.Second

// TestASecondReplicaTakesOverARunWhoseProcessDied starts a run on one
// server that takes its lease once and never renews it, as a process
// killed mid-run (kill -9) leaves things: River still calls the job
// running. A second server on the same database hands the job back and
// finishes the run within seconds, not River's hour.
func TestASecondReplicaTakesOverARunWhoseProcessDied(t *testing.T) {
	for _, db := range []struct{ name, url string }{{"sqlite", ""}, {"postgres", pgURL(t, "lifeos_e2e_lease")}} {
		if db.name == "postgres" && db.url == "" {
			continue
		}
		t.Run(db.name, func(t *testing.T) {
			oneWorker := func(c *config.Config) { c.Workers = 1 } // busy with the dead run, it takes no other job
			dead := start(t, envOpts{databaseURL: db.url, configure: oneWorker, sweep: 200 * time.Millisecond,
				leases: runner.LeaseTimes{Renew: time.Hour, TTL: time.Second}})
			n := dead.slowRun()
			began := time.Now()
			fixTypo(dead.model)
			live := start(t, envOpts{from: dead, databaseURL: db.url, sweep: 200 * time.Millisecond,
				leases: runner.LeaseTimes{Renew: 100 * time.Millisecond, TTL: 3 * time.Second}})
			run := live.waitRuns(n, 1)[0]
			if took := time.Since(began); took > takeoverBound {
				t.Errorf("the run was taken over after %s; want within %s", took, takeoverBound)
			}
			if run.Status != store.StatusSucceeded {
				t.Fatalf("taken-over run = %s %q", run.Status, run.Error)
			}
			dead.shutdown() // its model call is cancelled: it writes nothing
			repo := dead.gh.Repo(repoName)
			if pulls := repo.Pulls(); len(pulls) != 1 {
				t.Fatalf("pulls = %+v; want the one the second replica opened", pulls)
			}
			files, _ := repo.Files("lifeos/issue-" + itoa(n))
			if !strings.Contains(files["README.md"], "world") {
				t.Errorf("README = %q", files["README.md"])
			}
			if runs := live.waitRuns(n, 1); runs[0].Status != store.StatusSucceeded {
				t.Fatalf("after the dead process stopped, run = %s %q", runs[0].Status, runs[0].Error)
			}
		})
	}
}

// TestStopReachesARunOnAnotherReplica stops a run through a second
// server while the first works it: the first sees the stored stop within
// its stop poll and cancels its in-flight model call.
func TestStopReachesARunOnAnotherReplica(t *testing.T) {
	for _, db := range []struct{ name, url string }{{"sqlite", ""}, {"postgres", pgURL(t, "lifeos_e2e_lease_stop")}} {
		if db.name == "postgres" && db.url == "" {
			continue
		}
		t.Run(db.name, func(t *testing.T) {
			// Busy with the run, the first server leaves the command to the second.
			working := start(t, envOpts{databaseURL: db.url, configure: func(c *config.Config) { c.Workers = 1 }})
			n := working.slowRun()
			other := start(t, envOpts{from: working, databaseURL: db.url})
			began := time.Now()
			other.comment(n, false, maintainer, "User", "/lifeos stop")
			run := other.waitRuns(n, 1)[0]
			if run.Status != store.StatusCancelled {
				t.Fatalf("run = %s %q; want cancelled", run.Status, run.Error)
			}
			// The model's reply is 20 seconds away: only the stop ends the run sooner.
			if took := time.Since(began); took > 10*time.Second {
				t.Errorf("the stop took %s to reach the other replica", took)
			}
			repo := working.gh.Repo(repoName)
			if _, ok := repo.BranchSHA("lifeos/issue-" + itoa(n)); ok || len(repo.Pulls()) != 0 {
				t.Error("a stopped run pushed")
			}
		})
	}
}
