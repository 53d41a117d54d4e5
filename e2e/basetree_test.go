package e2e

import (
	"testing"

	"github.com/lifeos/lifeos/store"
)

// A branch answer without commit.commit.tree (an older GitHub Enterprise,
// a proxy, a compatible server) must not make a commit whose tree holds
// only the agent's files: the PR would delete the rest of the repository.
func TestCommitKeepsTheRepositoryWhenTheBranchAnswerHasNoTree(t *testing.T) {
	e := start(t, envOpts{})
	e.gh.SetBranchWithoutTree(true)
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	files, err := e.gh.Repo(repoName).Files("lifeos/issue-" + itoa(n))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"README.md", "main.go", "docs/guide.md", "scripts/run.sh"} {
		if _, ok := files[p]; !ok {
			t.Errorf("the commit dropped %s; files = %v", p, keys(files))
		}
	}
	if files["README.md"] != "# Hello-World\n\nHello, world!\n" {
		t.Errorf("README.md = %q", files["README.md"])
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
