package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/commands"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// command answers a /lifeos command. Its first pass asks GitHub who sent
// it and acknowledges it (ack); a command that waits for the issue's run
// and is woken later reads what the first pass learnt from the store, so
// waiting costs GitHub nothing.
func (r *Runner) command(ctx context.Context, jobID int64, j jobs.Command) error {
	d, repo := j.Meta()
	ctx = zerolog.Ctx(ctx).With().Int("number", j.Number).Str("sender", j.Sender).Logger().WithContext(ctx)
	g, err := r.GitHub(repo)
	if err != nil {
		return err
	}
	ack, err := r.Store.AckOf(ctx, d.ID)
	if err != nil {
		return err
	}
	if ack == nil {
		if ack, err = r.ack(ctx, g, j); err != nil || ack == nil {
			return err
		}
	}
	c := &commandRun{r: r, g: g, jobID: jobID, job: j, ack: ack}
	return c.do(ctx)
}

// ack is a command's first pass: only users with write access command
// LifeOS (others get no run and no reply: a reply would let anyone make
// the App talk); an accepted command gets 👀 at once, and on a PR the
// issue it works on is found. It returns nil when the command ends here.
func (r *Runner) ack(ctx context.Context, g GitHub, j jobs.Command) (*store.Ack, error) {
	role, err := g.Role(ctx, j.Sender)
	if err != nil {
		return nil, err
	}
	decision := policy.CanTrigger(j.Sender, role)
	audit(*zerolog.Ctx(ctx), decision)
	if !decision.Allow {
		return nil, nil
	}
	if j.Verb == "" {
		tell(ctx, g, j.Number, j.Reply)
		return nil, nil
	}
	if err := g.React(ctx, j.CommentID, "eyes"); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Could not react to the command")
	}
	ack := &store.Ack{DeliveryID: j.Delivery.ID, Role: role, Issue: j.Number}
	if j.OnPR {
		pr, err := g.Pull(ctx, j.Number)
		if err != nil {
			return nil, err
		}
		_, repo := j.Meta()
		if ack.Issue, _ = r.ownPull(repo, pr); ack.Issue == 0 {
			tell(ctx, g, j.Number, fmt.Sprintf("LifeOS only works on its own pull requests (branches `%sN`). Label an issue `%s` to start one.",
				names.BranchPrefix, r.triggerLabel()))
			return nil, nil
		}
		ack.PR = j.Number
	}
	if err := r.Store.RecordAck(ctx, *ack); err != nil {
		return nil, err
	}
	return ack, nil
}

// commandRun is one acknowledged command.
type commandRun struct {
	r     *Runner
	g     GitHub
	jobID int64
	job   jobs.Command
	ack   *store.Ack
}

func (c *commandRun) do(ctx context.Context) error {
	r, j := c.r, c.job
	_, repo := j.Meta()
	switch commands.Verb(j.Verb) {
	case commands.Help:
		tell(ctx, c.g, j.Number, commands.HelpText())
	case commands.Status:
		tell(ctx, c.g, j.Number, r.status(ctx, repo.FullName(), c.ack.Issue))
	case commands.Stop:
		tell(ctx, c.g, j.Number, r.stop(ctx, repo.FullName(), c.ack.Issue, j.Sender))
	case commands.Approve:
		return c.approve(ctx)
	case commands.Retry, commands.Plan:
		return c.retry(ctx)
	case commands.Revert:
		return c.revert(ctx)
	default:
		return fmt.Errorf("command %q has no handler", j.Verb)
	}
	return nil
}

// request is the run the command asks for.
func (c *commandRun) request(trigger string) *request {
	d, repo := c.job.Meta()
	return &request{
		jobID: c.jobID, delivery: d, repo: repo, gh: c.g,
		trigger: trigger, actor: c.job.Sender, actorRole: c.ack.Role,
		issueNumber: c.ack.Issue, prNumber: c.ack.PR, replyTo: c.job.Number, waitTurn: true,
	}
}

// approve carries out the plan waiting for approval.
func (c *commandRun) approve(ctx context.Context) error {
	_, repo := c.job.Meta()
	if wait, err := c.r.waitForTurn(ctx, c.jobID, repo.FullName(), c.ack.Issue); err != nil || wait {
		return waitErr(err)
	}
	latest, err := c.r.Store.LatestRun(ctx, repo.FullName(), c.ack.Issue)
	if err != nil {
		return err
	}
	if latest == nil || latest.Status != store.StatusPlanned || latest.Summary == "" {
		tell(ctx, c.g, c.job.Number, "There is no plan waiting for approval here. `/lifeos plan` asks for one.")
		return nil
	}
	req := c.request("approve")
	req.instructions = fmt.Sprintf("@%s approved this plan (run %d). Carry it out:\n\n%s", c.job.Sender, latest.ID, latest.Summary)
	return c.r.code(ctx, req)
}

// retry runs again (or plans), steered by the command's instructions and,
// on a PR, its trusted review comments.
func (c *commandRun) retry(ctx context.Context) error {
	_, repo := c.job.Meta()
	if wait, err := c.r.waitForTurn(ctx, c.jobID, repo.FullName(), c.ack.Issue); err != nil || wait {
		return waitErr(err)
	}
	req := c.request(c.job.Verb)
	req.instructions, req.planOnly, req.issue = c.job.Instructions, c.job.Verb == string(commands.Plan), c.job.Issue
	if c.ack.PR > 0 {
		cs, err := c.g.ReviewComments(ctx, c.ack.PR, 0)
		if err != nil {
			return err
		}
		if req.comments, err = newTrust(c.g, c.job.Sender, c.ack.Role).filter(ctx, cs); err != nil {
			return err
		}
	}
	return c.r.code(ctx, req)
}

// status describes the issue's current or last run.
func (r *Runner) status(ctx context.Context, repo string, issue int) string {
	run, err := r.Store.LatestRun(ctx, repo, issue)
	if err != nil {
		return "LifeOS could not read its records just now; try again."
	}
	if run == nil {
		return fmt.Sprintf("LifeOS has not run on #%d yet. Label it `%s` to start.", issue, r.triggerLabel())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**LifeOS run %d** (%s): **%s**, %d turns, %d tokens", run.ID, startedBy(run), run.Status, run.Turns, run.TotalTokens)
	if run.Status == store.StatusRunning {
		if calls, err := r.Store.ModelCalls(ctx, run.ID); err == nil {
			var tokens int64
			for _, c := range calls {
				tokens += c.TotalTokens
			}
			b.Reset()
			fmt.Fprintf(&b, "**LifeOS run %d** (%s): **running** for %s, %d model calls so far, %d tokens",
				run.ID, startedBy(run), r.now().Sub(run.CreatedAt).Round(time.Second), len(calls), tokens)
		}
	}
	if run.PRNumber > 0 {
		fmt.Fprintf(&b, ", PR #%d", run.PRNumber)
	}
	if run.CommitSHA != "" {
		fmt.Fprintf(&b, ", commit %s", run.CommitSHA[:min(7, len(run.CommitSHA))])
	}
	b.WriteString(".")
	if run.Error != "" {
		fmt.Fprintf(&b, "\n\n> %s", oneLine(run.Error))
	}
	return b.String()
}

// startedBy says what started a run: "label by @alice", or "ci" for a run
// no person started.
func startedBy(run *store.Run) string {
	if run.Actor == "" {
		return run.Trigger
	}
	return run.Trigger + " by @" + run.Actor
}

// stop asks the issue's active run to stop.
func (r *Runner) stop(ctx context.Context, repo string, issue int, actor string) string {
	run, err := r.Store.ActiveRun(ctx, repo, issue)
	if err != nil {
		return "LifeOS could not read its records just now; try again."
	}
	if run == nil {
		return "Nothing is running here; there is nothing to stop."
	}
	if err := r.Store.RequestCancel(ctx, run.ID, actor); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not record the stop")
		return "LifeOS could not record the stop just now; try again."
	}
	live, err := r.Store.JobRunning(ctx, run.JobID)
	if err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not tell whether the run's job is being worked")
		live = true // the recorded stop still reaches it
	}
	if !live {
		return r.stopOrphan(ctx, run, actor)
	}
	r.stopLocal(run.ID)
	return fmt.Sprintf("Stopping run %d. It will push nothing it has not already pushed.", run.ID)
}

// stopOrphan finishes at once, as cancelled, a run no process is working
// on (its job waits for a retry, or is gone): nothing else would.
func (r *Runner) stopOrphan(ctx context.Context, run *store.Run, actor string) string {
	ended, err := r.Store.EndRun(ctx, run.ID, store.StatusCancelled, "stopped by @"+actor+" while no process was working on it")
	if err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not end the run")
		return "LifeOS could not record the stop just now; try again."
	}
	if !ended {
		return fmt.Sprintf("Run %d has already ended.", run.ID)
	}
	r.runEnded(run, store.StatusCancelled)
	r.wakeWaiters(ctx, run.Repo, run.IssueNumber)
	return fmt.Sprintf("Stopped run %d: no process was working on it, so it ends here. Label the issue `%s` again, or comment `/lifeos retry`, to start afresh.",
		run.ID, r.triggerLabel())
}
