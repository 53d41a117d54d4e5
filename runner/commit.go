package runner

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/store"
	"github.com/lifeos/lifeos/workspace"
)

// This file writes a run's commit. It goes straight onto the issue's
// branch: the open PR's, or a new branch created at the run's base first
// (one request each, and the commit is never left on no branch). A branch
// that is there already and not at the base (a leftover, a PR LifeOS has
// no record of) takes the older way: a commit on no branch, which publish
// then points the branch at by its adoption rules. The commit's message
// carries the run (runTrailer), so a retry whose earlier attempt died
// between the commit and its record adopts it instead of asking the
// model again.

// runTrailer is the git trailer naming the run that wrote a commit.
func runTrailer(runID int64) string { return fmt.Sprintf("LifeOS-Run: %d", runID) }

// hasRunTrailer reports whether a commit message carries run id's trailer.
func hasRunTrailer(message string, runID int64) bool {
	for _, line := range strings.Split(message, "\n") {
		if strings.TrimSpace(line) == runTrailer(runID) {
			return true
		}
	}
	return false
}

// commit writes the run's commit and returns its SHA; done means the run
// has ended (failed, and said so), and an error is left to the retry.
func (w *work) commit(ctx context.Context, changes []workspace.Change, msg string) (sha string, done bool, err error) {
	g, branch := w.req.gh, w.branch()
	if w.state.pr == nil {
		onto, err := w.branchAtBase(ctx, branch)
		if err != nil {
			return "", true, fmt.Errorf("create branch %s at %s: %w", branch, w.state.tip.CommitSHA, err)
		}
		if !onto {
			sha, err := g.Commit(ctx, w.state.tip, changes, msg)
			if err != nil {
				w.fail(ctx, githubFailed("creating the commit", err), err)
				return "", true, nil
			}
			return sha, false, nil
		}
	} else {
		w.recordStep(ctx, store.StepOnto, strconv.Itoa(w.state.pr.Number))
	}
	w.recordStep(ctx, store.StepCommitting, w.state.tip.CommitSHA)
	sha, err = g.CommitOnBranch(ctx, branch, w.state.tip, changes, msg)
	if errors.Is(err, gh.ErrBranchMoved) {
		w.fail(ctx, fmt.Sprintf("the branch `%s` gained commits while LifeOS worked; ask again to retry on top of them", branch), err)
		return "", true, nil
	}
	if err != nil {
		w.fail(ctx, githubFailed("creating the commit", err), err)
		return "", true, nil
	}
	w.recordStep(ctx, store.StepRef, branch)
	return sha, false, nil
}

// branchAtBase creates the new branch at the run's base, and
// reports whether the branch is there now: false for a branch that exists
// elsewhere (one at the base is an earlier attempt's, and taken).
func (w *work) branchAtBase(ctx context.Context, branch string) (bool, error) {
	g := w.req.gh
	err := g.CreateBranch(ctx, branch, w.state.tip.CommitSHA)
	if !errors.Is(err, gh.ErrBranchExists) {
		return err == nil, err
	}
	head, err := g.BranchHead(ctx, branch)
	if err != nil {
		return false, err
	}
	return head.CommitSHA == w.state.tip.CommitSHA, nil
}

// adoptCommit returns the commit an earlier attempt of the run wrote on
// the branch without recording it: the branch's head, when its message
// carries the run's trailer; "" when there is none (the run starts over).
func (w *work) adoptCommit(ctx context.Context) (string, error) {
	if w.state.steps[store.StepCommitting] == "" {
		return "", nil
	}
	branch := w.branch()
	head, err := w.req.gh.BranchHead(ctx, branch)
	if err != nil {
		return "", fmt.Errorf("look for run %d's commit on %s: %w", w.run.ID, branch, err)
	}
	if !hasRunTrailer(head.Message, w.run.ID) {
		return "", nil
	}
	w.log.Info().Str("sha", head.CommitSHA).Msg("Adopting the commit an earlier attempt of the run wrote")
	w.recordCommit(ctx, head.CommitSHA)
	w.recordStep(ctx, store.StepRef, branch)
	return head.CommitSHA, nil
}
