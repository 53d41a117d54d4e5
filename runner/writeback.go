package runner

import (
	"context"
	"errors"
	"fmt"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/secrets"
	"github.com/lifeos/lifeos/store"
)

// writeBack guards the change one last time and writes it: one commit, on
// the open PR's branch or on a new branch with a new PR.
func (w *work) writeBack(ctx context.Context, res *agent.Result) error {
	// The last guard: nothing that breaks the policy is pushed, whatever
	// path the agent took to finish.
	stats := changeStats(w.state.snap, res.Changes)
	vs := guardChanges(w.state.pol, w.state.snap, res.Changes, w.OwnSecrets)
	// The snapshot (the whole repository) is not needed past here: let the
	// collector have it before the writes, which ten runs may do at once.
	w.state.snap = nil
	if len(vs) > 0 {
		w.fail(ctx, "its change broke the repository's policy:\n\n"+policy.FormatViolations(vs), errors.New("policy violations"))
		return nil
	}
	// From here the run writes to GitHub: neither a shutdown nor a stop
	// interrupts the writes, so a branch never points at half a result.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeBackTimeout)
	defer cancel()
	sha, err := w.req.gh.Commit(ctx, w.state.tip, res.Changes, commitMessage(w.req.issue.Title, w.req.issueNumber, w.req.trigger, res.Summary))
	if err != nil {
		w.fail(ctx, githubFailed("creating the commit", err), err)
		return nil
	}
	w.state.out.CommitSHA = sha
	// Before the branch moves: an auto-merge trusts only recorded commits,
	// so a commit that could not be recorded is merged by a human.
	if err := w.Store.RecordCommit(ctx, w.req.repo.FullName(), sha, w.run.ID); err != nil {
		w.log.Error().Err(err).Str("sha", sha).Msg("Could not record the run's commit")
	}
	w.recordChanges(ctx, stats)
	if w.state.pr != nil {
		w.pushToPR(ctx, sha, res)
		return nil
	}
	w.openNewPR(ctx, sha, res)
	return nil
}

func (w *work) recordChanges(ctx context.Context, stats []policy.ChangeStat) {
	recorded := make([]store.FileChange, 0, len(stats))
	for _, st := range stats {
		recorded = append(recorded, store.FileChange{Path: st.Path, Deleted: st.Delete, Added: st.Added, Removed: st.Removed, Bytes: st.Bytes})
	}
	if err := w.Store.RecordChanges(ctx, w.run.ID, recorded); err != nil {
		w.log.Error().Err(err).Msg("Could not record the run's changes")
	}
}

// pushToPR moves the open PR's branch to the new commit, fast-forward only.
func (w *work) pushToPR(ctx context.Context, sha string, res *agent.Result) {
	branch, pr := names.Branch(w.req.issueNumber), w.state.pr
	if err := w.req.gh.MoveBranch(ctx, branch, sha, false); err != nil {
		why := githubFailed(fmt.Sprintf("moving the branch `%s`", branch), err)
		if errors.Is(err, gh.ErrBranchMoved) {
			why = fmt.Sprintf("the branch `%s` gained commits while LifeOS worked; ask again to retry on top of them", branch)
		}
		w.fail(ctx, why, err)
		return
	}
	out := w.state.out
	out.Status = store.StatusSucceeded
	w.conclude(out)
	w.logSuccess(ctx, pr.Number, sha, res)
	w.tell(ctx, fmt.Sprintf("LifeOS pushed %s to #%d.\n\n%s", sha[:7], pr.Number, quote(res.Summary)))
}

// openNewPR writes the issue's branch and opens its PR.
func (w *work) openNewPR(ctx context.Context, sha string, res *agent.Result) {
	branch := names.Branch(w.req.issueNumber)
	if err := w.pushNewBranch(ctx, branch, sha); err != nil {
		why := githubFailed(fmt.Sprintf("writing the branch `%s`", branch), err)
		if errors.Is(err, gh.ErrBranchExists) {
			why = fmt.Sprintf("the branch `%s` already has an open pull request LifeOS has no record of", branch)
		}
		w.fail(ctx, why, err)
		return
	}
	pr, err := w.req.gh.CreatePull(ctx, gh.NewPull{Title: w.req.issue.Title, Head: branch, Base: w.req.repo.DefaultBranch,
		Body: prBody(w.req.issueNumber, w.run.ID, res)})
	if err != nil {
		w.fail(ctx, githubFailed("opening the pull request", err), err)
		return
	}
	out := w.state.out
	out.PRNumber, out.Status = pr.Number, store.StatusSucceeded
	w.conclude(out)
	w.logSuccess(ctx, pr.Number, sha, res)
	w.tell(ctx, fmt.Sprintf("LifeOS opened #%d for this issue.\n\n%s", pr.Number, quote(res.Summary)))
}

// pushNewBranch creates the issue's branch at sha. A leftover branch of an
// earlier, closed attempt is overwritten; one with an open PR LifeOS has no
// record of is left alone.
func (w *work) pushNewBranch(ctx context.Context, branch, sha string) error {
	g := w.req.gh
	err := g.CreateBranch(ctx, branch, sha)
	if !errors.Is(err, gh.ErrBranchExists) {
		return err
	}
	open, err := g.OpenPull(ctx, branch, w.req.repo.DefaultBranch)
	if err != nil {
		return err
	}
	if open != nil {
		return fmt.Errorf("branch %s already has open pull request #%d that LifeOS did not record: %w", branch, open.Number, gh.ErrBranchExists)
	}
	w.log.Info().Str("branch", branch).Msg("Overwriting a stale branch with no open pull request")
	return g.MoveBranch(ctx, branch, sha, true)
}

// openProposals opens the agent's proposed follow-up issues, best effort.
func (w *work) openProposals(ctx context.Context, proposals []agent.Proposal) {
	for _, p := range proposals {
		title := secrets.Redact(p.Title)
		body := fmt.Sprintf("%s\n\n<sub>Proposed by LifeOS in run %d while working on #%d. Add the `%s` label to have LifeOS do it, or close it.</sub>",
			p.Body, w.run.ID, w.req.issueNumber, w.state.pol.TriggerLabel)
		number, err := w.req.gh.CreateIssue(ctx, title, secrets.Scrub(body), []string{names.ProposalLabel})
		if err != nil {
			w.log.Error().Err(err).Str("title", title).Msg("Could not open a proposed issue")
			continue
		}
		w.decide(ctx, policy.Decision{Allow: true, Rule: "autonomy", Reason: fmt.Sprintf("rung 4: proposed #%d %q", number, title)})
	}
}

// logSuccess writes the run's success line: the PR, the commit, the
// tokens and what the run cost.
func (w *work) logSuccess(ctx context.Context, pr int, sha string, res *agent.Result) {
	ev := w.log.Info().Int("pr", pr).Str("commit", sha).Int64("tokens", res.Tokens)
	if micros, err := w.Store.RunCost(ctx, w.run.ID); err == nil {
		ev = ev.Str("cost", policy.Money(micros).String())
	}
	ev.Msgf("Run succeeded: #%d at %s", pr, shortSHA(sha))
}
