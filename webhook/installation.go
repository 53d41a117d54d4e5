package webhook

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
)

// triageInstallation makes a Reload of the repositories an App
// installation was created with: their schedules start from then.
func triageInstallation(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	if action := gjson.GetBytes(payload, "action").Str; action != "created" {
		return nil, fmt.Sprintf("action %q is not created", action)
	}
	return reloadOf(d, payload, "repositories")
}

// triageInstallationRepositories makes a Reload of the repositories added
// to an installation.
func triageInstallationRepositories(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	if action := gjson.GetBytes(payload, "action").Str; action != "added" {
		return nil, fmt.Sprintf("action %q is not added", action)
	}
	return reloadOf(d, payload, "repositories_added")
}

// reloadOf reads the installation and the repositories listed under key.
// These payloads do not carry a repository's default branch; the reload
// asks GitHub.
func reloadOf(d jobs.Delivery, payload []byte, key string) (jobs.Job, string) {
	id := gjson.GetBytes(payload, "installation.id").Int()
	if id <= 0 {
		return nil, "no installation"
	}
	var repos []jobs.Repo
	for _, r := range gjson.GetBytes(payload, key).Array() {
		owner, name, ok := strings.Cut(r.Get("full_name").Str, "/")
		if ok && owner != "" && name != "" {
			repos = append(repos, jobs.Repo{InstallationID: id, Owner: owner, Name: name})
		}
	}
	if len(repos) == 0 {
		return nil, "no repositories"
	}
	return jobs.NewReload(d, repos), ""
}
