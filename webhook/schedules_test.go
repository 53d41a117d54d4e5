package webhook

import (
	"testing"

	"github.com/lifeos/lifeos/jobs"
)

func TestTriagePush(t *testing.T) {
	d := delivery("push")
	reload := jobs.NewReload(d, []jobs.Repo{repo("master")})
	runTriage(t, triagePush, "push", []edit{{"installation.id", 42}}, []triageCase{
		{name: "policy changed on the default branch", want: reload},
		{name: "policy added", edits: []edit{{"commits.0.modified", []string{}}, {"commits.0.added", []string{".github/lifeos.yml"}}}, want: reload},
		{name: "policy removed", edits: []edit{{"commits.0.modified", []string{}}, {"commits.0.removed", []string{".github/lifeos.yml"}}}, want: reload},
		{name: "no commits listed", edits: []edit{{"commits", []string{}}}, want: reload},
		{name: "other files", edits: []edit{{"commits.0.modified", []string{"README.md"}}}, why: "does not touch"},
		{name: "other branch", edits: []edit{{"ref", "refs/heads/feature"}}, why: "not the default branch"},
		{name: "a tag", edits: []edit{{"ref", "refs/tags/master"}}, why: "not the default branch"},
		{name: "branch deleted", edits: []edit{{"deleted", true}}, why: "deleted"},
		{name: "no installation", edits: []edit{{"installation", deleted{}}}, why: "installation"},
	})
}

func TestTriageInstallation(t *testing.T) {
	r := jobs.Repo{InstallationID: 957387, Owner: "Codertocat", Name: "Hello-World"}
	runTriage(t, triageInstallation, "installation.created", nil, []triageCase{
		{name: "created", want: jobs.NewReload(delivery("installation"), []jobs.Repo{r})},
		{name: "deleted", edits: []edit{{"action", "deleted"}}, why: "action"},
		{name: "no repositories", edits: []edit{{"repositories", []string{}}}, why: "no repositories"},
		{name: "no installation", edits: []edit{{"installation", deleted{}}}, why: "installation"},
	})
	runTriage(t, triageInstallationRepositories, "installation_repositories.added", nil, []triageCase{
		{name: "added", want: jobs.NewReload(delivery("installation_repositories"), []jobs.Repo{r})},
		{name: "removed", edits: []edit{{"action", "removed"}}, why: "action"},
	})
}
