package githubfake

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-github/v89/github"
)

func TestObjectHashesMatchGit(t *testing.T) {
	st := objectStore{}
	if got, want := st.putBlob([]byte("hello\n")), "ce013625030ba8dba906f756967f9e9ca394464a"; got != want {
		t.Errorf("blob sha = %s, want %s", got, want)
	}
	if got, want := st.putTree(nil), "4b825dc642cb6eb9a060e54bf8d69288fbee4904"; got != want {
		t.Errorf("empty tree sha = %s, want %s", got, want)
	}

	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed; nested-tree comparison skipped")
	}
	files := map[string]File{
		"a.txt":          {Content: "a\n"},
		"a-b/x":          {Content: "dash sorts before slash\n"},
		"a/b/c.sh":       {Content: "#!/bin/sh\n", Mode: modeExec},
		"a/b.txt":        {Content: "b\n"},
		"link":           {Content: "a.txt", Mode: modeSymlink},
		"zeta/deep/y.md": {Content: "y\n"},
	}
	dir := t.TempDir()
	for p, f := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch f.Mode {
		case modeSymlink:
			err = os.Symlink(f.Content, full)
		case modeExec:
			err = os.WriteFile(full, []byte(f.Content), 0o755)
		default:
			err = os.WriteFile(full, []byte(f.Content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	want := git("write-tree")

	flat := map[string]fileEntry{}
	for p, f := range files {
		mode := f.Mode
		if mode == "" {
			mode = modeFile
		}
		flat[p] = fileEntry{Mode: mode, SHA: st.putBlob([]byte(f.Content))}
	}
	if got := st.buildTree(flat); got != want {
		t.Errorf("tree sha = %s, git write-tree says %s", got, want)
	}
}

func TestTreeCommitRefFlow(t *testing.T) {
	f := newFixture(t, map[string]string{
		"README.md":       "hello\n",
		"docs/guide.md":   "old guide\n",
		"docs/remove.txt": "bye\n",
	})
	mainSHA, _ := f.repo.BranchSHA("main")
	base, _, err := f.gh.Git.GetCommit(ctx, "acme", "widgets", mainSHA)
	if err != nil {
		t.Fatalf("get commit: %v", err)
	}

	tree, _, err := f.gh.Git.CreateTree(ctx, "acme", "widgets", base.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.Ptr("new/file.go"), Mode: github.Ptr("100644"), Type: github.Ptr("blob"), Content: github.Ptr("package x\n")},
		{Path: github.Ptr("docs/guide.md"), Mode: github.Ptr("100644"), Type: github.Ptr("blob"), Content: github.Ptr("new guide\n")},
		{Path: github.Ptr("docs/remove.txt"), Mode: github.Ptr("100644"), Type: github.Ptr("blob")}, // sha: null
	})
	if err != nil {
		t.Fatalf("create tree: %v", err)
	}
	commit, _, err := f.gh.Git.CreateCommit(ctx, "acme", "widgets", github.Commit{
		Message: github.Ptr("edit docs"),
		Tree:    &github.Tree{SHA: tree.SHA},
		Parents: []*github.Commit{{SHA: github.Ptr(mainSHA)}},
	}, nil)
	if err != nil {
		t.Fatalf("create commit: %v", err)
	}
	if got := commit.GetAuthor().GetName(); got != "lifeos[bot]" {
		t.Errorf("author = %q, want lifeos[bot]", got)
	}
	if _, _, err := f.gh.Git.CreateRef(ctx, "acme", "widgets", github.CreateRef{Ref: "refs/heads/feature", SHA: commit.GetSHA()}); err != nil {
		t.Fatalf("create ref: %v", err)
	}
	_, _, err = f.gh.Git.CreateRef(ctx, "acme", "widgets", github.CreateRef{Ref: "refs/heads/feature", SHA: commit.GetSHA()})
	if statusOf(err) != 422 || !strings.Contains(errorText(err), "Reference already exists") {
		t.Errorf("duplicate ref: err = %v, want 422 Reference already exists", err)
	}

	got, err := f.repo.Files("feature")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"README.md": "hello\n", "docs/guide.md": "new guide\n", "new/file.go": "package x\n"}
	if len(got) != len(want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	for p, c := range want {
		if got[p] != c {
			t.Errorf("%s = %q, want %q", p, got[p], c)
		}
	}

	// main moves on independently, so feature -> main is not a fast forward.
	otherCommit, _, err := f.gh.Git.CreateCommit(ctx, "acme", "widgets", github.Commit{
		Message: github.Ptr("unrelated"), Tree: &github.Tree{SHA: base.Tree.SHA},
		Parents: []*github.Commit{{SHA: github.Ptr(mainSHA)}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref := github.UpdateRef{SHA: otherCommit.GetSHA(), Force: github.Ptr(false)}
	_, _, err = f.gh.Git.UpdateRef(ctx, "acme", "widgets", "heads/feature", ref)
	if statusOf(err) != 422 || !strings.Contains(errorText(err), "Update is not a fast forward") {
		t.Fatalf("non-fast-forward update: err = %v, want 422", err)
	}
	if _, _, err := f.gh.Git.UpdateRef(ctx, "acme", "widgets", "heads/feature", github.UpdateRef{SHA: ref.SHA, Force: github.Ptr(true)}); err != nil {
		t.Fatalf("forced update: %v", err)
	}
	if sha, _ := f.repo.BranchSHA("feature"); sha != otherCommit.GetSHA() {
		t.Errorf("feature = %s, want %s", sha, otherCommit.GetSHA())
	}
	if _, err := f.gh.Git.DeleteRef(ctx, "acme", "widgets", "heads/feature"); err != nil {
		t.Fatalf("delete ref: %v", err)
	}
	if _, ok := f.repo.BranchSHA("feature"); ok {
		t.Error("feature still exists after delete")
	}
	noValidationErrors(t, f.s)
}

func TestCreateTreeErrors(t *testing.T) {
	f := newFixture(t, map[string]string{"a": "a"})
	tests := []struct {
		name    string
		base    string
		entries []*github.TreeEntry
		want    string
	}{
		{"unknown base tree", strings.Repeat("1", 40), []*github.TreeEntry{{Path: github.Ptr("x"), Mode: github.Ptr("100644"), Type: github.Ptr("blob"), Content: github.Ptr("x")}}, "base_tree"},
		{"unknown blob", "", []*github.TreeEntry{{Path: github.Ptr("x"), Mode: github.Ptr("100644"), Type: github.Ptr("blob"), SHA: github.Ptr(strings.Repeat("2", 40))}}, "not a valid blob"},
		{"dot dot path", "", []*github.TreeEntry{{Path: github.Ptr("../x"), Mode: github.Ptr("100644"), Type: github.Ptr("blob"), Content: github.Ptr("x")}}, "malformed path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.gh.Git.CreateTree(ctx, "acme", "widgets", tt.base, tt.entries)
			if statusOf(err) != 422 || !strings.Contains(errorText(err), tt.want) {
				t.Errorf("err = %v, want 422 mentioning %q", err, tt.want)
			}
		})
	}
}

func TestSlashRefsRoute(t *testing.T) {
	f := newFixture(t, map[string]string{"dir/sub/file.txt": "nested\n"})
	mainSHA, _ := f.repo.BranchSHA("main")
	if _, _, err := f.gh.Git.CreateRef(ctx, "acme", "widgets", github.CreateRef{Ref: "refs/heads/lifeos/issue-7", SHA: mainSHA}); err != nil {
		t.Fatalf("create ref: %v", err)
	}
	ref, _, err := f.gh.Git.GetRef(ctx, "acme", "widgets", "heads/lifeos/issue-7")
	if err != nil || ref.GetObject().GetSHA() != mainSHA {
		t.Fatalf("get ref = %v, %v", ref, err)
	}
	br, _, err := f.gh.Repositories.GetBranch(ctx, "acme", "widgets", "lifeos/issue-7", 0)
	if err != nil || br.GetCommit().GetSHA() != mainSHA {
		t.Fatalf("get branch = %v, %v", br, err)
	}
	rc, _, err := f.gh.Repositories.GetCommit(ctx, "acme", "widgets", "lifeos/issue-7", nil)
	if err != nil || rc.GetSHA() != mainSHA || rc.GetCommit().GetTree().GetSHA() == "" {
		t.Fatalf("get commit = %v, %v", rc, err)
	}
	file, _, _, err := f.gh.Repositories.GetContents(ctx, "acme", "widgets", "dir/sub/file.txt", &github.RepositoryContentGetOptions{Ref: "lifeos/issue-7"})
	if err != nil {
		t.Fatalf("get contents: %v", err)
	}
	if c, _ := file.GetContent(); c != "nested\n" {
		t.Errorf("content = %q", c)
	}
	_, _, _, err = f.gh.Repositories.GetContents(ctx, "acme", "widgets", "dir/missing.txt", nil)
	if statusOf(err) != 404 {
		t.Errorf("missing file: err = %v, want 404", err)
	}
	_, dir, _, err := f.gh.Repositories.GetContents(ctx, "acme", "widgets", "dir", nil)
	if err != nil || len(dir) != 1 || dir[0].GetType() != "dir" {
		t.Errorf("dir listing = %v, %v", dir, err)
	}
	noValidationErrors(t, f.s)
}

func TestTarballRoundTrip(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	s.AddInstallation(testInstallation, testOrg)
	repo := s.AddRepoFiles(testInstallation, testRepo, map[string]File{
		"run.sh":       {Content: "#!/bin/sh\necho hi\n", Mode: modeExec},
		"src/main.go":  {Content: "package main\n"},
		"src/link.txt": {Content: "main.go", Mode: modeSymlink},
	})
	gh := installationClient(t, s, testInstallation)
	sha, _ := repo.BranchSHA("main")

	link, _, err := gh.Repositories.GetArchiveLink(ctx, "acme", "widgets", github.Tarball, &github.RepositoryContentGetOptions{Ref: sha}, 0)
	if err != nil {
		t.Fatalf("archive link: %v", err)
	}
	resp, err := http.Get(link.String()) // no credentials, like a download client
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("download status = %d: %s", resp.StatusCode, b)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	root := "acme-widgets-" + sha[:7] + "/"
	got := map[string]*tar.Header{}
	contents := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			if h.PAXRecords["comment"] != sha {
				t.Errorf("pax comment = %q, want %s", h.PAXRecords["comment"], sha)
			}
			continue
		}
		if !strings.HasPrefix(h.Name, root) {
			t.Errorf("entry %s outside %s", h.Name, root)
		}
		rel := strings.TrimPrefix(h.Name, root)
		got[rel] = h
		b, _ := io.ReadAll(tr)
		contents[rel] = string(b)
	}
	if h := got["run.sh"]; h == nil || h.Mode&0o111 == 0 || contents["run.sh"] != "#!/bin/sh\necho hi\n" {
		t.Errorf("run.sh = %+v %q, want executable with content", h, contents["run.sh"])
	}
	if h := got["src/main.go"]; h == nil || h.Mode&0o111 != 0 || contents["src/main.go"] != "package main\n" {
		t.Errorf("src/main.go = %+v", h)
	}
	if h := got["src/link.txt"]; h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "main.go" {
		t.Errorf("src/link.txt = %+v", h)
	}
	if h := got["src/"]; h == nil || h.Typeflag != tar.TypeDir {
		t.Errorf("src/ = %+v", h)
	}

	var tarballRequests int
	for _, r := range s.Requests() {
		if strings.Contains(r.Path, "tarball") || strings.Contains(r.Path, "codeload") {
			tarballRequests++
		}
	}
	if tarballRequests != 1 {
		t.Errorf("logged %d tarball requests, want 1 (the download is not an API request)", tarballRequests)
	}
	noValidationErrors(t, s)
}

func TestBlobsAndRecursiveTrees(t *testing.T) {
	f := newFixture(t, map[string]string{"a/b/c.txt": "c\n", "top.txt": "t\n"})
	blob, _, err := f.gh.Git.CreateBlob(ctx, "acme", "widgets", github.Blob{Content: github.Ptr("aGk="), Encoding: github.Ptr("base64")})
	if err != nil {
		t.Fatalf("create blob: %v", err)
	}
	got, _, err := f.gh.Git.GetBlobRaw(ctx, "acme", "widgets", blob.GetSHA())
	if err != nil || string(got) != "hi" {
		t.Errorf("blob = %q, %v", got, err)
	}
	b, _, err := f.gh.Git.GetBlob(ctx, "acme", "widgets", blob.GetSHA())
	if err != nil || b.GetEncoding() != "base64" || b.GetSize() != 2 {
		t.Errorf("blob json = %+v, %v", b, err)
	}

	mainSHA, _ := f.repo.BranchSHA("main")
	tree, _, err := f.gh.Git.GetTree(ctx, "acme", "widgets", mainSHA, true)
	if err != nil {
		t.Fatalf("get tree: %v", err)
	}
	var paths []string
	for _, e := range tree.Entries {
		paths = append(paths, e.GetType()+":"+e.GetPath())
	}
	if want := "tree:a tree:a/b blob:a/b/c.txt blob:top.txt"; strings.Join(paths, " ") != want {
		t.Errorf("recursive tree = %s, want %s", strings.Join(paths, " "), want)
	}
	flat, _, err := f.gh.Git.GetTree(ctx, "acme", "widgets", tree.GetSHA(), false)
	if err != nil || len(flat.Entries) != 2 {
		t.Errorf("flat tree = %v, %v", flat, err)
	}
	noValidationErrors(t, f.s)
}
