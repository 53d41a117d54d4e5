package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/workspace"
)

// `/lifeos revert` on a merged LifeOS PR (ack checked the sender may
// command LifeOS and the PR is LifeOS's own) opens a PR with the inverse
// change on names.RevertBranch, linked both ways. A file changed since the
// merge is a conflict: it is reported and nothing is written.

// revertPlan is what a revert writes: the inverse change on top of the
// default branch's head, or why it cannot.
type revertPlan struct {
	base      gh.Head
	changes   []workspace.Change
	conflicts []string
}

// revert answers /lifeos revert.
func (c *commandRun) revert(ctx context.Context) error {
	j := c.job
	_, repo := j.Meta()
	if c.ack.PR == 0 {
		tell(ctx, c.g, j.Number, "`/lifeos revert` undoes a merged LifeOS pull request: comment it on that pull request.")
		return nil
	}
	pr, err := c.g.Pull(ctx, c.ack.PR)
	if err != nil {
		return err
	}
	if !pr.Merged || pr.MergeCommitSHA == "" {
		tell(ctx, c.g, pr.Number, fmt.Sprintf("#%d is not merged, so there is nothing to revert.", pr.Number))
		return nil
	}
	if open, err := c.g.OpenPull(ctx, names.RevertBranch(pr.Number), repo.DefaultBranch); err != nil || open != nil {
		if open != nil {
			tell(ctx, c.g, pr.Number, fmt.Sprintf("#%d already reverts this PR.", open.Number))
		}
		return err
	}
	plan, now, err := c.r.revertPlan(ctx, c.g, repo, pr)
	if err != nil || plan == nil {
		return err
	}
	defer now.Close()
	switch {
	case len(plan.conflicts) > 0:
		tell(ctx, c.g, pr.Number, fmt.Sprintf("LifeOS did not revert #%d: %s changed since it merged, and undoing it would undo that work too. Revert it by hand, resolving the conflict.",
			pr.Number, codeList(plan.conflicts)))
		return nil
	case len(plan.changes) == 0:
		tell(ctx, c.g, pr.Number, fmt.Sprintf("#%d's changes are no longer on `%s`: there is nothing to revert.", pr.Number, repo.DefaultBranch))
		return nil
	}
	if refused, err := c.revertRefused(ctx, repo, pr, now, plan.changes); refused || err != nil {
		return err
	}
	number, err := c.openRevert(ctx, repo, pr, plan)
	if err != nil {
		return err
	}
	tell(ctx, c.g, pr.Number, fmt.Sprintf("LifeOS opened #%d to revert this PR, as @%s asked.", number, j.Sender))
	return nil
}

// revertPlan reads the repository before the merge, at it and now, and
// works out the inverse change (workspace.Inverse). It returns the
// snapshot of now for the guard; a nil plan means the thread was told why
// there is none.
func (r *Runner) revertPlan(ctx context.Context, g GitHub, repo jobs.Repo, pr gh.Pull) (*revertPlan, *workspace.Snapshot, error) {
	parents, err := g.CommitParents(ctx, pr.MergeCommitSHA)
	if err != nil {
		return nil, nil, err
	}
	if len(parents) == 0 {
		return nil, nil, fmt.Errorf("merge commit %s of #%d has no parent", shortSHA(pr.MergeCommitSHA), pr.Number)
	}
	diff, err := g.Compare(ctx, parents[0], pr.MergeCommitSHA)
	if err != nil {
		return nil, nil, err
	}
	var paths []string
	for _, f := range diff {
		paths = append(paths, f.Path)
		if f.PreviousPath != "" && f.PreviousPath != f.Path {
			paths = append(paths, f.PreviousPath)
		}
	}
	head, err := g.BranchHead(ctx, repo.DefaultBranch)
	if err != nil {
		return nil, nil, err
	}
	unpack := r.unpacker()
	snaps := make([]*workspace.Snapshot, 0, 3)
	closeAll := func() {
		for _, s := range snaps {
			s.Close()
		}
	}
	for _, sha := range []string{parents[0], pr.MergeCommitSHA, head.CommitSHA} {
		s, err := g.Snapshot(ctx, sha, unpack.Unpack)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("read %s for the revert of #%d: %w", shortSHA(sha), pr.Number, err)
		}
		snaps = append(snaps, s)
	}
	changes, conflicts := workspace.Inverse(paths, snaps[0], snaps[1], snaps[2])
	snaps[0].Close()
	snaps[1].Close()
	if err := errors.Join(snaps[0].Err(), snaps[1].Err(), snaps[2].Err()); err != nil {
		snaps[2].Close()
		return nil, nil, fmt.Errorf("snapshots for the revert of #%d: %w", pr.Number, err)
	}
	return &revertPlan{base: head, changes: changes, conflicts: conflicts}, snaps[2], nil
}

// unpacker unpacks the runner's snapshots into SnapshotDir within
// MaxRepoBytes (workspace.DefaultMaxRepoBytes if 0).
func (r *Runner) unpacker() workspace.Unpacker {
	max := r.MaxRepoBytes
	if max <= 0 {
		max = workspace.DefaultMaxRepoBytes
	}
	return workspace.Unpacker{Dir: r.SnapshotDir, MaxBytes: max}
}

// revertRefused holds the revert to the repository's policy, as any
// change LifeOS pushes; it reports whether the thread was told no.
func (c *commandRun) revertRefused(ctx context.Context, repo jobs.Repo, pr gh.Pull, now *workspace.Snapshot, changes []workspace.Change) (bool, error) {
	pol, _, err := c.r.loadPolicy(ctx, c.g, repo, now, true)
	var broken *brokenPolicy
	if errors.As(err, &broken) {
		tell(ctx, c.g, pr.Number, policyProblem(err))
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if vs := policy.CheckChanges(pol, changeStats(now, changes)); len(vs) > 0 {
		tell(ctx, c.g, pr.Number, "LifeOS did not revert this PR: the revert breaks the repository's policy:\n\n"+policy.FormatViolations(vs))
		return true, nil
	}
	return false, nil
}

// openRevert writes the revert's branch (created first, then committed
// to, as every LifeOS branch) and opens its PR, asking the person who
// asked for the revert to review it.
func (c *commandRun) openRevert(ctx context.Context, repo jobs.Repo, pr gh.Pull, plan *revertPlan) (int, error) {
	branch := names.RevertBranch(pr.Number)
	err := c.g.CreateBranch(ctx, branch, plan.base.CommitSHA)
	if errors.Is(err, gh.ErrBranchExists) {
		// A leftover of an attempt that opened no PR (checked above).
		err = c.g.MoveBranch(ctx, branch, plan.base.CommitSHA, true)
	}
	if err != nil {
		return 0, fmt.Errorf("create branch %s: %w", branch, err)
	}
	msg := fmt.Sprintf("Revert %q (#%d)\n\nThis reverts commit %s, the merge of #%d, as @%s asked.", pr.Title, pr.Number, pr.MergeCommitSHA, pr.Number, c.job.Sender)
	sha, err := c.g.Commit(ctx, plan.base, plan.changes, msg)
	if err != nil {
		return 0, fmt.Errorf("commit the revert of #%d: %w", pr.Number, err)
	}
	if err := c.g.MoveBranch(ctx, branch, sha, false); err != nil {
		return 0, fmt.Errorf("move branch %s to the revert: %w", branch, err)
	}
	var paths []string
	for _, ch := range plan.changes {
		paths = append(paths, ch.Path)
	}
	body := fmt.Sprintf("Reverts #%d (merge commit %s), as @%s asked with `/lifeos revert`.\n\nRestores %s to what they were before #%d merged.",
		pr.Number, shortSHA(pr.MergeCommitSHA), c.job.Sender, codeList(paths), pr.Number)
	opened, err := c.g.CreatePull(ctx, gh.NewPull{Title: fmt.Sprintf("Revert %q", pr.Title), Head: branch, Base: repo.DefaultBranch, Body: body})
	if err != nil {
		return 0, fmt.Errorf("open the revert of #%d: %w", pr.Number, err)
	}
	askReview(ctx, c.g, opened, repo.DefaultBranch, c.job.Sender, paths)
	return opened.Number, nil
}

// codeList words paths for a comment: "`a`, `b`".
func codeList(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = "`" + p + "`"
	}
	return strings.Join(q, ", ")
}
