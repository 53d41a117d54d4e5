package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/secrets"
	"github.com/lifeos/lifeos/store"
)

// Checkpoints: a run that reaches its turn, token, cost or time limit with
// changes in its workspace pushes them (what the guard allows) as a commit
// on the issue's branch, in a draft PR, and says where it stopped, what it
// spent and how to continue. `/lifeos retry` then starts from the branch,
// with the checkpoint's summary (what was tried) in its prompt.

// checkpointError starts the error recorded on a run that stopped at a
// checkpoint.
const checkpointError = "stopped at a checkpoint: "

// checkpointPending reports whether the issue's work stands at a
// checkpoint: its latest run that pushed for a person (not a CI fix) is
// one. Such a PR is unfinished, so it is neither marked ready nor merged
// whatever CI says, until a run finishes it.
func (r *Runner) checkpointPending(ctx context.Context, repo string, issue int) (bool, error) {
	runs, err := r.Store.IssueRuns(ctx, repo, issue)
	if err != nil {
		return false, err
	}
	pending := false
	for _, run := range runs {
		switch {
		case strings.HasPrefix(run.Error, checkpointError):
			pending = true
		case run.Status == store.StatusSucceeded && run.Trigger != "ci":
			pending = false
		}
	}
	return pending, nil
}

// maxDigestCalls bounds the tool calls a checkpoint's digest names: enough
// for the next run to see where the work went, short enough for a prompt.
const maxDigestCalls = 30

// checkpointable reports whether an unfinished agent's result is kept as
// a checkpoint: it stopped on a limit, with changes, and was not a plan.
func (w *work) checkpointable(ctx context.Context, res *agent.Result, runErr error) bool {
	if w.req.planOnly || len(res.Changes) == 0 || ctx.Err() != nil {
		return false
	}
	return errors.Is(runErr, errCostCap) || errors.Is(runErr, agent.ErrTurnLimit) ||
		errors.Is(runErr, agent.ErrTokenLimit) || errors.Is(runErr, agent.ErrTimeLimit)
}

// checkpoint writes an unfinished run's changes back as a checkpoint; why
// says where it stopped.
func (w *work) checkpoint(ctx context.Context, res *agent.Result, why string) error {
	w.state.checkpoint = why
	res.Summary = checkpointSummary(why, res)
	w.state.out.Summary = secrets.Scrub(res.Summary)
	w.decide(ctx, policy.Decision{Allow: true, Rule: "checkpoint", Reason: fmt.Sprintf("%s; its %d changed files are pushed as a checkpoint", why, len(res.Changes))})
	return w.writeBack(ctx, res)
}

// checkpointSummary is what a checkpoint's commit, PR and run record say,
// and what the next run reads as the previous summary: where it stopped,
// what it changed and a digest of the calls it made.
func checkpointSummary(why string, res *agent.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Checkpoint: LifeOS stopped before finishing (%s) and kept its work so far.\n\nChanged so far:\n", why)
	for _, c := range res.Changes {
		verb := "wrote"
		if c.Delete {
			verb = "deleted"
		}
		fmt.Fprintf(&b, "- %s `%s`\n", verb, c.Path)
	}
	if d := digest(res.Transcript); d != "" {
		b.WriteString("\nWhat it tried, in order: " + d + "\n")
	}
	return b.String()
}

// digest names a run's tool calls in order ("read_file README.md,
// edit_file README.md"), a repeat of the one before counted; past
// maxDigestCalls, the latest.
func digest(transcript []agent.Entry) string {
	var calls []string
	last, times := "", 0
	flush := func() {
		if last == "" {
			return
		}
		if times > 1 {
			last += fmt.Sprintf(" (×%d)", times)
		}
		calls = append(calls, last)
	}
	for _, e := range transcript {
		if e.Role != "tool" || e.Tool == "" {
			continue
		}
		call := e.Tool
		var args struct{ Path, Query string }
		if json.Unmarshal([]byte(e.Args), &args) == nil {
			if t := strings.TrimSpace(args.Path + " " + args.Query); t != "" {
				call += " " + t
			}
		}
		if call == last {
			times++
			continue
		}
		flush()
		last, times = call, 1
	}
	flush()
	lead := ""
	if n := len(calls); n > maxDigestCalls {
		lead = fmt.Sprintf("(the last %d of %d) ", maxDigestCalls, n)
		calls = calls[n-maxDigestCalls:]
	}
	return lead + strings.Join(calls, ", ")
}

// checkpointNote is the final comment of a checkpoint: where the run
// stopped, what it spent, where its work is and how to continue.
func (w *work) checkpointNote(ctx context.Context, pr int, sha string) string {
	spent := ""
	if micros, err := w.Store.RunCost(ctx, w.run.ID); err == nil {
		spent = ", " + policy.Money(micros).String()
	}
	out := w.state.out
	draft := ", a draft PR"
	if w.state.pr != nil && !w.state.pr.Draft {
		draft = "" // pushed to a PR that was ready already
	}
	return fmt.Sprintf("LifeOS stopped before finishing: %s.\n\nIt spent %d turns, %d tokens%s, and pushed its work so far to #%d as a checkpoint (%s%s). Comment `/lifeos retry` on #%d to continue from there: the next run starts from the branch and is told what this one tried.",
		w.state.checkpoint, out.Turns, out.TotalTokens, spent, pr, shortSHA(sha), draft, w.req.issueNumber)
}
