package runner

import (
	"context"
	"fmt"
	"strconv"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/store"
)

// resume carries on a run taken over from an earlier attempt of its job
// that made its commit: the agent is not asked again, and the write-back
// goes on from the last step recorded (publish). It reports whether it
// did; a run with no recorded commit starts from the top.
func (w *work) resume(ctx context.Context) (bool, error) {
	steps, err := w.Store.RunSteps(ctx, w.run.ID)
	if err != nil {
		return false, fmt.Errorf("read the steps of run %d: %w", w.run.ID, err)
	}
	w.state.steps = steps
	sha := steps[store.StepCommit]
	if sha == "" {
		if sha, err = w.adoptCommit(ctx); sha == "" || err != nil {
			return false, err
		}
	}
	w.state.resumed = true
	w.log.Info().Str("sha", sha).Msg("Resuming the run's write-back from its recorded commit")
	// The PR's title is the issue's, as recorded at the trigger.
	if _, err := w.settleIssue(ctx); err != nil {
		return false, err
	}
	files, err := w.Store.ChangedFiles(ctx, w.run.ID)
	if err != nil {
		return false, err
	}
	r := w.run
	out := &w.state.out
	out.Model, out.Turns, out.Summary, out.Transcript = r.Model, r.Turns, r.Summary, r.Transcript
	out.PromptTokens, out.CompletionTokens, out.TotalTokens = r.PromptTokens, r.CompletionTokens, r.TotalTokens
	out.CommitSHA, out.PRNumber = sha, r.PRNumber
	// The run pushes onto the PR it found open (or adopted); otherwise
	// it opens one.
	if onto, err := strconv.Atoi(steps[store.StepOnto]); err == nil && onto > 0 {
		w.state.pr, out.PRNumber = &gh.Pull{Number: onto}, onto
		if w.req.replyTo == 0 {
			w.req.replyTo = onto
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeBackTimeout)
	defer cancel()
	w.openProgress(ctx, fmt.Sprintf("⏳ LifeOS committed %s and is pushing it.", shortSHA(sha)))
	return true, w.publish(ctx, written{sha: sha, summary: r.Summary, turns: r.Turns, tokens: r.TotalTokens, files: files})
}
