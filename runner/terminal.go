package runner

import (
	"context"
	"fmt"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/store"
)

// TriggerTerminal is the trigger of a run started from a terminal with
// `lifeos run`.
const TriggerTerminal = "terminal"

// RunIssue runs the agent once on an issue from outside the queue, as
// `lifeos run` does: through the same pipeline as a label run, on the
// issue's text as GitHub has it now, with no trigger label and no person's
// role to check (whoever holds the App's key needs neither); the
// repository's policy, budgets and ceilings apply as ever. However the run
// ends, it ends finished and the issue is told; the run is returned with
// the error that ended it, if any.
func (r *Runner) RunIssue(ctx context.Context, repo jobs.Repo, number int) (*store.Run, error) {
	// Bounded as a job is: the sweep takes a jobless run older than
	// store.MaxJoblessRun for one whose process died.
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultRunTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	g, err := r.GitHub(repo)
	if err != nil {
		return nil, err
	}
	is, err := g.Issue(ctx, number)
	if err != nil {
		return nil, fmt.Errorf("read %s#%d: %w", repo.FullName(), number, err)
	}
	now := r.now()
	d := jobs.Delivery{ID: fmt.Sprintf("%s-%d", TriggerTerminal, now.UnixNano()), Event: TriggerTerminal, QueuedAt: now}
	issue := jobs.Issue{Number: number, Title: is.Title, Body: is.Body, Author: is.Author, Comments: -1}
	runErr := r.code(ctx, &request{delivery: d, repo: repo, gh: g, trigger: TriggerTerminal,
		issueNumber: number, issue: &issue, replyTo: number})
	run, err := r.runOfDelivery(ctx, repo.FullName(), number, d.ID)
	switch {
	case err != nil:
		return nil, fmt.Errorf("find the run of %s: %w", d.ID, err)
	case run == nil && runErr != nil:
		return nil, runErr
	case run == nil:
		return nil, fmt.Errorf("no run started: %s#%d has an active run", repo.FullName(), number)
	}
	if run.Status == store.StatusRunning {
		reason := "LifeOS stopped on an internal error"
		if runErr != nil {
			reason = "LifeOS stopped: " + oneLine(runErr.Error())
		}
		r.endRun(ctx, run, store.StatusFailed, reason, repo, number)
		if run, err = r.runOfDelivery(ctx, repo.FullName(), number, d.ID); err != nil {
			return nil, err
		}
	}
	return run, runErr
}

// runOfDelivery is the run a delivery started on an issue, nil if none.
func (r *Runner) runOfDelivery(ctx context.Context, repo string, issue int, delivery string) (*store.Run, error) {
	runs, err := r.Store.IssueRuns(ctx, repo, issue)
	if err != nil {
		return nil, err
	}
	for _, run := range runs {
		if run.DeliveryID == delivery {
			return run, nil
		}
	}
	return nil, nil
}
