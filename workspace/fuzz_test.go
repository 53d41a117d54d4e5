package workspace

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
)

// FuzzCleanPath checks CleanPath on any string: it never panics, and a path
// it accepts is relative, inside the repository, free of NUL and control
// characters and of .git, already in normal form, and its own cleaning.
// Its corpus is checked in under testdata/fuzz/FuzzCleanPath.
func FuzzCleanPath(f *testing.F) {
	for _, p := range []string{
		"a", "a/b", "./a//b/", "/etc/passwd", "../x", "a/../b", "a/..", "..", ".", "./", "//", "a\\b",
		"a\x00b", "a\nb", "a\x7fb", ".git/config", "a/.GIT/x", ".gitignore", "a/.git", "..a/b..", "...",
		strings.Repeat("a/", 2048), strings.Repeat("a", 4097), "\u00e9/\u2028", "a/\xff",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c, err := CleanPath(p)
		if err != nil {
			if c != "" {
				t.Fatalf("CleanPath(%q) failed (%v) but returned %q", p, err, c)
			}
			return
		}
		checkClean(t, p, c)
		again, err := CleanPath(c)
		if err != nil || again != c {
			t.Fatalf("CleanPath(%q) = %q, but CleanPath(%q) = %q, %v", p, c, c, again, err)
		}
	})
}

// checkClean fails unless c, what CleanPath made of p, is a clean path.
func checkClean(t *testing.T, p, c string) {
	t.Helper()
	switch {
	case c == "":
		t.Fatalf("CleanPath(%q) accepted it as the empty path", p)
	case strings.HasPrefix(c, "/") || path.IsAbs(c):
		t.Fatalf("CleanPath(%q) = %q, which is absolute", p, c)
	case strings.ContainsRune(c, 0):
		t.Fatalf("CleanPath(%q) = %q, which holds a NUL", p, c)
	case strings.Contains(c, `\`):
		t.Fatalf("CleanPath(%q) = %q, which holds a backslash", p, c)
	case path.Clean(c) != c:
		t.Fatalf("CleanPath(%q) = %q, not in normal form (%q)", p, c, path.Clean(c))
	case len(c) > maxPathBytes:
		t.Fatalf("CleanPath(%q) = %q, longer than %d bytes", p, c, maxPathBytes)
	}
	for _, r := range c {
		if r < 0x20 || r == 0x7f {
			t.Fatalf("CleanPath(%q) = %q, which holds the control character %U", p, c, r)
		}
	}
	for _, seg := range strings.Split(c, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.EqualFold(seg, ".git") {
			t.Fatalf("CleanPath(%q) = %q, which has the element %q", p, c, seg)
		}
	}
}

// FuzzLoadTarball checks LoadTarball on any bytes, read both as they are
// (a gzip stream) and gzipped (so the fuzzer reaches the tar reader with
// any tar bytes): it never panics, never holds more than the cap, and
// keeps only files at clean paths. Its corpus is checked in under
// testdata/fuzz/FuzzLoadTarball.
func FuzzLoadTarball(f *testing.F) {
	valid := buildTarball(f, githubLike)
	zr, err := gzip.NewReader(bytes.NewReader(valid))
	if err != nil {
		f.Fatal(err)
	}
	rawTar, err := io.ReadAll(zr)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid, int64(1<<20))
	f.Add(valid, int64(20))
	f.Add(valid[:len(valid)/2], int64(1<<20))
	f.Add(valid[:10], int64(1<<20))
	f.Add(rawTar, int64(1<<20))
	f.Add(rawTar[:700], int64(1<<20))
	f.Add([]byte("not gzip at all"), int64(1))
	f.Add([]byte{}, int64(0))
	f.Add(buildTarball(f, []tarEntry{
		{name: "t/a", body: "first", mode: 0o644},
		{name: "t/./a", body: "second, longer", mode: 0o755},
		{name: "t//b/../c", body: "dots", mode: 0o644},
		{name: "t/.GIT/hooks/pre-commit", body: "x", mode: 0o755},
		{name: "t/\\evil", body: "x", mode: 0o644},
		{name: "t/" + strings.Repeat("d/", 2100) + "f", body: "deep", mode: 0o644},
		{name: "t/link", typ: tar.TypeLink, link: "t/a"},
	}), int64(64))
	f.Fuzz(func(t *testing.T, data []byte, maxBytes int64) {
		// Keep the cap small, so a header claiming a huge file costs the
		// fuzzer no more than a megabyte.
		limit := 1 + (maxBytes&(1<<62-1))%(1<<20)
		checkTarball(t, data, limit)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		if _, err := zw.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		checkTarball(t, gz.Bytes(), limit)
	})
}

// checkTarball loads data with the cap limit, in memory and on disk, and
// checks the snapshots, if any, against it and each other.
func checkTarball(t *testing.T, data []byte, limit int64) {
	t.Helper()
	s, err := LoadTarball(bytes.NewReader(data), limit)
	checkUnpacked(t, data, limit, s)
	if err != nil {
		if s != nil {
			t.Fatalf("LoadTarball failed (%v) but returned a snapshot", err)
		}
		return
	}
	if s.Size() < 0 || s.Size() > limit {
		t.Fatalf("LoadTarball with a cap of %d holds %d bytes", limit, s.Size())
	}
	paths := s.Paths()
	if !slices.IsSorted(paths) || len(slices.Compact(slices.Clone(paths))) != len(paths) {
		t.Fatalf("LoadTarball: paths %q are not sorted and unique", paths)
	}
	var total int64
	for _, p := range paths {
		if c, err := CleanPath(p); err != nil || c != p {
			t.Fatalf("LoadTarball kept the path %q, which CleanPath makes %q, %v", p, c, err)
		}
		content, ok := s.File(p)
		if !ok {
			t.Fatalf("LoadTarball lists %q but has no such file", p)
		}
		if m := s.Mode(p); m != ModeFile && m != ModeExec {
			t.Fatalf("LoadTarball gave %q the mode %q", p, m)
		}
		total += int64(len(content))
	}
	if total != s.Size() {
		t.Fatalf("LoadTarball: Size() is %d but the files hold %d bytes", s.Size(), total)
	}
}

// checkUnpacked unpacks data to disk and checks that it holds what mem, the
// same data loaded in memory, holds; it may refuse what memory took only as
// too large (a replaced file's bytes stay on disk), and leaves no file.
func checkUnpacked(t *testing.T, data []byte, limit int64, mem *Snapshot) {
	t.Helper()
	dir := t.TempDir()
	d, err := UnpackTarball(bytes.NewReader(data), dir, limit)
	switch {
	case err != nil && mem != nil && !errors.Is(err, ErrRepoTooLarge):
		t.Fatalf("LoadTarball succeeded but UnpackTarball failed: %v", err)
	case err == nil && mem == nil:
		t.Fatalf("LoadTarball failed but UnpackTarball succeeded")
	case err == nil:
		if !slices.Equal(d.Paths(), mem.Paths()) || d.Size() != mem.Size() {
			t.Fatalf("UnpackTarball holds %q, LoadTarball %q", d.Paths(), mem.Paths())
		}
		for _, p := range mem.Paths() {
			a, _ := mem.File(p)
			if b, ok := d.File(p); !ok || !bytes.Equal(a, b) || d.Mode(p) != mem.Mode(p) {
				t.Fatalf("%s differs between memory and disk", p)
			}
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("UnpackTarball left %d files", len(left))
	}
}
