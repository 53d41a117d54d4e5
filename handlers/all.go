package handlers

import "github.com/palantir/go-githubapp/githubapp"

// All returns every handler LifeOS registers with the webhook dispatcher,
// each sharing base. The events they handle are the events the App must
// subscribe to (app.yml's default_events); a test checks that the two agree.
func All(base Base) []githubapp.EventHandler {
	return []githubapp.EventHandler{
		&Issues{Base: base},
		&IssueComment{Base: base},
		&PullRequestReview{Base: base},
		&CheckSuite{Base: base},
		&WorkflowRun{Base: base},
		&PullRequest{Base: base},
	}
}

// Events lists the webhook events the handlers in All handle, in their
// order, without repeats.
func Events() []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range All(Base{}) {
		for _, ev := range h.Handles() {
			if !seen[ev] {
				seen[ev] = true
				out = append(out, ev)
			}
		}
	}
	return out
}
