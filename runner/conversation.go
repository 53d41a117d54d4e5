package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v89/github"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/commands"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// onComment answers a /lifeos command in an issue or PR comment.
func (r *Runner) onComment(ctx context.Context, j job) error {
	var ev github.IssueCommentEvent
	if err := decode(j, &ev); err != nil {
		return err
	}
	sender := ev.GetSender()
	if ev.GetAction() != "created" || sender.GetType() == "Bot" || sender.GetLogin() == r.AppSlug+"[bot]" {
		return nil
	}
	parsed := commands.Parse(ev.GetComment().GetBody())
	if parsed.Command == nil && parsed.Reply == "" {
		return nil
	}
	repo := repoRef{Owner: ev.GetRepo().GetOwner().GetLogin(), Name: ev.GetRepo().GetName()}
	number := ev.GetIssue().GetNumber()
	log := zerolog.Ctx(ctx).With().Int("number", number).Str("sender", sender.GetLogin()).Logger()
	ctx = log.WithContext(ctx)
	gh, err := r.Clients.NewInstallationClient(j.args.InstallationID)
	if err != nil {
		return fmt.Errorf("installation client %d: %w", j.args.InstallationID, err)
	}
	ack, err := r.Store.AckOf(ctx, j.args.DeliveryID)
	if err != nil {
		return err
	}
	if ack == nil {
		// The first pass asks GitHub; a command woken after waiting its
		// turn reads what it learned from the store.
		if ack, err = r.ackCommand(ctx, gh, j, &ev, parsed, repo); err != nil || ack == nil {
			return err
		}
	}
	senderRole, issueNumber, prNumber := ack.Role, ack.Issue, ack.PR

	cmd := parsed.Command
	switch cmd.Verb {
	case commands.Help:
		r.tell(ctx, gh, repo, number, commands.HelpText())
		return nil
	case commands.Status:
		r.tell(ctx, gh, repo, number, r.status(ctx, repo, issueNumber))
		return nil
	case commands.Stop:
		r.tell(ctx, gh, repo, number, r.stop(ctx, repo, issueNumber, sender.GetLogin()))
		return nil
	case commands.Approve:
		if wait, err := r.waitForTurn(ctx, j, repo, issueNumber); err != nil || wait {
			return waitErr(err)
		}
		latest, err := r.Store.LatestRun(ctx, repo.String(), issueNumber)
		if err != nil {
			return err
		}
		if latest == nil || latest.Status != store.StatusPlanned || latest.Summary == "" {
			r.tell(ctx, gh, repo, number, "There is no plan waiting for approval here. `/lifeos plan` asks for one.")
			return nil
		}
		return r.code(ctx, &request{
			job: j, trigger: "approve", actor: sender.GetLogin(), actorRole: senderRole, gh: gh,
			repo: repo, defaultBranch: ev.GetRepo().GetDefaultBranch(),
			issueNumber: issueNumber, prNumber: prNumber, replyTo: number, waitTurn: true,
			instructions: fmt.Sprintf("@%s approved this plan (run %d). Carry it out:\n\n%s", sender.GetLogin(), latest.ID, latest.Summary),
		})
	case commands.Retry, commands.Plan:
		if wait, err := r.waitForTurn(ctx, j, repo, issueNumber); err != nil || wait {
			return waitErr(err)
		}
		trigger := string(cmd.Verb)
		req := &request{
			job: j, trigger: trigger, actor: sender.GetLogin(), actorRole: senderRole, gh: gh,
			repo: repo, defaultBranch: ev.GetRepo().GetDefaultBranch(),
			issueNumber: issueNumber, prNumber: prNumber, replyTo: number,
			instructions: cmd.Instructions, planOnly: cmd.Verb == commands.Plan, waitTurn: true,
		}
		if !ev.GetIssue().IsPullRequest() {
			req.issue = ev.GetIssue()
		}
		if prNumber > 0 {
			// The PR's review comments from trusted users steer the retry.
			if req.comments, err = r.reviewComments(ctx, gh, repo, prNumber, 0, newTrust(gh, repo, sender.GetLogin(), senderRole)); err != nil {
				return err
			}
		}
		return r.code(ctx, req)
	default:
		return fmt.Errorf("command %q has no handler", cmd.Verb)
	}
}

// ackCommand is a command's first pass: only users with write access
// command LifeOS (others get no run and no reply: a reply would let anyone
// make the App talk); an accepted command gets 👀 at once, and on a PR the
// issue it works on is found. It returns nil when the command ends here.
func (r *Runner) ackCommand(ctx context.Context, gh *github.Client, j job, ev *github.IssueCommentEvent, parsed commands.Parsed, repo repoRef) (*store.Ack, error) {
	sender, number := ev.GetSender(), ev.GetIssue().GetNumber()
	senderRole, err := role(ctx, gh, repo, sender.GetLogin())
	if err != nil {
		return nil, err
	}
	decision := policy.CanTrigger(sender.GetLogin(), senderRole)
	audit(*zerolog.Ctx(ctx), decision)
	if !decision.Allow {
		return nil, nil
	}
	if parsed.Command == nil {
		r.tell(ctx, gh, repo, number, parsed.Reply)
		return nil, nil
	}
	if _, _, err := gh.Reactions.CreateIssueCommentReaction(ctx, repo.Owner, repo.Name, ev.GetComment().GetID(), "eyes"); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Could not react to the command")
	}
	ack := &store.Ack{DeliveryID: j.args.DeliveryID, Role: senderRole, Issue: number}
	if ev.GetIssue().IsPullRequest() {
		pr, _, err := gh.PullRequests.Get(ctx, repo.Owner, repo.Name, number)
		if err != nil {
			return nil, fmt.Errorf("get pull request %s#%d: %w", repo, number, err)
		}
		if ack.Issue = names.IssueOfBranch(pr.GetHead().GetRef()); ack.Issue == 0 {
			r.tell(ctx, gh, repo, number, "LifeOS only works on its own pull requests (branches `lifeos/issue-N`). Label an issue `lifeos:do` to start one.")
			return nil, nil
		}
		ack.PR = number
	}
	if err := r.Store.RecordAck(ctx, *ack); err != nil {
		return nil, err
	}
	return ack, nil
}

// status describes the issue's current or last run.
func (r *Runner) status(ctx context.Context, repo repoRef, issue int) string {
	run, err := r.Store.LatestRun(ctx, repo.String(), issue)
	if err != nil {
		return "LifeOS could not read its records just now; try again."
	}
	if run == nil {
		return fmt.Sprintf("LifeOS has not run on #%d yet. Label it `lifeos:do` to start.", issue)
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
				run.ID, startedBy(run), time.Since(run.CreatedAt).Round(time.Second), len(calls), tokens)
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
func (r *Runner) stop(ctx context.Context, repo repoRef, issue int, actor string) string {
	run, err := r.Store.ActiveRun(ctx, repo.String(), issue)
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
	r.stopLocal(run.ID)
	return fmt.Sprintf("Stopping run %d. It will push nothing it has not already pushed.", run.ID)
}

// reviewComments returns a PR's inline review comments by trusted users
// (all of the PR's, or one review's when reviewID is set).
func (r *Runner) reviewComments(ctx context.Context, gh *github.Client, repo repoRef, pr int, reviewID int64, t *trust) ([]agent.Comment, error) {
	var cs []*github.PullRequestComment
	var err error
	if reviewID != 0 {
		cs, _, err = gh.PullRequests.ListReviewComments(ctx, repo.Owner, repo.Name, pr, reviewID, &github.ListOptions{PerPage: 100})
	} else {
		cs, _, err = gh.PullRequests.ListComments(ctx, repo.Owner, repo.Name, pr, &github.PullRequestListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}})
	}
	if err != nil {
		return nil, fmt.Errorf("list review comments of %s#%d: %w", repo, pr, err)
	}
	var out []agent.Comment
	for _, c := range cs {
		ok, err := t.user(ctx, c.GetUser())
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		line := c.GetLine()
		if line == 0 {
			line = c.GetOriginalLine()
		}
		out = append(out, agent.Comment{Author: c.GetUser().GetLogin(), Body: c.GetBody(), Path: c.GetPath(), Line: line})
	}
	return out, nil
}

// onReview starts a revision when a trusted user requests changes on a
// LifeOS PR. Approvals and plain comments start nothing.
func (r *Runner) onReview(ctx context.Context, j job) error {
	var ev github.PullRequestReviewEvent
	if err := decode(j, &ev); err != nil {
		return err
	}
	review, pr := ev.GetReview(), ev.GetPullRequest()
	issue := names.IssueOfBranch(pr.GetHead().GetRef())
	if ev.GetAction() != "submitted" || !strings.EqualFold(review.GetState(), "changes_requested") || issue == 0 ||
		review.GetUser().GetType() == "Bot" {
		return nil
	}
	repo := repoRef{Owner: ev.GetRepo().GetOwner().GetLogin(), Name: ev.GetRepo().GetName()}
	gh, err := r.Clients.NewInstallationClient(j.args.InstallationID)
	if err != nil {
		return fmt.Errorf("installation client %d: %w", j.args.InstallationID, err)
	}
	reviewer := review.GetUser().GetLogin()
	t := newTrust(gh, repo, "", "")
	ok, err := t.user(ctx, review.GetUser())
	if err != nil {
		return err
	}
	audit(*zerolog.Ctx(ctx), policy.Decision{Allow: ok, Rule: "review.trusted", Reason: "@" + reviewer + " requested changes"})
	if !ok {
		return nil
	}
	comments, err := r.reviewComments(ctx, gh, repo, pr.GetNumber(), review.GetID(), t)
	if err != nil {
		return err
	}
	instructions := "A reviewer requested changes on the pull request. Revise the change to address the review."
	if body := strings.TrimSpace(review.GetBody()); body != "" {
		instructions += "\n\nReview by @" + reviewer + ":\n" + body
	}
	return r.code(ctx, &request{
		job: j, trigger: "review", actor: reviewer, actorRole: t.roles[reviewer], gh: gh,
		repo: repo, defaultBranch: ev.GetRepo().GetDefaultBranch(),
		issueNumber: issue, prNumber: pr.GetNumber(), replyTo: pr.GetNumber(),
		instructions: instructions, comments: comments, waitTurn: true,
	})
}

// onClosed records how a LifeOS PR ended, tells the issue, and deletes the
// branch when so configured.
func (r *Runner) onClosed(ctx context.Context, j job) error {
	var ev github.PullRequestEvent
	if err := decode(j, &ev); err != nil {
		return err
	}
	pr := ev.GetPullRequest()
	issue := names.IssueOfBranch(pr.GetHead().GetRef())
	if ev.GetAction() != "closed" || issue == 0 || pr.GetUser().GetLogin() != r.AppSlug+"[bot]" {
		return nil
	}
	repo := repoRef{Owner: ev.GetRepo().GetOwner().GetLogin(), Name: ev.GetRepo().GetName()}
	outcome := store.OutcomeRejected
	if pr.GetMerged() {
		outcome = store.OutcomeMerged
	}
	fresh, err := r.Store.RecordOutcome(ctx, store.PROutcome{Repo: repo.String(), PR: pr.GetNumber(), Issue: issue,
		Outcome: outcome, Actor: ev.GetSender().GetLogin()})
	if err != nil {
		return err
	}
	if !fresh {
		return nil // a redelivery
	}
	zerolog.Ctx(ctx).Info().Str("outcome", outcome).Int("pr", pr.GetNumber()).Msg("LifeOS PR closed")
	gh, err := r.Clients.NewInstallationClient(j.args.InstallationID)
	if err != nil {
		return fmt.Errorf("installation client %d: %w", j.args.InstallationID, err)
	}
	if r.DeleteBranches && r.policyDeletesBranches(ctx, gh, repo, ev.GetRepo().GetDefaultBranch(), issue) {
		if _, err := gh.Git.DeleteRef(ctx, repo.Owner, repo.Name, "heads/"+pr.GetHead().GetRef()); err != nil {
			var ghErr *github.ErrorResponse
			if !errors.As(err, &ghErr) || ghErr.Response.StatusCode != 422 {
				zerolog.Ctx(ctx).Warn().Err(err).Msg("Could not delete the branch")
			}
		}
	}
	line := fmt.Sprintf("LifeOS's #%d was merged by @%s.", pr.GetNumber(), ev.GetSender().GetLogin())
	if outcome == store.OutcomeRejected {
		line = fmt.Sprintf("LifeOS's #%d was closed without merging by @%s.", pr.GetNumber(), ev.GetSender().GetLogin())
	}
	r.tell(ctx, gh, repo, issue, line)
	return nil
}

// policyDeletesBranches reads the repository's branch.delete_after_close;
// with no usable policy the server's setting stands.
func (r *Runner) policyDeletesBranches(ctx context.Context, gh *github.Client, repo repoRef, defaultBranch string, issue int) bool {
	_, pol, err := r.policyOutsideRun(ctx, gh, repo, defaultBranch, issue)
	if err != nil {
		return true
	}
	return pol.DeleteBranchAfterClose
}
