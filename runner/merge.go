package runner

import (
	"context"
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
}

// autoMerge merges a LifeOS PR at autonomy rung 3 when the head is
// LifeOS's own commit, the change stays under the policy's auto_merge paths
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
		return nil
	}
	if pol.Autonomy < policy.RungAutoMerge {
		return nil
	}
	d, err := r.mergeBounds(ctx, repo, pr, pol)
	if err != nil || !d.Allow {
		if err == nil {
			o.decide(ctx, d)
		}
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

// mergeBounds decides from the store whether the change itself may merge:
// the head is LifeOS's last commit and the change is inside the policy's
// auto_merge bounds. The checks are read only for a PR that may merge.
func (r *Runner) mergeBounds(ctx context.Context, repo jobs.Repo, pr gh.Pull, pol policy.Policy) (policy.Decision, error) {
	changes, lastCommit, err := r.Store.PullChanges(ctx, repo.FullName(), pr.Number)
	if err != nil {
		return policy.Decision{}, err
	}
	if lastCommit != pr.HeadSHA {
		return policy.Decision{Rule: "auto_merge", Reason: "the PR's head is not LifeOS's last commit: someone else pushed, so a human merges"}, nil
	}
	stats := make([]policy.ChangeStat, 0, len(changes))
	for _, c := range changes {
		stats = append(stats, policy.ChangeStat{Path: c.Path, Delete: c.Deleted, Added: c.Added, Removed: c.Removed})
	}
	return policy.CanAutoMerge(pol, stats, true), nil
}

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
