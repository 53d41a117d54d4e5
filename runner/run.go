package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
	"github.com/lifeos/lifeos/workspace"
)

// This file is a run's pipeline up to the agent: authorise, settle the
// issue's text, find the base, read the snapshot, load the policy, apply
// the trigger rules and the budget, and prepare the prompt. agent.go runs
// the agent; writeback.go writes its result.

// runState is what the steps of a run have learnt so far.
type runState struct {
	out             store.Outcome
	pr              *gh.Pull // the issue's open LifeOS PR, if any
	previousSummary string
	from            string // the branch the run starts from
	tip             gh.Head
	snap            *workspace.Snapshot
	pol             policy.Policy
	limits          agent.Limits
	model           string
	before          policy.Spend
	// prior is what earlier attempts of this run spent; reserved marks a
	// reservation to release at the run's end.
	prior    priorSpend
	reserved bool
	// budgetStop is the reason a monthly budget stopped the run mid-way.
	budgetStop string
	// awaitingApproval marks a rung-2 run turned into a plan.
	awaitingApproval bool
	comments         []agent.Comment
	// hasCI marks a repository with CI (ciFile says which file shows it):
	// its new PR opens as a draft. asked is who the PR's opening asked to
	// review, for the final comment.
	hasCI  bool
	ciFile string
	asked  string
	// checkpoint says where an unfinished run stopped whose changes are
	// written back as a checkpoint; "" for a finished run.
	checkpoint string
	// instructions are the repository's AGENTS.md and the like.
	instructions []agent.InstructionFile
	// issueAuthorRole is the issue opener's role when the run learnt it
	// on the way (the opener started the run, or commented); "" otherwise.
	issueAuthorRole string
	// steps are the write-back's steps recorded so far (store.StepCommit
	// and on); resumed marks a run whose earlier attempt made its commit.
	steps   map[string]string
	resumed bool
}

// step is one stage of the pipeline; done means the run has ended (its
// outcome concluded) and no later step runs.
type step func(ctx context.Context) (done bool, err error)

// do works the run through its steps. A returned error is retried by
// River (the run's row is taken over by the retry); every other end is a
// concluded outcome, stored last, after every comment.
func (w *work) do(ctx context.Context) error {
	defer w.storeOutcome(ctx)
	defer w.release(ctx)
	defer w.dropSnapshot()
	defer func() { w.progress.stop() }()
	w.adoptQueued(ctx)
	w.state.out = store.Outcome{Model: w.ModelName, Branch: w.branch()}
	if resumed, err := w.resume(ctx); resumed || err != nil {
		return err
	}
	for _, s := range []step{w.authorise, w.settleIssue, w.findBase, w.readSnapshot, w.loadRunPolicy, w.checkTrigger, w.startProgress, w.checkBudget, w.reserveBudget, w.prepare} {
		if done, err := s(ctx); done || err != nil {
			return err
		}
	}
	defer w.budgetNotices(context.WithoutCancel(ctx))
	return w.runAgent(ctx)
}

// authorise asks GitHub for the role of the person who labelled the issue
// (commands and reviews arrive with the role known).
func (w *work) authorise(ctx context.Context) (bool, error) {
	req := w.req
	if !req.checkActor {
		return false, nil
	}
	role, err := req.gh.Role(ctx, req.actor)
	if err != nil {
		return false, err
	}
	req.actorRole = role
	d := policy.CanTrigger(req.actor, role)
	w.decide(ctx, d)
	if !d.Allow {
		w.deny(ctx, d.Reason, fmt.Sprintf("LifeOS did not start: %s.", d.Reason))
		return true, nil
	}
	return false, nil
}

// settleIssue settles the task's title and body. A trigger that carries
// the issue (a label, a command on the issue, both by a user with write
// access) records its text; every other run takes the recorded text, so an
// edit made after the trigger, perhaps by someone without access, never
// reaches the prompt. An issue with no record (work asked for before this
// was kept) is read once from GitHub and recorded.
func (w *work) settleIssue(ctx context.Context) (bool, error) {
	req := w.req
	repo := req.repo.FullName()
	if req.issue == nil {
		t, err := w.Store.IssueTextOf(ctx, repo, req.issueNumber)
		if err != nil {
			return false, err
		}
		if t != nil {
			req.issue = &jobs.Issue{Number: req.issueNumber, Title: t.Title, Body: t.Body, Author: t.Author, Comments: -1}
			return false, nil
		}
		is, err := req.gh.Issue(ctx, req.issueNumber)
		if err != nil {
			return false, err
		}
		req.issue = &jobs.Issue{Number: req.issueNumber, Title: is.Title, Body: is.Body, Author: is.Author, Comments: -1}
	}
	return false, w.Store.SaveIssueText(ctx, repo, req.issueNumber, store.IssueText{
		Title: req.issue.Title, Body: req.issue.Body, Author: req.issue.Author})
}

// findBase finds where the run starts: the issue's open LifeOS PR takes
// the next commit; otherwise the default branch.
func (w *work) findBase(ctx context.Context) (bool, error) {
	st := &w.state
	pr, summary, err := w.previous(ctx)
	if err != nil {
		return false, err
	}
	st.pr, st.previousSummary, st.from = pr, summary, w.req.repo.DefaultBranch
	if pr != nil {
		st.from = w.branch()
		st.out.PRNumber = pr.Number
		if w.req.replyTo == 0 {
			w.req.replyTo = pr.Number
		}
	}
	return false, nil
}

// previous returns the open PR of this issue, if any, and the summary of
// the issue's latest run that had one. The store remembers PRs, so a first
// run costs no request here.
func (w *work) previous(ctx context.Context) (*gh.Pull, string, error) {
	runs, err := w.Store.IssueRuns(ctx, w.req.repo.FullName(), w.req.issueNumber)
	if err != nil {
		return nil, "", err
	}
	number, summary := w.req.prNumber, ""
	for _, run := range runs {
		if run.ID == w.run.ID {
			continue
		}
		if run.PRNumber > 0 && w.req.prNumber == 0 {
			number = run.PRNumber
		}
		if run.Summary != "" {
			summary = run.Summary
		}
	}
	if number == 0 {
		return nil, summary, nil
	}
	pr, err := w.req.gh.Pull(ctx, number)
	if err != nil {
		return nil, "", err
	}
	// The store records only PRs LifeOS opened; a recorded number is still
	// checked, so that no path takes another's PR for LifeOS's.
	if pr.State != "open" || !w.ownsPull(pr) {
		return nil, summary, nil
	}
	return &pr, summary, nil
}

// startProgress posts the run's progress comment, where the run will
// tell how it went: the issue, or the PR it works on. It comes once the
// trigger rules let the run go on, so that a label meant for something
// else gets no comment.
func (w *work) startProgress(ctx context.Context) (bool, error) {
	w.openProgress(ctx, "⏳ LifeOS started: reading the issue and the repository.")
	return false, nil
}

// readSnapshot downloads the repository at the run's base, once: the
// branch's tarball, whose header names the commit it holds, so the run
// knows its base without asking the branch.
func (w *work) readSnapshot(ctx context.Context) (bool, error) {
	unpack := w.unpacker()
	snap, sha, err := w.req.gh.Snapshot(ctx, w.state.from, unpack.Unpack)
	if errors.Is(err, workspace.ErrRepoTooLarge) {
		w.fail(ctx, fmt.Sprintf("the repository is larger than the %d MB LifeOS may unpack for a run", unpack.MaxBytes>>20), err)
		return true, nil
	}
	if err != nil {
		return false, err
	}
	w.state.snap, w.state.tip = snap, gh.Head{CommitSHA: sha}
	if sha == "" {
		// The archive did not name its commit: ask the branch.
		w.state.tip, err = w.req.gh.BranchHead(ctx, w.state.from)
	}
	return false, err
}

// dropSnapshot deletes the run's snapshot from disk, if it still has one.
func (w *work) dropSnapshot() {
	if w.state.snap == nil {
		return
	}
	if err := w.state.snap.Close(); err != nil {
		w.log.Warn().Err(err).Msg("Could not delete the run's snapshot")
	}
	w.state.snap = nil
}

// loadRunPolicy reads the repository's policy; a broken file ends the run
// with its problems listed.
func (w *work) loadRunPolicy(ctx context.Context) (bool, error) {
	st := &w.state
	pol, clamps, err := w.loadPolicy(ctx, w.req.gh, w.req.repo, st.snap, st.from == w.req.repo.DefaultBranch)
	var broken *brokenPolicy
	if errors.As(err, &broken) {
		w.decide(ctx, policy.Decision{Rule: "policy.file", Reason: oneLine(err.Error())})
		w.deny(ctx, err.Error(), policyProblem(err))
		return true, nil
	}
	if err != nil {
		return false, err
	}
	for _, d := range clamps {
		w.decide(ctx, d)
	}
	st.pol = pol
	return w.applyRecipe(ctx)
}

// checkTrigger applies the policy's trigger rules: the label the
// repository asked for, the minimum permission and the allowlists.
func (w *work) checkTrigger(ctx context.Context) (bool, error) {
	req, pol := w.req, w.state.pol
	if d := policy.LabelDecision(pol.TriggerLabel, w.Ceilings); !d.Allow {
		w.decide(ctx, d) // the policy's label is unreachable: say so, whatever started the run
		w.deny(ctx, d.Reason, fmt.Sprintf("LifeOS did not start: %s.", d.Reason))
		return true, nil
	}
	if req.trigger == "label" && req.label != pol.TriggerLabel {
		d := policy.Decision{Rule: "trigger.label", Reason: fmt.Sprintf("this repository's trigger label is %q, not %q", pol.TriggerLabel, req.label)}
		w.decide(ctx, d)
		w.deny(ctx, d.Reason, "") // another lifeos: label: nothing to say
		return true, nil
	}
	if req.actorRole == "" {
		return false, nil // not started by a person (CI)
	}
	var teams []string
	if len(pol.Teams) > 0 {
		var err error
		if teams, err = req.gh.TeamsOf(ctx, pol.Teams, req.actor); err != nil {
			w.log.Warn().Err(err).Msg("Could not read team memberships")
		}
	}
	d := policy.CanTriggerWith(pol, req.actor, req.actorRole, teams)
	w.decide(ctx, d)
	if !d.Allow {
		w.deny(ctx, d.Reason, fmt.Sprintf("LifeOS did not start: %s.", d.Reason))
		return true, nil
	}
	return false, nil
}

// maxDuration is the agent's wall-clock limit: the smaller of the
// runner's and the policy's (minutes; 0 for none), and always short of
// the job's timeout less the write-back, so that the agent stops cleanly
// and the run fails with its comment before the job is cut off.
func (w *work) maxDuration(runner time.Duration, minutes int) time.Duration {
	d := runner
	if p := time.Duration(minutes) * time.Minute; p > 0 && (d <= 0 || p < d) {
		d = p
	}
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = DefaultRunTimeout
	}
	if room := timeout - writeBackTimeout; room > 0 && (d <= 0 || d > room) {
		d = room
	}
	return d
}

// prepare settles the run's limits, whether it only plans, and the trusted
// comments that join the prompt.
func (w *work) prepare(ctx context.Context) (bool, error) {
	req, st := w.req, &w.state
	st.limits = w.Limits
	if st.pol.MaxTurns > 0 && (st.limits.MaxTurns == 0 || st.pol.MaxTurns < st.limits.MaxTurns) {
		st.limits.MaxTurns = st.pol.MaxTurns
	}
	st.limits.MaxDuration = w.maxDuration(st.limits.MaxDuration, st.pol.MaxMinutes)
	// Rung 2: a person's request gets a plan first; code follows only
	// after /lifeos approve.
	if policy.NeedsPlanApproval(st.pol) && !req.planOnly && (req.trigger == "label" || req.trigger == "retry" || req.trigger == TriggerTerminal) {
		req.planOnly, st.awaitingApproval = true, true
		w.decide(ctx, policy.Decision{Allow: true, Rule: "autonomy", Reason: "rung 2: the agent posts a plan; code follows /lifeos approve"})
	}
	t := newTrust(req.gh, req.actor, req.actorRole)
	comments, err := w.trustedComments(ctx, t)
	if err != nil {
		return false, err
	}
	st.comments = append(comments, req.comments...)
	st.issueAuthorRole = t.known(req.issue.Author)
	st.instructions = w.repoInstructions(ctx)
	return false, nil
}

// repoInstructions reads the repository's instructions for agents
// (policy.InstructionFiles) from its default branch: from the snapshot
// when the run starts there, at no cost, otherwise from GitHub, best
// effort (a file that cannot be read is left out and logged).
func (w *work) repoInstructions(ctx context.Context) []agent.InstructionFile {
	var out []agent.InstructionFile
	onDefault := w.state.from == w.req.repo.DefaultBranch
	for _, p := range policy.InstructionFiles() {
		var data []byte
		if onDefault {
			data, _ = w.state.snap.File(p)
		} else {
			var err error
			if data, err = w.req.gh.File(ctx, p, w.req.repo.DefaultBranch); err != nil {
				w.log.Warn().Err(err).Str("path", p).Msg("Could not read the repository's instructions")
				continue
			}
		}
		if len(data) > 0 {
			out = append(out, agent.InstructionFile{Path: p, Text: string(data)})
		}
	}
	return out
}

// trustedComments returns the issue's comments by users with write access:
// only their words reach the prompt.
func (w *work) trustedComments(ctx context.Context, t *trust) ([]agent.Comment, error) {
	req := w.req
	if req.issue != nil && req.issue.Comments == 0 {
		return nil, nil // the trigger's payload says there are none
	}
	cs, err := req.gh.IssueComments(ctx, req.issueNumber)
	if err != nil {
		return nil, err
	}
	return t.filter(ctx, cs)
}
