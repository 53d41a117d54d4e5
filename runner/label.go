package runner

import (
	"context"

	"github.com/lifeos/lifeos/jobs"
)

// label starts a run for a labelled issue; the run asks GitHub whether the
// person who labelled it may.
func (r *Runner) label(ctx context.Context, jobID int64, j jobs.Run) error {
	d, repo := j.Meta()
	g, err := r.GitHub(repo)
	if err != nil {
		return err
	}
	issue := j.Issue
	return r.code(ctx, &request{
		jobID: jobID, delivery: d, repo: repo, gh: g,
		trigger: "label", actor: j.Actor, checkActor: true, label: j.Label,
		issueNumber: issue.Number, issue: &issue, replyTo: issue.Number,
	})
}
