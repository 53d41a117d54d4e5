package runner

import (
	"context"
	"strings"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/policy"
)

// review starts a revision when a trusted user requests changes on a
// LifeOS PR, steered by the review and its inline comments.
func (r *Runner) review(ctx context.Context, jobID int64, j jobs.Review) error {
	d, repo := j.Meta()
	g, err := r.GitHub(repo)
	if err != nil {
		return err
	}
	t := newTrust(g, "", "")
	ok, err := t.trusted(ctx, j.Reviewer, false)
	if err != nil {
		return err
	}
	audit(*zerolog.Ctx(ctx), policy.Decision{Allow: ok, Rule: "review.trusted", Reason: "@" + j.Reviewer + " requested changes"})
	if !ok {
		return nil
	}
	cs, err := g.ReviewComments(ctx, j.PR, j.ReviewID)
	if err != nil {
		return err
	}
	comments, err := t.filter(ctx, cs)
	if err != nil {
		return err
	}
	instructions := "A reviewer requested changes on the pull request. Revise the change to address the review."
	if body := strings.TrimSpace(j.Body); body != "" {
		instructions += "\n\nReview by @" + j.Reviewer + ":\n" + body
	}
	return r.code(ctx, &request{
		jobID: jobID, delivery: d, repo: repo, gh: g,
		trigger: "review", actor: j.Reviewer, actorRole: t.roles[j.Reviewer],
		issueNumber: j.Issue, prNumber: j.PR, replyTo: j.PR,
		instructions: instructions, comments: comments, waitTurn: true,
	})
}
