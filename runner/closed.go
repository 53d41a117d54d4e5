package runner

import (
	"context"
	"fmt"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/store"
)

// closed records how a LifeOS PR ended, tells the issue, and deletes the
// branch when the server and the repository's policy both say so.
func (r *Runner) closed(ctx context.Context, _ int64, j jobs.Closed) error {
	_, repo := j.Meta()
	outcome := store.OutcomeRejected
	if j.Merged {
		outcome = store.OutcomeMerged
	}
	fresh, err := r.Store.RecordOutcome(ctx, store.PROutcome{Repo: repo.FullName(), PR: j.PR, Issue: j.Issue,
		Outcome: outcome, Actor: j.Sender})
	if err != nil || !fresh {
		return err // !fresh: a redelivery
	}
	log := zerolog.Ctx(ctx)
	log.Info().Str("outcome", outcome).Int("pr", j.PR).Msg("LifeOS PR closed")
	g, err := r.GitHub(repo)
	if err != nil {
		return err
	}
	if r.DeleteBranches && r.policyDeletesBranches(ctx, g, repo, j.Issue) {
		if err := g.DeleteBranch(ctx, j.Branch); err != nil {
			log.Warn().Err(err).Msg("Could not delete the branch")
		}
	}
	line := fmt.Sprintf("LifeOS's #%d was merged by @%s.", j.PR, j.Sender)
	if outcome == store.OutcomeRejected {
		line = fmt.Sprintf("LifeOS's #%d was closed without merging by @%s.", j.PR, j.Sender)
	}
	tell(ctx, g, j.Issue, line)
	return nil
}

// policyDeletesBranches reads the repository's branch.delete_after_close;
// with no usable policy the server's setting stands.
func (r *Runner) policyDeletesBranches(ctx context.Context, g files, repo jobs.Repo, issue int) bool {
	_, pol, err := r.policyOutsideRun(ctx, g, repo, issue)
	if err != nil {
		return true
	}
	return pol.DeleteBranchAfterClose
}
