package demo

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/store"
)

func parsePublic(u string) (*url.URL, error) {
	p, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("the demo's URL %q: %w", u, err)
	}
	return p, nil
}

// intro tells what the demo is made of.
func (d *demo) intro() {
	model := "a scripted model (modelfake)"
	if d.model == nil {
		model = fmt.Sprintf("%s at %s", d.cfg.Model, orOpenAI(d.cfg.OpenAIBaseURL))
	}
	d.tell.say("LifeOS demo: the real server at %s, GitHub played by its double at %s, the model by %s.", d.url, d.gh.URL(), model)
	d.tell.say("▸ %s/%s has issue #%d %q, opened by %s:\n%s", account, "hello", d.issue, issueTitle, person, indent(issueBody))
	d.tell.say("▸ %s adds the label %q; GitHub delivers the signed issues.labeled webhook to %s/api/github/hook", person, names.TriggerLabel, d.url)
}

func orOpenAI(u string) string {
	if u == "" {
		return "OpenAI"
	}
	return u
}

// label labels the issue on the double, which delivers the webhook, and
// waits for the run that delivery started to end.
func (d *demo) label(ctx context.Context, st *store.Store) error {
	dl, err := d.gh.LabelIssue(repoName, d.issue, names.TriggerLabel, person)
	if err != nil {
		return err
	}
	d.tell.say("▸ GitHub's delivery %s (%s.%s) was answered %d", dl.ID, dl.Event, dl.Action, dl.Status)
	run, err := waitRun(ctx, st, d.issue, dl.ID)
	if err != nil {
		return err
	}
	d.tell.say("▸ run %d ended %s after %d turns and %d tokens", run.ID, run.Status, run.Turns, run.TotalTokens)
	if run.Status != store.StatusSucceeded || run.PRNumber == 0 {
		if run.Error != "" {
			d.tell.say("  why: %s", run.Error)
		}
		return ErrRunFailed
	}
	d.tell.say("✓ issue #%d became pull request #%d.", d.issue, run.PRNumber)
	return nil
}

// waitRun waits for the run of a delivery to reach its final status.
func waitRun(ctx context.Context, st *store.Store, issue int, delivery string) (*store.Run, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		runs, err := st.IssueRuns(ctx, repoName, issue)
		if err != nil {
			return nil, fmt.Errorf("read the demo's run: %w", err)
		}
		for _, r := range runs {
			if r.DeliveryID == delivery && r.Status != store.StatusRunning {
				return r, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for the demo's run: %w", context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// outro tells where to look next.
func (d *demo) outro() {
	d.tell.say(`
The server stays up until ^C:
  run pages      %s/runs  (sign in with GitHub: the double signs you in as %s)
  admin token    %s  (curl -H "Authorization: Bearer %s" %s/api/runs)
  health         %s/api/health`, d.url, person, d.cfg.Web.AdminToken, d.cfg.Web.AdminToken, d.url, d.url)
}
