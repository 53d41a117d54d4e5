package e2e

import (
	"strings"
	"testing"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// serverLabel is the trigger label the operator sets in
// TestServerTriggerLabelOpensPullRequest, instead of the default.
const serverLabel = "lifeos:go"

// TestServerTriggerLabelOpensPullRequest: LIFEOS_TRIGGER_LABEL is the label
// that starts a run, for the webhook handler and for the run's policy alike.
func TestServerTriggerLabelOpensPullRequest(t *testing.T) {
	e := start(t, envOpts{configure: func(c *config.Config) {
		c.TriggerLabel, c.Ceilings.TriggerLabel = serverLabel, serverLabel
	}})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, serverLabel, maintainer, "Fix the README typo", "It says wrold."))

	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	pulls := e.gh.Repo(repoName).Pulls()
	if len(pulls) != 1 || pulls[0].Head != "lifeos/issue-"+itoa(n) {
		t.Fatalf("pulls = %+v", pulls)
	}
	if c := e.bodies(n); len(c) != 1 || !strings.Contains(c[0], "#"+itoa(pulls[0].Number)) {
		t.Errorf("comments = %q", c)
	}
}

// TestUnreachablePolicyLabelIsExplained: a policy naming a label the
// server never acts on would leave the repository silently unusable, so the
// run started by the server's label refuses with a comment that says why.
func TestUnreachablePolicyLabelIsExplained(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("trigger:\n  label: ai-do\n")})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))

	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusDenied || !strings.Contains(run.Error, `"ai-do"`) {
		t.Fatalf("run = %+v", run)
	}
	if reqs := e.model.Requests(); len(reqs) != 0 {
		t.Errorf("the model was called %d times", len(reqs))
	}
	c := e.waitComments(n, 1)
	if len(c) != 1 || !strings.Contains(c[0], `"ai-do" can never start a run`) || !strings.Contains(c[0], `"lifeos:"`) {
		t.Errorf("comments = %q", c)
	}
	ds, err := e.srv.Store().Decisions(t.Context(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range ds {
		found = found || (d.Rule == policy.RuleTriggerNamespace && !d.Allow)
	}
	if !found {
		t.Errorf("no %s refusal among decisions %+v", policy.RuleTriggerNamespace, ds)
	}
}
