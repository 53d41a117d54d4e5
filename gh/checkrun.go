package gh

import (
	"context"
	"fmt"

	"github.com/google/go-github/v89/github"
)

// CheckRun is a completed check run LifeOS reports on a commit it pushed.
type CheckRun struct {
	Name, HeadSHA string
	// Conclusion is GitHub's: success, neutral, failure...
	Conclusion string
	// DetailsURL is where the check's "Details" link goes (the run page);
	// empty for none.
	DetailsURL     string
	Title, Summary string
}

// CreateCheckRun creates a completed check run and returns its id.
func (r *Repo) CreateCheckRun(ctx context.Context, c CheckRun) (int64, error) {
	opts := github.CreateCheckRunOptions{
		Name: c.Name, HeadSHA: c.HeadSHA, Status: github.Ptr("completed"), Conclusion: github.Ptr(c.Conclusion),
		Output: &github.CheckRunOutput{Title: github.Ptr(c.Title), Summary: github.Ptr(c.Summary)},
	}
	if c.DetailsURL != "" {
		opts.DetailsURL = github.Ptr(c.DetailsURL)
	}
	cr, _, err := r.gh.Checks.CreateCheckRun(ctx, r.owner, r.name, opts)
	if err != nil {
		return 0, fmt.Errorf("create check run %q on %s@%s: %w", c.Name, r, c.HeadSHA, err)
	}
	return cr.GetID(), nil
}

// OwnCheckRun returns the id of the App's own check run named name on a
// commit, or 0 if it has none: a resumed run looks before it creates.
func (r *Repo) OwnCheckRun(ctx context.Context, sha, name string) (int64, error) {
	opts := &github.ListCheckRunsOptions{CheckName: github.Ptr(name), Filter: github.Ptr("latest"), ListOptions: github.ListOptions{PerPage: 100}}
	res, _, err := r.gh.Checks.ListCheckRunsForRef(ctx, r.owner, r.name, sha, opts)
	if err != nil {
		return 0, fmt.Errorf("list check runs %q of %s@%s: %w", name, r, sha, err)
	}
	for _, cr := range res.CheckRuns {
		if cr.GetApp().GetSlug() == r.appSlug {
			return cr.GetID(), nil
		}
	}
	return 0, nil
}
