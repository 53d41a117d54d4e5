package runner

import (
	"context"
	"errors"
	"fmt"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/policy"
)

// mergeGitHub is what an auto-merge asks of GitHub.
type mergeGitHub interface {
	files
	checks
	threads
	pulls
	diffs
}

// autoMerge merges a LifeOS PR at autonomy rung 3 when every commit on it
// is LifeOS's own, its real diff (GitHub's, base to head) stays under the policy's auto_merge paths
// and size limits, and the head is green (policy.Green: every required
// check of the base branch passed, and no other check run or commit status
// failed or is pending). Otherwise the PR waits for a human, as at every
// lower rung.
func (r *Runner) autoMerge(ctx context.Context, g mergeGitHub, repo jobs.Repo, issue int, pr gh.Pull) error {
	log := zerolog.Ctx(ctx).With().Int("pr", pr.Number).Logger()
	ctx = log.WithContext(ctx)
	o, pol, err := r.policyOutsideRun(ctx, g, repo, issue)
	if err != nil {
		log.Info().Err(err).Msg("No usable policy; not merging")
		if o != nil { // the PR has a run to record the decision on
			o.decide(ctx, policy.Decision{Rule: "auto_merge.policy", Reason: "the repository's policy cannot be used, so a human merges: " + oneLine(err.Error())})
		}
		return nil
	}
	if pol.Autonomy < policy.RungAutoMerge {
		return nil
	}
	if d := policy.MergeReady(pr.Draft); !d.Allow {
		o.decide(ctx, d)
		return nil
	}
	d, err := r.mergeBounds(ctx, g, repo, pr, pol)
	if d.Rule != "" && !d.Allow {
		o.decide(ctx, d)
	}
	if err != nil || !d.Allow {
		return err
	}
	green, why, err := checksGreen(ctx, g, baseOf(pr, repo), pr.HeadSHA)
	if err != nil {
		// Fail closed: what cannot be read is not green.
		o.decide(ctx, policy.Decision{Rule: "auto_merge.checks", Reason: "cannot tell whether the checks are green, so a human merges: " + oneLine(err.Error())})
		if gh.Permanent(err) {
			return nil
		}
		return err // a retry may read them
	}
	if !green {
		o.decide(ctx, policy.Decision{Rule: "auto_merge.checks", Reason: "checks are not all green: " + why})
		return nil
	}
	d.Reason += " (" + why + ")"
	o.decide(ctx, d)
	sha, err := g.Merge(ctx, pr.Number, pr.HeadSHA, fmt.Sprintf("%s (#%d)", pr.Title, pr.Number))
	if err != nil {
		// A moved head, a conflict or branch protection: the PR stays for a human.
		o.decide(ctx, policy.Decision{Rule: "auto_merge", Reason: "GitHub refused the merge: " + oneLine(err.Error())})
		return nil
	}
	tell(ctx, g, pr.Number, fmt.Sprintf("LifeOS merged this PR (%s) under the repository's autonomy rung 3: %s.", sha[:min(7, len(sha))], d.Reason))
	return nil
}

// mergeBounds decides from GitHub's evidence whether the change itself
// may merge: every commit of the PR is one LifeOS wrote (and recorded), and
// the PR's real diff, base to head, is inside the policy's auto_merge
// bounds. GitHub's diff has no sizes, so each file's bytes are the ones
// LifeOS recorded when its last commit wrote the file. What GitHub cannot
// show is a denial, recorded by the caller; the error is returned as well
// when a retry may read it.
func (r *Runner) mergeBounds(ctx context.Context, g mergeGitHub, repo jobs.Repo, pr gh.Pull, pol policy.Policy) (policy.Decision, error) {
	commits, d, err := r.commitsOurs(ctx, g, repo, pr)
	if err != nil || !d.Allow {
		return d, err
	}
	diff, err := g.Compare(ctx, baseOf(pr, repo), pr.HeadSHA)
	if err != nil {
		return unreadable("auto_merge.diff", "cannot read the PR's diff", err)
	}
	written, err := r.writtenBytes(ctx, repo, commits)
	if err != nil {
		return policy.Decision{}, err
	}
	stats := diffStats(diff)
	unknown := ""
	for i, st := range stats {
		b, ok := written[st.Path]
		switch {
		case st.Delete:
		case ok && b >= 0:
			stats[i].Bytes = b
		case unknown == "":
			unknown = st.Path
		}
	}
	d = policy.CanAutoMerge(pol, stats, true)
	if d.Allow && unknown != "" && pol.MaxBytes > 0 {
		return policy.Decision{Rule: "limits.max_bytes", Reason: fmt.Sprintf("LifeOS recorded no size for `%s`, so the PR's bytes cannot be held to limits.max_bytes and a human merges", unknown)}, nil
	}
	return d, nil
}

// writtenBytes returns, by path, the size of the content the last of the
// PR's commits (oldest first) to touch a file left in it: 0 once deleted,
// -1 when LifeOS recorded no size.
func (r *Runner) writtenBytes(ctx context.Context, repo jobs.Repo, commits []gh.PullCommit) (map[string]int, error) {
	sizes := map[string]int{}
	for _, c := range commits {
		changes, err := r.Store.CommitChanges(ctx, repo.FullName(), c.SHA)
		if err != nil {
			return nil, fmt.Errorf("read the sizes LifeOS wrote in %s: %w", shortSHA(c.SHA), err)
		}
		for _, ch := range changes {
			sizes[ch.Path] = ch.Bytes
		}
	}
	return sizes, nil
}

// commitsOurs allows a PR whose every commit, head included, LifeOS wrote:
// a commit anyone else pushed (a writer, another bot) is a human's to merge,
// whatever LifeOS added on top of it. It returns the commits, oldest first.
func (r *Runner) commitsOurs(ctx context.Context, g diffs, repo jobs.Repo, pr gh.Pull) ([]gh.PullCommit, policy.Decision, error) {
	commits, err := g.PullCommits(ctx, pr.Number)
	if err != nil {
		d, err := unreadable("auto_merge.commits", "cannot list the PR's commits", err)
		return nil, d, err
	}
	head := false
	for _, c := range commits {
		ours, err := r.Store.WroteCommit(ctx, repo.FullName(), c.SHA)
		if err != nil {
			return nil, policy.Decision{}, err
		}
		if !ours {
			by := c.Author
			if by == "" {
				by = "an author GitHub does not know"
			}
			return nil, policy.Decision{Rule: "auto_merge.commits", Reason: fmt.Sprintf("commit %s by %s was not written by LifeOS, so a human merges", shortSHA(c.SHA), by)}, nil
		}
		head = head || c.SHA == pr.HeadSHA
	}
	if !head {
		return nil, policy.Decision{Rule: "auto_merge.commits", Reason: fmt.Sprintf("the PR's head %s is not among the commits GitHub lists, so a human merges", shortSHA(pr.HeadSHA))}, nil
	}
	return commits, policy.Decision{Allow: true, Rule: "auto_merge.commits", Reason: fmt.Sprintf("all %d commits are LifeOS's", len(commits))}, nil
}

// unreadable is the denial for evidence GitHub did not give: a human
// merges. The error comes back too, for a retry, unless retrying cannot
// help (a refusal, or an answer too large to list in full).
func unreadable(rule, what string, err error) (policy.Decision, error) {
	d := policy.Decision{Rule: rule, Reason: what + ", so a human merges: " + oneLine(err.Error())}
	if gh.Permanent(err) || errors.Is(err, gh.ErrTooLarge) {
		return d, nil
	}
	return d, err
}

// diffStats turns GitHub's diff into the policy's change list. A renamed
// file also removes its old path, which the bounds must cover as well.
func diffStats(diff []gh.DiffFile) []policy.ChangeStat {
	stats := make([]policy.ChangeStat, 0, len(diff))
	for _, f := range diff {
		stats = append(stats, policy.ChangeStat{Path: f.Path, Delete: f.Status == "removed", Added: f.Additions, Removed: f.Deletions})
		if f.PreviousPath != "" && f.PreviousPath != f.Path {
			stats = append(stats, policy.ChangeStat{Path: f.PreviousPath, Delete: true})
		}
	}
	return stats
}

// shortSHA is a commit's abbreviation in messages.
func shortSHA(sha string) string { return sha[:min(7, len(sha))] }

// baseOf is the branch a PR merges into.
func baseOf(pr gh.Pull, repo jobs.Repo) string {
	if pr.BaseRef != "" {
		return pr.BaseRef
	}
	return repo.DefaultBranch
}

// checksGreen reads the evidence on a commit and lets policy.Green decide:
// the base branch's required status checks, the latest check run of each
// name and the latest commit status of each context.
func checksGreen(ctx context.Context, g checks, base, sha string) (bool, string, error) {
	required, err := g.RequiredChecks(ctx, base)
	if err != nil {
		return false, "", err
	}
	runs, err := g.CheckResults(ctx, sha)
	if err != nil {
		return false, "", err
	}
	statuses, err := g.Statuses(ctx, sha)
	if err != nil {
		return false, "", err
	}
	green, why := policy.Green(required, runs, statuses)
	return green, why, nil
}
