package runner

import (
	"context"
	"fmt"

	"github.com/google/go-github/v89/github"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/policy"
)

// passedConclusions are check conclusions that do not block a merge.
var passedConclusions = map[string]bool{"success": true, "neutral": true, "skipped": true}

// autoMerge merges a LifeOS PR at autonomy rung 3 when every check on its
// head has passed, the head is LifeOS's own commit, and the change stays
// under the policy's auto_merge paths and size limits. Otherwise the PR
// waits for a human, as at every lower rung.
func (r *Runner) autoMerge(ctx context.Context, gh *github.Client, repo repoRef, defaultBranch string, issue int, pr *github.PullRequest) error {
	log := zerolog.Ctx(ctx).With().Int("pr", pr.GetNumber()).Logger()
	w, pol, err := r.policyOutsideRun(log.WithContext(ctx), gh, repo, defaultBranch, issue)
	if err != nil {
		log.Info().Err(err).Msg("No usable policy; not merging")
		return nil
	}
	if pol.Autonomy < policy.RungAutoMerge {
		return nil
	}
	changes, lastCommit, err := r.Store.PullChanges(ctx, repo.String(), pr.GetNumber())
	if err != nil {
		return err
	}
	if lastCommit != pr.GetHead().GetSHA() {
		w.decide(ctx, policy.Decision{Rule: "auto_merge", Reason: "the PR's head is not LifeOS's last commit: someone else pushed, so a human merges"})
		return nil
	}
	green, err := r.checksGreen(ctx, gh, repo, pr.GetHead().GetSHA())
	if err != nil {
		return err
	}
	stats := make([]policy.ChangeStat, 0, len(changes))
	for _, c := range changes {
		stats = append(stats, policy.ChangeStat{Path: c.Path, Delete: c.Deleted, Added: c.Added, Removed: c.Removed})
	}
	d := policy.CanAutoMerge(pol, stats, green)
	w.decide(ctx, d)
	if !d.Allow {
		return nil
	}
	res, _, err := gh.PullRequests.Merge(ctx, repo.Owner, repo.Name, pr.GetNumber(),
		fmt.Sprintf("%s (#%d)", pr.GetTitle(), pr.GetNumber()),
		&github.PullRequestOptions{SHA: pr.GetHead().GetSHA(), MergeMethod: "squash"})
	if err != nil {
		// A moved head or a conflict: the PR stays for a human.
		w.decide(ctx, policy.Decision{Rule: "auto_merge", Reason: "GitHub refused the merge: " + oneLine(err.Error())})
		return nil
	}
	r.tell(ctx, gh, repo, pr.GetNumber(), fmt.Sprintf("LifeOS merged this PR (%s) under the repository's autonomy rung 3: %s.",
		res.GetSHA()[:min(7, len(res.GetSHA()))], d.Reason))
	return nil
}

// checksGreen reports whether every check on a commit, other than
// LifeOS's own, finished and passed, and there is at least one.
func (r *Runner) checksGreen(ctx context.Context, gh *github.Client, repo repoRef, sha string) (bool, error) {
	res, _, err := gh.Checks.ListCheckRunsForRef(ctx, repo.Owner, repo.Name, sha, &github.ListCheckRunsOptions{
		Filter: github.String("latest"), ListOptions: github.ListOptions{PerPage: 100}})
	if err != nil {
		return false, fmt.Errorf("list check runs of %s@%s: %w", repo, sha, err)
	}
	seen := 0
	for _, cr := range res.CheckRuns {
		if cr.GetApp().GetSlug() == r.AppSlug {
			continue
		}
		seen++
		if cr.GetStatus() != "completed" || !passedConclusions[cr.GetConclusion()] {
			return false, nil
		}
	}
	return seen > 0, nil
}
