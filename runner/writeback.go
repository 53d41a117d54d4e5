package runner

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/gh"
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
	w.state.hasCI, w.state.ciFile = policy.HasCI(w.state.snap.Paths())
	readErr := w.state.snap.Err()
	// The snapshot (the whole repository) is not needed past here: delete
	// it before the writes, which ten runs may do at once.
	w.dropSnapshot()
	if readErr != nil {
		return fmt.Errorf("snapshot of the repository: %w", readErr)
	}
	if len(vs) > 0 {
		w.fail(ctx, "its change broke the repository's policy:\n\n"+policy.FormatViolations(vs), errors.New("policy violations"))
		return nil
	}
	// From here the run writes to GitHub: neither a shutdown nor a stop
	// interrupts the writes, so a branch never points at half a result.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeBackTimeout)
	defer cancel()
	// Before the commit: a retry that adopts it reads them back.
	w.recordChanges(ctx, stats)
	w.saveProgress(ctx)
	msg := w.commitMessage(res.Summary)
	sha, done, err := w.commit(ctx, res.Changes, msg)
	if done || err != nil {
		return err
	}
	w.recordCommit(ctx, sha)
	w.openProgress(ctx, fmt.Sprintf("⏳ LifeOS committed %s and is pushing it.", shortSHA(sha)))
	paths := make([]string, 0, len(res.Changes))
	for _, c := range res.Changes {
		paths = append(paths, c.Path)
	}
	return w.publish(ctx, written{sha: sha, summary: res.Summary, turns: res.Turns, tokens: res.Tokens, files: len(res.Changes), paths: paths})
}

// recordCommit records the run's commit. An auto-merge trusts only
// recorded commits, so a commit that could not be recorded is merged by a
// human.
func (w *work) recordCommit(ctx context.Context, sha string) {
	w.state.out.CommitSHA = sha
	if err := w.Store.RecordCommit(ctx, w.req.repo.FullName(), sha, w.run.ID); err != nil {
		w.log.Error().Err(err).Str("sha", sha).Msg("Could not record the run's commit")
	}
	w.saveProgress(ctx)
	w.recordStep(ctx, store.StepCommit, sha)
}

// written is a run's commit and what its PR and comments say of it.
type written struct {
	sha     string
	summary string
	turns   int
	tokens  int64
	files   int
	paths   []string
}

// changedPaths are the paths a commit changed.
func changedPaths(wr written) []string { return wr.paths }

// person is who started the run, "" when no person did (CI, a schedule).
func (w *work) person() string {
	if unattended(w.req.trigger) {
		return ""
	}
	return w.req.actor
}

// publish points a branch at the run's commit and tells of it: the open
// PR's branch moves, or a new branch gets a new PR. Each write is recorded
// as a step when it lands and skipped when a step records it already, so a
// retry of the job carries on where its run stopped. A GitHub error is
// returned for that retry.
func (w *work) publish(ctx context.Context, wr written) error {
	w.reportCheck(ctx, wr)
	if w.state.pr != nil {
		w.recordStep(ctx, store.StepOnto, strconv.Itoa(w.state.pr.Number))
		return w.pushToPR(ctx, wr)
	}
	return w.openNewPR(ctx, wr)
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

// recordStep records that a step of the write-back landed, best effort: a
// step left unrecorded is looked for on GitHub by the retry.
func (w *work) recordStep(ctx context.Context, step, value string) {
	if w.state.steps == nil {
		w.state.steps = map[string]string{}
	}
	w.state.steps[step] = value
	if err := w.Store.RecordStep(ctx, w.run.ID, step, value); err != nil {
		w.log.Error().Err(err).Str("step", step).Msg("Could not record a step of the run")
	}
}

// saveProgress stores the outcome so far on the running run, best effort,
// so that a retry (or a relabel) knows the run's commit, PR and summary.
func (w *work) saveProgress(ctx context.Context) {
	if err := w.Store.SaveProgress(ctx, w.run.ID, w.state.out); err != nil {
		w.log.Error().Err(err).Msg("Could not save the run's progress")
	}
}

// pushToPR moves the open PR's branch to the new commit, fast-forward only.
func (w *work) pushToPR(ctx context.Context, wr written) error {
	branch, pr := w.branch(), w.state.pr
	if w.state.steps[store.StepRef] == "" {
		err := w.req.gh.MoveBranch(ctx, branch, wr.sha, false)
		if errors.Is(err, gh.ErrBranchMoved) {
			w.fail(ctx, fmt.Sprintf("the branch `%s` gained commits while LifeOS worked; ask again to retry on top of them", branch), err)
			return nil
		}
		if err != nil {
			return fmt.Errorf("move branch %s to %s: %w", branch, wr.sha, err)
		}
		w.recordStep(ctx, store.StepRef, branch)
	}
	if w.state.checkpoint != "" {
		return w.announce(ctx, "checkpoint", w.checkpointNote(ctx, pr.Number, wr.sha))
	}
	return w.announce(ctx, "pushed", fmt.Sprintf("LifeOS pushed %s to #%d.\n\n%s%s", wr.sha[:7], pr.Number, quote(wr.summary), w.readyAfterPush(ctx, wr)))
}

// openNewPR writes the issue's branch and opens its PR. A branch with an
// open PR of the App's own (an earlier run's that died before recording
// it) is adopted and pushed to instead.
func (w *work) openNewPR(ctx context.Context, wr written) error {
	branch := w.branch()
	if w.state.steps[store.StepRef] == "" {
		adopted, err := w.pushNewBranch(ctx, branch, wr.sha)
		if errors.Is(err, gh.ErrBranchExists) {
			w.fail(ctx, fmt.Sprintf("the branch `%s` already has an open pull request LifeOS has no record of", branch), err)
			return nil
		}
		if err != nil {
			return fmt.Errorf("write branch %s at %s: %w", branch, wr.sha, err)
		}
		if adopted != nil {
			w.state.pr, w.state.out.PRNumber = adopted, adopted.Number
			w.saveProgress(ctx)
			w.recordStep(ctx, store.StepOnto, strconv.Itoa(adopted.Number))
			w.recordStep(ctx, store.StepRef, branch)
			return w.pushToPR(ctx, wr)
		}
		w.recordStep(ctx, store.StepRef, branch)
	}
	number, err := w.openPull(ctx, branch, wr)
	if err != nil {
		return err
	}
	w.state.out.PRNumber = number
	if w.state.checkpoint != "" {
		return w.announce(ctx, "checkpoint", w.checkpointNote(ctx, number, wr.sha))
	}
	return w.announce(ctx, "opened", fmt.Sprintf("LifeOS opened #%d for this issue.\n\n%s\n\n%s", number, quote(wr.summary), w.readyNote(w.state.hasCI, w.state.asked)))
}

// openPull returns the number of the PR from branch: the one a step
// records, the one a resumed run finds open, or a new one.
func (w *work) openPull(ctx context.Context, branch string, wr written) (int, error) {
	if n, err := strconv.Atoi(w.state.steps[store.StepPull]); err == nil && n > 0 {
		return n, nil
	}
	g := w.req.gh
	if w.state.resumed {
		open, err := g.OpenPull(ctx, branch, w.req.repo.DefaultBranch)
		if err != nil {
			return 0, fmt.Errorf("look for the pull request from %s: %w", branch, err)
		}
		if open != nil {
			if w.ownsPull(*open) {
				w.recordPull(ctx, open.Number)
				return open.Number, nil
			}
		}
	}
	pr, err := g.CreatePull(ctx, gh.NewPull{Title: w.prTitle(), Head: branch, Base: w.req.repo.DefaultBranch,
		Body: w.prBody(wr), Draft: w.state.hasCI || w.state.checkpoint != ""})
	if err != nil {
		return 0, fmt.Errorf("open the pull request from %s: %w", branch, err)
	}
	w.recordPull(ctx, pr.Number)
	if !pr.Draft {
		w.state.asked = askReview(ctx, g, pr, w.req.repo.DefaultBranch, w.person(), changedPaths(wr))
	}
	return pr.Number, nil
}

// recordPull records the run's PR, as a step and on the run.
func (w *work) recordPull(ctx context.Context, number int) {
	w.state.out.PRNumber = number
	w.saveProgress(ctx)
	w.recordStep(ctx, store.StepPull, strconv.Itoa(number))
}

// announce writes the run's end on its progress comment (or, for a run
// without one, posts its final comment, marked with the run and kind) and
// concludes the run as succeeded. A resumed run without a progress comment
// first looks for the final one among the App's on the thread; an error is
// left to the retry, since a finished run means the thread has been told.
func (w *work) announce(ctx context.Context, kind, body string) error {
	marker := fmt.Sprintf("<!-- lifeos:run-%d:%s -->", w.run.ID, kind)
	if w.state.steps[store.StepComment] == "" {
		if err := w.announceOnce(ctx, marker, body); err != nil {
			return err
		}
		w.recordStep(ctx, store.StepComment, marker)
	}
	out := w.state.out
	out.Status = store.StatusSucceeded
	if w.state.checkpoint != "" {
		// The work is kept, but the run did not do what it was asked.
		out.Status, out.Error = store.StatusFailed, checkpointError+w.state.checkpoint
	}
	w.conclude(out)
	w.logSuccess(ctx, out)
	return nil
}

// announceOnce writes the run's final words once: on its progress
// comment, or in a comment of their own unless a resumed run finds it
// posted.
func (w *work) announceOnce(ctx context.Context, marker, body string) error {
	if w.progress != nil {
		if err := w.progress.finish(ctx, w.progressBody(body)); err != nil {
			return fmt.Errorf("write the run's end on its progress comment: %w", err)
		}
		return nil
	}
	if w.req.replyTo <= 0 {
		return nil // a schedule's new PR has no thread but its own, which says it all
	}
	posted, err := w.posted(ctx, marker)
	if err != nil || posted {
		return err
	}
	if err := w.req.gh.Comment(ctx, w.req.replyTo, secrets.Scrub(body)+"\n\n"+marker); err != nil {
		return fmt.Errorf("post the run's final comment on #%d: %w", w.req.replyTo, err)
	}
	return nil
}

// posted reports whether a resumed run's thread holds the App's comment
// with marker; a first attempt has posted none.
func (w *work) posted(ctx context.Context, marker string) (bool, error) {
	if !w.state.resumed {
		return false, nil
	}
	cs, err := w.req.gh.IssueComments(ctx, w.req.replyTo)
	if err != nil {
		return false, fmt.Errorf("look for the run's final comment on #%d: %w", w.req.replyTo, err)
	}
	bot := w.AppSlug + "[bot]"
	for _, c := range cs {
		if c.Bot && c.Author == bot && strings.Contains(c.Body, marker) {
			return true, nil
		}
	}
	return false, nil
}

// pushNewBranch creates the issue's branch at sha. A branch already at
// sha is this run's own; a leftover branch of an earlier, closed attempt
// is overwritten; one with an open PR is adopted (returned) when the PR is
// the App's for this issue and holds only LifeOS's commits, and otherwise
// left alone (gh.ErrBranchExists).
func (w *work) pushNewBranch(ctx context.Context, branch, sha string) (*gh.Pull, error) {
	g := w.req.gh
	err := g.CreateBranch(ctx, branch, sha)
	if !errors.Is(err, gh.ErrBranchExists) {
		return nil, err
	}
	if head, err := g.BranchHead(ctx, branch); err == nil && head.CommitSHA == sha {
		return nil, nil
	}
	open, err := g.OpenPull(ctx, branch, w.req.repo.DefaultBranch)
	if err != nil {
		return nil, err
	}
	if open != nil {
		ok, err := w.adoptable(ctx, *open)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("branch %s already has open pull request #%d that LifeOS did not record: %w", branch, open.Number, gh.ErrBranchExists)
		}
		w.log.Info().Str("branch", branch).Int("pr", open.Number).Msg("Adopting the App's open pull request an earlier run left")
	} else {
		w.log.Info().Str("branch", branch).Msg("Overwriting a stale branch with no open pull request")
	}
	return open, g.MoveBranch(ctx, branch, sha, true)
}

// adoptable reports whether an open PR LifeOS has no record of is its own
// to push to: the App's, from the base repository's branch of this issue,
// with every commit one LifeOS recorded writing (so moving its branch
// loses nobody's work).
func (w *work) adoptable(ctx context.Context, pr gh.Pull) (bool, error) {
	if !w.ownsPull(pr) {
		return false, nil
	}
	commits, err := w.req.gh.PullCommits(ctx, pr.Number)
	if err != nil {
		return false, fmt.Errorf("read the commits of #%d: %w", pr.Number, err)
	}
	for _, c := range commits {
		ours, err := w.Store.WroteCommit(ctx, w.req.repo.FullName(), c.SHA)
		if err != nil || !ours {
			return false, err
		}
	}
	return true, nil
}

// logSuccess writes the run's success line: the PR, the commit, the
// tokens and what the run cost.
func (w *work) logSuccess(ctx context.Context, out store.Outcome) {
	pr, sha := out.PRNumber, out.CommitSHA
	ev := w.log.Info().Int("pr", pr).Str("commit", sha).Int64("tokens", out.TotalTokens)
	if micros, err := w.Store.RunCost(ctx, w.run.ID); err == nil {
		ev = ev.Str("cost", policy.Money(micros).String())
	}
	if w.state.checkpoint != "" {
		ev.Msgf("Run stopped at a checkpoint: #%d at %s", pr, shortSHA(sha))
		return
	}
	ev.Msgf("Run succeeded: #%d at %s", pr, shortSHA(sha))
}
