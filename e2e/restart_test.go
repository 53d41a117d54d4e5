package e2e

import (
	"testing"
	"time"
)

// restartBound is issue 9's promise: a run whose process died is picked
// up again within 60 s of a process being available.
const restartBound = 60 * time.Second

// TestKill9OfTheOnlyReplicaIsPickedUpOnRestart kills the only lifeos
// process with SIGKILL while its run waits on the model, starts the same
// binary again at once on the same database, with the default lease and
// sweep times (no LIFEOS_LEASE_* or LIFEOS_SWEEP_INTERVAL), and checks that
// the restarted process finishes the run, as an uninterrupted one ends,
// within restartBound of being back. The run's lease must expire first
// (the restarted process cannot tell a dead worker from a live replica), so
// this takes most of a minute; the figures logged are RELIABILITY.md's.
func TestKill9OfTheOnlyReplicaIsPickedUpOnRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary and waits out a default lease (about 50 s)")
	}
	bin := buildLifeOS(t)
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			c := newCrashEnv(t, bin)
			c.leases = nil
			if db == "postgres" {
				if c.dbURL = pgURL(t, "e2e_restart"); c.dbURL == "" {
					t.Skip("set LIFEOS_TEST_DATABASE_URL to run against PostgreSQL")
				}
			}
			n := c.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
			c.crashAt(t, c.startProc(t), crashPoints[1], n)
			killed := time.Now()
			p := c.startProc(t)
			back := time.Now()
			done := c.waitRecovered(t, n, back, restartBound)
			t.Logf("%s: kill -9 → run finished %s (process back → finished %s)", db,
				done.Sub(killed).Round(100*time.Millisecond), done.Sub(back).Round(100*time.Millisecond))
			p.stop(t)
			c.assertOneOfEach(t, n)
		})
	}
}
