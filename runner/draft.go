package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/policy"
)

// Draft until green: a LifeOS PR on a repository with CI opens as a
// draft; when everything its head waits for has passed, LifeOS marks it
// ready for review and asks the person who started the work (or the code
// owners, when nobody did). A repository without CI gets a ready PR at
// once. Failures go to the CI-fix loop (ci.go); rung 3 merges only ready
// PRs (merge.go).

// reviewGitHub is what asking for a review needs.
type reviewGitHub interface {
	files
	diffs
	pulls
}

// readyNote is what the run's final comment says of the PR's state.
func (w *work) readyNote(draft bool, asked string) string {
	if draft {
		return fmt.Sprintf("The PR is a draft until the repository's CI (`%s`) passes on it; then LifeOS marks it ready for review%s.", w.state.ciFile, askedWho(asked, " and asks "))
	}
	return "No checks ran: this repository has no CI LifeOS could find (such as a workflow in `.github/workflows/`), so the PR is ready for review" + askedWho(asked, "; LifeOS asked ") + "."
}

// askedWho words who was (or will be) asked to review, after lead; "" if nobody.
func askedWho(asked, lead string) string {
	if asked == "" {
		return ""
	}
	return lead + asked + " to review it"
}

// unattended reports whether a run's trigger is no person's: CI or a
// schedule.
func unattended(trigger string) bool { return trigger == "ci" || trigger == "schedule" }

// reviewers is who is asked to review a LifeOS PR: the person who
// started the work, or, when no person did (a schedule), the code owners
// of the changed paths.
func reviewers(ctx context.Context, g files, base, person string, paths []string) (users, teams []string) {
	if person != "" && !strings.HasSuffix(person, "[bot]") {
		return []string{person}, nil
	}
	for _, p := range policy.CodeOwnersPaths {
		data, err := g.File(ctx, p, base)
		if err != nil {
			zerolog.Ctx(ctx).Warn().Err(err).Str("path", p).Msg("Could not read CODEOWNERS")
			return nil, nil
		}
		if data != nil {
			return policy.CodeOwners(data, paths)
		}
	}
	return nil, nil
}

// mention words reviewers for a comment: "@alice and @octo/docs".
func mention(users, teams []string) string {
	var all []string
	for _, u := range append(append([]string(nil), users...), teams...) {
		all = append(all, "@"+u)
	}
	return strings.Join(all, ", ")
}

// askReview requests review of pr, best effort; it returns who was asked.
func askReview(ctx context.Context, g reviewGitHub, pr gh.Pull, base, person string, paths []string) string {
	users, teams := reviewers(ctx, g, base, person, paths)
	if len(users)+len(teams) == 0 {
		return ""
	}
	if err := g.RequestReviews(ctx, pr.NodeID, users, teams); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Int("pr", pr.Number).Msg("Could not request a review")
		return ""
	}
	return mention(users, teams)
}

// ciPassed handles a passing CI result on the head of a LifeOS PR: when
// everything the head waits for has passed (policy.CIReady) a draft is
// marked ready and its reviewers asked; then rung 3 may merge. A PR whose
// work stopped at a checkpoint is neither: it is unfinished.
func (r *Runner) ciPassed(ctx context.Context, g mergeGitHub, repo jobs.Repo, issue int, pr gh.Pull) error {
	log := zerolog.Ctx(ctx).With().Int("pr", pr.Number).Logger()
	if pending, err := r.checkpointPending(ctx, repo.FullName(), issue); err != nil || pending {
		if pending {
			r.decideOutsideRun(ctx, repo, issue, policy.Decision{Rule: "ci.checkpoint",
				Reason: "the PR's work stopped at a checkpoint and is unfinished: it is neither marked ready nor merged until a run finishes it"})
		}
		return err
	}
	if pr.Draft {
		state, why, err := r.headCI(ctx, g, baseOf(pr, repo), pr.HeadSHA)
		if err != nil {
			return err
		}
		if state != policy.CIPassed {
			log.Info().Str("ci", string(state)).Str("why", why).Msg("The draft's CI has not all passed; it stays a draft")
			return nil
		}
		if err := r.markReady(ctx, g, repo, issue, pr, why); err != nil {
			return err
		}
		pr.Draft = false
	}
	return r.autoMerge(ctx, g, repo, issue, pr)
}

// headCI reads a head commit's CI evidence and lets policy.CIReady judge.
func (r *Runner) headCI(ctx context.Context, g checks, base, sha string) (policy.CIState, string, error) {
	required, err := g.RequiredChecks(ctx, base)
	if err != nil {
		return "", "", err
	}
	runs, err := g.CheckResults(ctx, sha)
	if err != nil {
		return "", "", err
	}
	statuses, err := g.Statuses(ctx, sha)
	if err != nil {
		return "", "", err
	}
	state, why := policy.CIReady(required, runs, statuses)
	return state, why, nil
}

// markReady asks for the review, takes the draft out of draft and says
// so on the PR. The review is asked first: a retry after a failed mark
// asks again, which GitHub takes as the same request.
func (r *Runner) markReady(ctx context.Context, g mergeGitHub, repo jobs.Repo, issue int, pr gh.Pull, why string) error {
	person, err := r.lastPerson(ctx, repo, issue)
	if err != nil {
		return err
	}
	var paths []string
	if person == "" {
		diff, err := g.Compare(ctx, baseOf(pr, repo), pr.HeadSHA)
		if err != nil {
			return err
		}
		for _, f := range diff {
			paths = append(paths, f.Path)
		}
	}
	asked := askReview(ctx, g, pr, baseOf(pr, repo), person, paths)
	if err := g.MarkPullReady(ctx, pr.NodeID); err != nil {
		return fmt.Errorf("mark #%d ready for review: %w", pr.Number, err)
	}
	r.decideOutsideRun(ctx, repo, issue, policy.Decision{Allow: true, Rule: "ci.ready", Reason: "CI passed on " + shortSHA(pr.HeadSHA) + ": " + why})
	tell(ctx, g, pr.Number, fmt.Sprintf("CI passed on %s (%s), so LifeOS marked this PR ready for review%s.", shortSHA(pr.HeadSHA), why, askedWho(asked, " and asked ")))
	return nil
}

// lastPerson is who started the latest run on the issue that a person
// started; "" when none was (a schedule, CI).
func (r *Runner) lastPerson(ctx context.Context, repo jobs.Repo, issue int) (string, error) {
	runs, err := r.Store.IssueRuns(ctx, repo.FullName(), issue)
	if err != nil {
		return "", err
	}
	person := ""
	for _, run := range runs {
		if run.Actor != "" && !unattended(run.Trigger) && !strings.HasSuffix(run.Actor, "[bot]") {
			person = run.Actor
		}
	}
	return person, nil
}

// readyAfterPush takes a draft out of draft when a finished run pushed to
// it and the repository has no CI to wait for (a checkpoint's draft,
// finished by a retry), asking for the review; it returns what the final
// comment adds, "" when nothing changed.
func (w *work) readyAfterPush(ctx context.Context, wr written) string {
	pr := w.state.pr
	if pr == nil || !pr.Draft || w.state.hasCI {
		return ""
	}
	asked := askReview(ctx, w.req.gh, *pr, w.req.repo.DefaultBranch, w.person(), wr.paths)
	if err := w.req.gh.MarkPullReady(ctx, pr.NodeID); err != nil {
		w.log.Warn().Err(err).Int("pr", pr.Number).Msg("Could not mark the PR ready for review")
		return ""
	}
	return "\n\n" + w.readyNote(false, asked)
}

// decideOutsideRun records a decision on the issue's latest run, best
// effort (it is logged either way).
func (r *Runner) decideOutsideRun(ctx context.Context, repo jobs.Repo, issue int, d policy.Decision) {
	latest, err := r.Store.LatestRun(ctx, repo.FullName(), issue)
	if err != nil || latest == nil {
		audit(*zerolog.Ctx(ctx), d)
		return
	}
	o := &outsideRun{r: r, run: latest, log: *zerolog.Ctx(ctx)}
	o.decide(ctx, d)
}
