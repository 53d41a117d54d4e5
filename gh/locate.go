package gh

import (
	"context"
	"fmt"

	"github.com/lifeos/lifeos/jobs"
)

// Locate finds a repository the App is installed on, as a job would name
// it: its installation (asked with the App's JWT) and its default branch
// (asked through that installation). A terminal run (`lifeos run`) starts
// from it, where a webhook would have carried both.
func (c *Clients) Locate(ctx context.Context, owner, name string) (jobs.Repo, error) {
	app, err := c.creator.NewAppClient()
	if err != nil {
		return jobs.Repo{}, fmt.Errorf("app client: %w", err)
	}
	inst, _, err := app.Apps.GetRepositoryInstallation(ctx, owner, name)
	if err != nil {
		return jobs.Repo{}, fmt.Errorf("find the App's installation on %s/%s (is the App installed there?): %w", owner, name, err)
	}
	client, err := c.creator.NewInstallationClient(inst.GetID())
	if err != nil {
		return jobs.Repo{}, fmt.Errorf("installation client %d: %w", inst.GetID(), err)
	}
	repo, _, err := client.Repositories.Get(ctx, owner, name)
	if err != nil {
		return jobs.Repo{}, fmt.Errorf("read %s/%s: %w", owner, name, err)
	}
	return jobs.Repo{InstallationID: inst.GetID(), Owner: repo.GetOwner().GetLogin(), Name: repo.GetName(), DefaultBranch: repo.GetDefaultBranch()}, nil
}
