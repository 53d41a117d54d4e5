package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// bigRepo is a repository of about 70 MB, over the 64 MB a run could hold
// when snapshots lived in memory: the README with its typo and seventy
// one-megabyte text files, the last of which holds a marker to search for.
func bigRepo() map[string]string {
	files := map[string]string{"README.md": "# Hello-World\n\nHello, wrold!\n"}
	line := strings.Repeat("all work and no play makes a big repository ", 2) + "\n"
	chunk := strings.Repeat(line, (1<<20)/len(line))
	for i := range 70 {
		files[fmt.Sprintf("data/part%02d.txt", i)] = chunk
	}
	files["data/part69.txt"] += "NEEDLE: the line the agent looks for\n"
	return files
}

// TestRepositoryOverOldCapWorks: a repository larger than the old in-memory
// cap is unpacked to the data directory, searched file by file and edited,
// and the run opens its PR; its snapshot file is gone when the run ends,
// and one a crashed process left behind is deleted at start-up.
func TestRepositoryOverOldCapWorks(t *testing.T) {
	var leftover string
	e := start(t, envOpts{files: bigRepo(), configure: func(c *config.Config) {
		if err := os.MkdirAll(c.SnapshotDir(), 0o700); err != nil {
			t.Fatal(err)
		}
		leftover = filepath.Join(c.SnapshotDir(), "snapshot-crashed.blob")
		if err := os.WriteFile(leftover, []byte("a crashed run's snapshot"), 0o600); err != nil {
			t.Fatal(err)
		}
	}})
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Fatalf("the crashed run's snapshot survived start-up: %v", err)
	}
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("search", map[string]any{"query": "NEEDLE"})}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": "README.md"})}},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{
			"path": "README.md", "old": "wrold", "new": "world"})}},
		modelfake.Finish("Fixed the typo in README.md."),
	)
	if code := e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")); code != http.StatusOK {
		t.Fatalf("delivery answered %d", code)
	}
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	files, err := e.gh.Repo(repoName).Files("lifeos/issue-" + itoa(n))
	if err != nil {
		t.Fatal(err)
	}
	if got := files["README.md"]; got != "# Hello-World\n\nHello, world!\n" {
		t.Errorf("README on branch = %q", got)
	}
	reqs := e.model.Requests()
	if len(reqs) < 2 || !strings.Contains(fmt.Sprint(reqs[1].ToolResults()), "data/part69.txt:") {
		t.Errorf("the search did not find the needle in the last big file")
	}
	left, err := os.ReadDir(e.cfg.SnapshotDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("the run's snapshot was not deleted: %v", left)
	}
}
