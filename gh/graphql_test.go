package gh

import (
	"testing"

	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/jobs"
)

// MarkPullReady goes through the installation's GraphQL client, and a
// refusal in GraphQL's errors array is judged like REST's answer.
func TestMarkPullReady(t *testing.T) {
	fake := githubfake.New(githubfake.Options{})
	t.Cleanup(fake.Close)
	fake.AddInstallation(7, "acme")
	fake.AddRepo(7, "acme/widgets", map[string]string{"README.md": "hi\n"})
	hello := "hello\n"
	fake.PushCommit("acme/widgets", "feature", map[string]*string{"README.md": &hello}, "hello")
	clients, err := NewClients(Config{V3APIURL: fake.URL(), V4APIURL: fake.URL() + "graphql",
		IntegrationID: fake.AppID(), PrivateKey: fake.PrivateKeyPEM(), UserAgent: "lifeos-test"})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := clients.Repo(jobs.Repo{InstallationID: 7, Owner: "acme", Name: "widgets", DefaultBranch: "main"}, "lifeos")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := repo.CreatePull(t.Context(), NewPull{Title: "t", Head: "feature", Base: "main", Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Draft || pr.NodeID == "" {
		t.Fatalf("created %+v, want a draft with a node id", pr)
	}
	if err := repo.MarkPullReady(t.Context(), pr.NodeID); err != nil {
		t.Fatal(err)
	}
	if got, _ := repo.Pull(t.Context(), pr.Number); got.Draft {
		t.Error("still a draft after MarkPullReady")
	}
	err = repo.MarkPullReady(t.Context(), "bm90LWEtbm9kZQ==")
	if err == nil || !Answer(err) {
		t.Errorf("unknown node: %v, want an answer (404) that is not retried", err)
	}
	if bad := fake.ValidationErrors(); len(bad) > 0 {
		t.Errorf("the double saw requests GitHub would refuse: %v", bad)
	}
}
