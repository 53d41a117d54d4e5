package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v89/github"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/policy"
)

// autoMerge merges a LifeOS PR at autonomy rung 3 when the head is
// LifeOS's own commit, the change stays under the policy's auto_merge paths
// and size limits, and the head is green (policy.Green: every required
// check of the base branch passed, and no other check run or commit status
// failed or is pending). Otherwise the PR waits for a human, as at every
// lower rung.
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
	stats := make([]policy.ChangeStat, 0, len(changes))
	for _, c := range changes {
		stats = append(stats, policy.ChangeStat{Path: c.Path, Delete: c.Deleted, Added: c.Added, Removed: c.Removed})
	}
	// The change itself first: the checks are read only for a PR that may
	// merge if they are green.
	d := policy.CanAutoMerge(pol, stats, true)
	if !d.Allow {
		w.decide(ctx, d)
		return nil
	}
	base := pr.GetBase().GetRef()
	if base == "" {
		base = defaultBranch
	}
	green, why, err := r.checksGreen(ctx, gh, repo, base, pr.GetHead().GetSHA())
	if err != nil {
		// Fail closed: what cannot be read is not green.
		w.decide(ctx, policy.Decision{Rule: "auto_merge.checks", Reason: "cannot tell whether the checks are green, so a human merges: " + oneLine(err.Error())})
		if permanent(err) {
			return nil
		}
		return err // a retry may read them
	}
	if !green {
		w.decide(ctx, policy.Decision{Rule: "auto_merge.checks", Reason: "checks are not all green: " + why})
		return nil
	}
	d.Reason += " (" + why + ")"
	w.decide(ctx, d)
	res, _, err := gh.PullRequests.Merge(ctx, repo.Owner, repo.Name, pr.GetNumber(),
		fmt.Sprintf("%s (#%d)", pr.GetTitle(), pr.GetNumber()),
		&github.PullRequestOptions{SHA: pr.GetHead().GetSHA(), MergeMethod: "squash"})
	if err != nil {
		// A moved head, a conflict or branch protection: the PR stays for a human.
		w.decide(ctx, policy.Decision{Rule: "auto_merge", Reason: "GitHub refused the merge: " + oneLine(err.Error())})
		return nil
	}
	r.tell(ctx, gh, repo, pr.GetNumber(), fmt.Sprintf("LifeOS merged this PR (%s) under the repository's autonomy rung 3: %s.",
		res.GetSHA()[:min(7, len(res.GetSHA()))], d.Reason))
	return nil
}

// checksGreen reads the evidence on a commit, every page of it, and lets
// policy.Green decide: the base branch's required status checks, the
// latest check run of each name and the latest commit status of each
// context. It returns the reason either way.
func (r *Runner) checksGreen(ctx context.Context, gh *github.Client, repo repoRef, base, sha string) (bool, string, error) {
	required, err := requiredChecks(ctx, gh, repo, base)
	if err != nil {
		return false, "", err
	}
	checks, err := r.checkResults(ctx, gh, repo, sha)
	if err != nil {
		return false, "", err
	}
	statuses, err := commitStatuses(ctx, gh, repo, sha)
	if err != nil {
		return false, "", err
	}
	green, why := policy.Green(required, checks, statuses)
	return green, why, nil
}

// requiredChecks lists the status checks branch protection of base
// requires; an unprotected branch, or one without required checks, has
// none.
func requiredChecks(ctx context.Context, gh *github.Client, repo repoRef, base string) ([]policy.RequiredCheck, error) {
	rsc, resp, err := gh.Repositories.GetRequiredStatusChecks(ctx, repo.Owner, repo.Name, base)
	switch {
	case errors.Is(err, github.ErrBranchNotProtected), err != nil && resp != nil && resp.StatusCode == http.StatusNotFound:
		// "Branch not protected" or "Required status checks not enabled".
		return nil, nil
	case err != nil && protectionUnavailable(err):
		// Private repositories on GitHub Free cannot protect branches, so
		// nothing is required.
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read required status checks of %s@%s: %w", repo, base, err)
	}
	var out []policy.RequiredCheck
	seen := map[string]bool{}
	for _, c := range rsc.GetChecks() {
		out = append(out, policy.RequiredCheck{Context: c.Context, AppID: c.GetAppID()})
		seen[c.Context] = true
	}
	for _, c := range rsc.GetContexts() { // the deprecated list, in case only it is filled
		if !seen[c] {
			out = append(out, policy.RequiredCheck{Context: c})
			seen[c] = true
		}
	}
	return out, nil
}

// protectionUnavailable reports GitHub's answer for a repository whose plan
// has no branch protection.
func protectionUnavailable(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden &&
		strings.Contains(er.Message, "Upgrade to GitHub Pro")
}

// checkResults lists the latest check run of each name on a commit, every
// page; LifeOS's own are marked.
func (r *Runner) checkResults(ctx context.Context, gh *github.Client, repo repoRef, sha string) ([]policy.CheckResult, error) {
	opts := &github.ListCheckRunsOptions{Filter: github.Ptr("latest"), ListOptions: github.ListOptions{PerPage: 100}}
	var out []policy.CheckResult
	for {
		res, resp, err := gh.Checks.ListCheckRunsForRef(ctx, repo.Owner, repo.Name, sha, opts)
		if err != nil {
			return nil, fmt.Errorf("list check runs of %s@%s: %w", repo, sha, err)
		}
		for _, cr := range res.CheckRuns {
			out = append(out, policy.CheckResult{
				Name: cr.GetName(), AppID: cr.GetApp().GetID(), Own: cr.GetApp().GetSlug() == r.AppSlug,
				Status: cr.GetStatus(), Conclusion: cr.GetConclusion(),
			})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// commitStatuses lists the latest commit status of each context on a
// commit (the combined status), every page.
func commitStatuses(ctx context.Context, gh *github.Client, repo repoRef, sha string) ([]policy.StatusResult, error) {
	opts := &github.ListOptions{PerPage: 100}
	var out []policy.StatusResult
	for {
		res, resp, err := gh.Repositories.GetCombinedStatus(ctx, repo.Owner, repo.Name, sha, opts)
		if err != nil {
			return nil, fmt.Errorf("read the combined status of %s@%s: %w", repo, sha, err)
		}
		for _, st := range res.Statuses {
			out = append(out, policy.StatusResult{Context: st.GetContext(), State: st.GetState()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// permanent reports whether GitHub refused a read in a way a retry will not
// change (a missing permission, a missing commit), rather than failing.
func permanent(err error) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return false
	}
	code := er.Response.StatusCode
	return code >= 400 && code < 500 && code != http.StatusTooManyRequests && code != http.StatusRequestTimeout
}
