package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
)

// terminalEnv is a GitHub double with one repository and issue, a
// scripted model fixing the issue, and the settings serve would read to
// reach both; it returns the issue's number.
func terminalEnv(t *testing.T) (*githubfake.Server, *modelfake.Server, map[string]string, int) {
	t.Helper()
	gh := githubfake.New(githubfake.Options{})
	t.Cleanup(gh.Close)
	gh.AddInstallation(7, "acme")
	gh.AddRepo(7, "acme/site", map[string]string{"README.md": "# Site\n\nHello, wrold!\n"})
	n := gh.AddIssue("acme/site", "Fix the typo", "It says wrold.", "alice")
	m := modelfake.New()
	t.Cleanup(m.Close)
	m.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{
			"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Finish("Fixed the typo."),
	)
	return gh, m, map[string]string{
		"GITHUB_APP_INTEGRATION_ID": strconv.FormatInt(gh.AppID(), 10),
		"GITHUB_APP_PRIVATE_KEY":    string(gh.PrivateKeyPEM()),
		"GITHUB_APP_WEBHOOK_SECRET": "s3cret",
		"GITHUB_V3_API_URL":         gh.URL(),
		"GITHUB_V4_API_URL":         gh.URL() + "graphql",
		"OPENAI_API_KEY":            "sk-test",
		"OPENAI_BASE_URL":           m.URL(),
		"LIFEOS_MODEL":              "local-model",
		"LIFEOS_PRICES":             "local-model=free",
		"LIFEOS_DATA_DIR":           t.TempDir(),
	}, n
}

// isWrite reports whether a request to the double changed something.
func isWrite(r githubfake.Request) bool {
	return r.Method != "GET" && r.Route != "POST /app/installations/{installation_id}/access_tokens"
}

// TestRunDryRunPushesNothing: a dry run reads the repository, calls the
// model, prints the commit it would push with its diff and every other
// write, and not one write reaches GitHub.
func TestRunDryRunPushesNothing(t *testing.T) {
	gh, m, settings, n := terminalEnv(t)
	var out, errOut bytes.Buffer
	code := run([]string{"run", "--repo", "acme/site", "--issue", strconv.Itoa(n), "--dry-run"}, env(settings), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, r := range gh.Requests() {
		if isWrite(r) {
			t.Errorf("a write reached GitHub: %s %s", r.Method, r.Path)
		}
	}
	if len(m.Requests()) != 2 {
		t.Errorf("the model got %d requests", len(m.Requests()))
	}
	for _, want := range []string{
		"dry run: would push a commit ", "-Hello, wrold!\n+Hello, world!\n",
		"dry run: would create the branch lifeos/issue-" + strconv.Itoa(n),
		"dry run: would open a pull request \"Fix the typo\" from lifeos/issue-" + strconv.Itoa(n) + " into main",
		"dry run: would comment on #" + strconv.Itoa(n),
		"ended succeeded", "writes to GitHub held back, nothing pushed",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if len(gh.Repo("acme/site").Pulls()) != 0 {
		t.Error("a pull request was opened")
	}
}

// TestRunOpensThePullRequest: without --dry-run the run pushes its commit
// and opens the PR, printing the diff.
func TestRunOpensThePullRequest(t *testing.T) {
	gh, _, settings, n := terminalEnv(t)
	var out, errOut bytes.Buffer
	code := run([]string{"run", "--repo", "acme/site", "--issue", strconv.Itoa(n)}, env(settings), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	pulls := gh.Repo("acme/site").Pulls()
	if len(pulls) != 1 || pulls[0].Head != "lifeos/issue-"+strconv.Itoa(n) {
		t.Fatalf("pulls = %+v", pulls)
	}
	files, _ := gh.Repo("acme/site").Files(pulls[0].Head)
	if files["README.md"] != "# Site\n\nHello, world!\n" {
		t.Errorf("README on the branch: %q", files["README.md"])
	}
	for _, want := range []string{"pushed a commit ", "-Hello, wrold!\n+Hello, world!\n", "pull request #" + strconv.Itoa(pulls[0].Number)} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRunFlags: the repository and the issue are required.
func TestRunFlags(t *testing.T) {
	for _, args := range [][]string{{"run"}, {"run", "--repo", "acme"}, {"run", "--repo", "a/b"}, {"run", "--issue", "3"}, {"run", "--repo", "a/b", "--issue", "x"}} {
		var out, errOut bytes.Buffer
		if code := run(args, env(nil), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "Usage:\n  lifeos run --repo") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut.String())
		}
	}
}
