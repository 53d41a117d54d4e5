package githubfake

import (
	"testing"

	"github.com/palantir/go-githubapp/appconfig"
	"github.com/palantir/go-githubapp/githubapp"
)

// TestGoGithubappClients drives the double with the client stack the
// LifeOS server uses: go-githubapp's client creator and config loader.
func TestGoGithubappClients(t *testing.T) {
	s := New(Options{AppID: 99})
	defer s.Close()
	s.AddInstallation(testInstallation, testOrg)
	s.AddRepo(testInstallation, testRepo, map[string]string{".github/lifeos.yml": "budget: 3\n"})

	var conf githubapp.Config
	conf.V3APIURL = s.URL()
	conf.App.IntegrationID = s.AppID()
	conf.App.PrivateKey = string(s.PrivateKeyPEM())
	cc, err := githubapp.NewDefaultCachingClientCreator(conf)
	if err != nil {
		t.Fatal(err)
	}
	gh, err := cc.NewInstallationClient(testInstallation)
	if err != nil {
		t.Fatal(err)
	}
	loader := appconfig.NewLoader([]string{".github/lifeos.yml"}, appconfig.WithOwnerDefault(".github", []string{"lifeos.yml"}))
	cfg, err := loader.LoadConfig(ctx, gh, "acme", "widgets", "main")
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	if string(cfg.Content) != "budget: 3\n" {
		t.Errorf("config = %q from %s", cfg.Content, cfg.Source)
	}
	app, err := cc.NewAppClient()
	if err != nil {
		t.Fatal(err)
	}
	inst, _, err := app.Apps.GetRepositoryInstallation(ctx, "acme", "widgets")
	if err != nil || inst.GetID() != testInstallation {
		t.Errorf("repo installation = %v, %v", inst, err)
	}
	noValidationErrors(t, s)
}
