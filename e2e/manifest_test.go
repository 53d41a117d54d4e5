package e2e

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// manifestPermissions reads the permissions app.yml asks for.
func manifestPermissions(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../app.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		DefaultPermissions map[string]string `yaml:"default_permissions"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("parse app.yml: %v", err)
	}
	if len(m.DefaultPermissions) == 0 {
		t.Fatal("app.yml asks for no permissions")
	}
	return m.DefaultPermissions
}

// refused lists the requests GitHub refused for want of a permission.
func (e *env) refused() []string {
	var out []string
	for _, r := range e.gh.Requests() {
		if r.Status == 403 {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// An installation granting exactly what app.yml asks for can do what LifeOS
// does: a run to a PR, a rung-3 merge on a protected branch (check runs,
// commit statuses, required checks), and a CI fix with annotations and logs.
func TestManifestPermissionsAreEnough(t *testing.T) {
	perms := manifestPermissions(t)

	t.Run("rung 3 merge", func(t *testing.T) {
		e := rung3(t)
		e.gh.SetInstallationPermissions(installationID, perms)
		e.gh.SetRequiredChecks(repoName, "main", "test")
		_, pr := e.docsPR("docs/new.md", "# New\n")
		pull, _ := e.gh.Repo(repoName).Pull(pr)
		e.gh.SetStatus(repoName, pull.HeadSHA, "ci/jenkins", "success")
		e.passCI(pr)
		if !e.merged(pr) {
			t.Error("not merged")
		}
		if r := e.refused(); len(r) > 0 {
			t.Errorf("refused for want of a permission app.yml does not ask for:\n%s", strings.Join(r, "\n"))
		}
	})

	t.Run("CI fix", func(t *testing.T) {
		e := start(t, envOpts{})
		e.gh.SetInstallationPermissions(installationID, perms)
		issue, pr := e.openPR()
		e.model.Script(
			modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "fix.txt", "content": "x\n"})}},
			modelfake.Finish("Fixed CI."),
		)
		e.failCI(pr, "expected 1, got 2")
		if run := e.waitRuns(issue, 2)[1]; run.Status != store.StatusSucceeded || run.Trigger != "ci" {
			t.Errorf("fix run = %+v", run)
		}
		if r := e.refused(); len(r) > 0 {
			t.Errorf("refused for want of a permission app.yml does not ask for:\n%s", strings.Join(r, "\n"))
		}
	})
}

// The double's default grant covers the manifest, so the other e2e tests
// run with at least what a real installation has.
func TestDoubleGrantsTheManifestPermissions(t *testing.T) {
	granted := githubfake.DefaultPermissions()
	rank := map[string]int{"read": 1, "write": 2, "admin": 3}
	for perm, level := range manifestPermissions(t) {
		if rank[granted[perm]] < rank[level] {
			t.Errorf("app.yml asks for %s: %s; the double grants %q by default", perm, level, granted[perm])
		}
	}
}
