package workspace

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestCleanPath(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "a/b.go", want: "a/b.go"},
		{in: "./a/b", want: "a/b"},
		{in: "a//b/", want: "a/b"},
		{in: "a/./b", want: "a/b"},
		{in: ".github/workflows/ci.yml", want: ".github/workflows/ci.yml"},
		{in: ".gitignore", want: ".gitignore"},
		{in: "a/.gitkeep", want: "a/.gitkeep"},
		{in: "", wantErr: "empty path"},
		{in: ".", wantErr: "names no file"},
		{in: "./", wantErr: "names no file"},
		{in: "../x", wantErr: "leaves the repository"},
		{in: "a/../../x", wantErr: "leaves the repository"},
		{in: "a/..", wantErr: "leaves the repository"},
		{in: "/etc/passwd", wantErr: "absolute"},
		{in: `a\b`, wantErr: "backslash"},
		{in: `..\x`, wantErr: "backslash"},
		{in: ".git/config", wantErr: ".git"},
		{in: ".git", wantErr: ".git"},
		{in: "a/.git/x", wantErr: ".git"},
		{in: "a/.GIT/x", wantErr: ".git"},
		{in: "a\x00b", wantErr: "control character"},
		{in: "a\nb", wantErr: "control character"},
		{in: strings.Repeat("a", maxPathBytes+1), wantErr: "longer than"},
	}
	for _, tt := range tests {
		got, err := CleanPath(tt.in)
		switch {
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("CleanPath(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("CleanPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestWorkspaceChanges(t *testing.T) {
	type op struct {
		del           bool
		path, content string
	}
	tests := []struct {
		name    string
		ops     []op
		want    []Change
		wantErr string
	}{
		{name: "no ops", want: nil},
		{name: "edit keeps exec mode", ops: []op{{path: "run.sh", content: "echo hi\n"}},
			want: []Change{{Path: "run.sh", Content: []byte("echo hi\n"), Mode: ModeExec}}},
		{name: "identical write is no change", ops: []op{{path: "a.txt", content: "a\n"}}},
		{name: "write back original is no change", ops: []op{{path: "a.txt", content: "x"}, {path: "a.txt", content: "a\n"}}},
		{name: "create then delete is no change", ops: []op{{path: "new.txt", content: "n"}, {del: true, path: "new.txt"}}},
		{name: "delete keeps mode", ops: []op{{del: true, path: "run.sh"}},
			want: []Change{{Path: "run.sh", Delete: true, Mode: ModeExec}}},
		{name: "delete then recreate same is no change", ops: []op{{del: true, path: "a.txt"}, {path: "a.txt", content: "a\n"}}},
		{name: "create empty file, sorted", ops: []op{{path: "z/new.txt", content: ""}, {path: "b.txt", content: "b"}},
			want: []Change{{Path: "b.txt", Content: []byte("b"), Mode: ModeFile}, {Path: "z/new.txt", Content: []byte{}, Mode: ModeFile}}},
		{name: "normalised path", ops: []op{{path: "./a.txt", content: "A"}},
			want: []Change{{Path: "a.txt", Content: []byte("A"), Mode: ModeFile}}},
		{name: "delete missing", ops: []op{{del: true, path: "nope"}}, wantErr: "does not exist"},
		{name: "delete twice", ops: []op{{del: true, path: "a.txt"}, {del: true, path: "a.txt"}}, wantErr: "does not exist"},
		{name: "write over directory", ops: []op{{path: "src", content: "x"}}, wantErr: "is a directory"},
		{name: "write under file", ops: []op{{path: "a.txt/b", content: "x"}}, wantErr: "is a file"},
		{name: "dir freed by delete", ops: []op{{del: true, path: "src/main.go"}, {path: "src", content: "x"}},
			want: []Change{{Path: "src", Content: []byte("x"), Mode: ModeFile}, {Path: "src/main.go", Delete: true, Mode: ModeFile}}},
	}
	snap := mustTarball(t, []tarEntry{
		{name: "r/a.txt", body: "a\n", mode: 0o644},
		{name: "r/run.sh", body: "echo\n", mode: 0o755},
		{name: "r/src/main.go", body: "package main\n", mode: 0o644},
	}, 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := New(snap)
			var err error
			for _, o := range tt.ops {
				if o.del {
					err = ws.DeleteFile(o.path)
				} else {
					err = ws.WriteFile(o.path, []byte(o.content))
				}
				if err != nil {
					break
				}
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ws.Changes(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Changes = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestWorkspaceView(t *testing.T) {
	ws := New(NewSnapshot(map[string][]byte{"a": []byte("1"), "b/c": []byte("2")}))
	if err := ws.WriteFile("d", []byte("3")); err != nil {
		t.Fatal(err)
	}
	if err := ws.DeleteFile("a"); err != nil {
		t.Fatal(err)
	}
	if got, want := ws.Paths(), []string{"b/c", "d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Paths = %v, want %v", got, want)
	}
	if _, ok := ws.File("a"); ok {
		t.Error("deleted file still readable")
	}
	if got, _ := ws.File("d"); string(got) != "3" {
		t.Errorf("File(d) = %q", got)
	}
	if got := ws.Snapshot().Paths(); !reflect.DeepEqual(got, []string{"a", "b/c"}) {
		t.Errorf("snapshot changed: %v", got)
	}
}

type tarEntry struct {
	name, body, link string
	mode             int64
	typ              byte
}

func buildTarball(t testing.TB, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: e.name, Mode: e.mode, Typeflag: typ, Linkname: e.link, Format: tar.FormatPAX}
		if typ == tar.TypeReg {
			hdr.Size = int64(len(e.body))
		}
		if typ == tar.TypeXGlobalHeader {
			hdr.PAXRecords = map[string]string{"comment": "0123456789abcdef0123456789abcdef01234567"}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("tar header %s: %v", e.name, err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustTarball(t *testing.T, entries []tarEntry, maxBytes int64) *Snapshot {
	t.Helper()
	s, err := LoadTarball(bytes.NewReader(buildTarball(t, entries)), maxBytes)
	if err != nil {
		t.Fatalf("LoadTarball: %v", err)
	}
	return s
}

// githubLike is shaped like a GitHub tarball: a pax global header carrying
// the commit, then everything under owner-repo-sha/.
var githubLike = []tarEntry{
	{name: "pax_global_header", typ: tar.TypeXGlobalHeader},
	{name: "octo-hello-abc1234/", typ: tar.TypeDir, mode: 0o755},
	{name: "octo-hello-abc1234/README.md", body: "# hello\n", mode: 0o644},
	{name: "octo-hello-abc1234/bin/", typ: tar.TypeDir, mode: 0o755},
	{name: "octo-hello-abc1234/bin/build.sh", body: "#!/bin/sh\nmake\n", mode: 0o775},
	{name: "octo-hello-abc1234/docs", typ: tar.TypeSymlink, link: "README.md", mode: 0o777},
	{name: "octo-hello-abc1234/src/main.go", body: "package main\n", mode: 0o664},
	{name: "octo-hello-abc1234/.git/config", body: "[core]\n", mode: 0o644},
}

func TestLoadTarball(t *testing.T) {
	s := mustTarball(t, githubLike, 1<<20)
	if got, want := s.Paths(), []string{"README.md", "bin/build.sh", "src/main.go"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Paths = %v, want %v", got, want)
	}
	modes := map[string]string{"README.md": ModeFile, "bin/build.sh": ModeExec, "src/main.go": ModeFile, "docs": ""}
	for p, want := range modes {
		if got := s.Mode(p); got != want {
			t.Errorf("Mode(%s) = %q, want %q", p, got, want)
		}
	}
	if got, ok := s.File("bin/build.sh"); !ok || string(got) != "#!/bin/sh\nmake\n" {
		t.Errorf("File(bin/build.sh) = %q, %v", got, ok)
	}
	if got, want := s.Size(), int64(len("# hello\n")+len("#!/bin/sh\nmake\n")+len("package main\n")); got != want {
		t.Errorf("Size = %d, want %d", got, want)
	}
}

func TestLoadTarballErrors(t *testing.T) {
	total := int64(len("# hello\n") + len("#!/bin/sh\nmake\n") + len("package main\n"))
	for _, e := range githubLike {
		total += entryCost(e.name)
	}
	if _, err := LoadTarball(bytes.NewReader(buildTarball(t, githubLike)), total); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
	_, err := LoadTarball(bytes.NewReader(buildTarball(t, githubLike)), total-1)
	if !errors.Is(err, ErrRepoTooLarge) {
		t.Errorf("over the limit: err = %v, want ErrRepoTooLarge", err)
	}
	_, err = LoadTarball(bytes.NewReader(buildTarball(t, []tarEntry{
		{name: "a-b-c/x", body: "x", mode: 0o644},
		{name: "other/y", body: "y", mode: 0o644},
	})), 0)
	if err == nil || !strings.Contains(err.Error(), "outside the top-level directory") {
		t.Errorf("two top-level dirs: err = %v", err)
	}
	if _, err := LoadTarball(strings.NewReader("not gzip"), 0); err == nil {
		t.Error("garbage input: no error")
	}
	whole := buildTarball(t, githubLike)
	if _, err := LoadTarball(bytes.NewReader(whole[:len(whole)/2]), 0); err == nil {
		t.Error("truncated input: no error")
	}
}

// emptyFiles is a repository of n empty files, each with a path of about
// pathLen bytes.
func emptyFiles(n, pathLen int) []tarEntry {
	entries := []tarEntry{{name: "pax_global_header", typ: tar.TypeXGlobalHeader}}
	for i := range n {
		name := fmt.Sprintf("o-r-abc/%0*d", pathLen, i)
		entries = append(entries, tarEntry{name: name, mode: 0o644})
	}
	return entries
}

// A repository's entries and their paths cost the heap as its bytes do:
// many empty files, or few with long paths, are refused at the size cap.
func TestLoadTarballCountsMetadata(t *testing.T) {
	tests := []struct {
		name     string
		entries  []tarEntry
		maxBytes int64
		tooLarge bool
	}{
		{name: "many empty files", entries: emptyFiles(1000, 8), maxBytes: 64 << 10, tooLarge: true},
		{name: "long paths", entries: emptyFiles(20, 4000), maxBytes: 64 << 10, tooLarge: true},
		{name: "a normal repository", entries: githubLike, maxBytes: 64 << 10},
		{name: "as many empty files as fit", entries: emptyFiles(100, 8), maxBytes: 64 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadTarball(bytes.NewReader(buildTarball(t, tt.entries)), tt.maxBytes)
			if got := errors.Is(err, ErrRepoTooLarge); got != tt.tooLarge {
				t.Errorf("err = %v, want ErrRepoTooLarge %v", err, tt.tooLarge)
			}
		})
	}
}

// More entries than MaxTarEntries are refused however large the cap.
func TestLoadTarballCountsEntries(t *testing.T) {
	entries := []tarEntry{{name: "o-r-abc/", typ: tar.TypeDir, mode: 0o755}}
	for range MaxTarEntries {
		entries = append(entries, tarEntry{name: "o-r-abc/d/", typ: tar.TypeDir, mode: 0o755})
	}
	_, err := LoadTarball(bytes.NewReader(buildTarball(t, entries)), 1<<40)
	if !errors.Is(err, ErrRepoTooLarge) {
		t.Errorf("%d entries: err = %v, want ErrRepoTooLarge", len(entries), err)
	}
	if _, err := LoadTarball(bytes.NewReader(buildTarball(t, entries[:MaxTarEntries])), 1<<40); err != nil {
		t.Errorf("%d entries: %v, want the snapshot", MaxTarEntries, err)
	}
}
