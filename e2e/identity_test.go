package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/server"
)

// An App's slug is unique on GitHub, so a real installation's bot is
// rarely "lifeos[bot]". The server reads the slug from GET /app: its own
// PRs are recognised when closed, and their branches deleted.
func TestAppSlugIsReadFromGitHub(t *testing.T) {
	e := start(t, envOpts{appSlug: "acme-lifeos"})
	issue, pr := e.openPR()
	if p, _ := e.gh.Repo(repoName).Pull(pr); p.User != "acme-lifeos[bot]" {
		t.Fatalf("PR author = %q, want the App's bot", p.User)
	}
	e.closePR(pr, true)
	b := e.waitComments(issue, 2)
	if !strings.Contains(b[1], "merged") {
		t.Errorf("issue comment = %q, want the merge noted", b[1])
	}
	counts, err := e.srv.Store().OutcomeCounts(context.Background(), repoName)
	if err != nil || counts["merged"] != 1 {
		t.Errorf("outcomes = %v, %v; want one merged", counts, err)
	}
	if _, ok := e.gh.Repo(repoName).BranchSHA("lifeos/issue-" + itoa(issue)); ok {
		t.Error("the merged PR's branch was not deleted")
	}
}

// A wrong App ID stops start-up with one line naming the cause.
func TestStartupNamesBadAppCredentials(t *testing.T) {
	gh := githubfake.New(githubfake.Options{})
	t.Cleanup(gh.Close)
	cfg := &config.Config{
		IntegrationID: gh.AppID() + 1, PrivateKey: gh.PrivateKeyPEM(), WebhookSecret: secret,
		V3APIURL: gh.URL(), V4APIURL: gh.URL() + "graphql", OpenAIAPIKey: "sk", Model: "gpt-e2e",
		DataDir: t.TempDir(), TriggerLabel: "lifeos:do", Ceilings: e2eCeilings(),
	}
	_, err := server.New(context.Background(), cfg, zerolog.Nop(), server.Options{})
	if err == nil {
		t.Fatal("server started with another App's ID")
	}
	if msg := err.Error(); !strings.Contains(msg, "GET /app") || !strings.Contains(msg, "GITHUB_APP_INTEGRATION_ID") || strings.Contains(msg, "\n") {
		t.Errorf("start-up error = %q, want one line naming GET /app and the setting to check", msg)
	}
}
