// Package webhook is where a webhook delivery becomes work, or not. It is
// the one place that decides whether a delivery is work and which kind,
// and it queues the typed job of package jobs that says so; the worker that
// takes the job trusts it and decides nothing again.
//
// There is one file per event (issues.go, issue_comment.go, ...), each
// holding a pure triage function from a payload to a job or to the reason
// the delivery is ignored; those functions are where the table tests go.
// Intake turns them into go-githubapp event handlers (All), and
// LegacyWorker re-triages deliveries queued raw by an earlier version.
//
// A new event is a new file with its triage function, plus a line in All
// and a line in app.yml's default_events (a test checks the two agree).
package webhook
