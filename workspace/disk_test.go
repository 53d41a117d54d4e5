package workspace

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// snapshotFiles lists the snapshot files in dir.
func snapshotFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, snapshotPrefix+"*"+snapshotSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestUnpackTarballMatchesLoad(t *testing.T) {
	dir := t.TempDir()
	data := buildTarball(t, githubLike)
	mem, err := LoadTarball(bytes.NewReader(data), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := UnpackTarball(bytes.NewReader(data), dir, 1<<20)
	if err != nil {
		t.Fatalf("UnpackTarball: %v", err)
	}
	defer disk.Close()
	if !reflect.DeepEqual(disk.Paths(), mem.Paths()) || disk.Size() != mem.Size() {
		t.Fatalf("unpacked %v (%d bytes), loaded %v (%d bytes)", disk.Paths(), disk.Size(), mem.Paths(), mem.Size())
	}
	for _, p := range mem.Paths() {
		want, _ := mem.File(p)
		got, ok := disk.File(p)
		if !ok || !bytes.Equal(got, want) || disk.Mode(p) != mem.Mode(p) {
			t.Errorf("%s: unpacked %q (%v, mode %s), loaded %q (mode %s)", p, got, ok, disk.Mode(p), want, mem.Mode(p))
		}
	}
	if len(snapshotFiles(t, dir)) != 1 {
		t.Fatalf("want one snapshot file in %s", dir)
	}
	if err := disk.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestUnpackTarballReplacedEntryCounts(t *testing.T) {
	// A file that appears twice leaves its first bytes in the file on disk:
	// they count against the cap, so the disk holds no more than it.
	entries := []tarEntry{
		{name: "t/a", body: "0123456789", mode: 0o644},
		{name: "t/a", body: "0123456789", mode: 0o644},
	}
	max := 2*(EntryOverhead+int64(len("t/a"))) + 15
	if _, err := LoadTarball(bytes.NewReader(buildTarball(t, entries)), max); err != nil {
		t.Fatalf("in memory the second copy replaces the first: %v", err)
	}
	_, err := UnpackTarball(bytes.NewReader(buildTarball(t, entries)), t.TempDir(), max)
	if !errors.Is(err, ErrRepoTooLarge) {
		t.Fatalf("UnpackTarball = %v, want ErrRepoTooLarge", err)
	}
}

func TestSnapshotCloseDeletesFile(t *testing.T) {
	dir := t.TempDir()
	s, err := UnpackTarball(bytes.NewReader(buildTarball(t, githubLike)), dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := snapshotFiles(t, dir); len(got) != 0 {
		t.Fatalf("after Close, %v remain", got)
	}
	if _, ok := s.File("README.md"); ok {
		t.Error("a closed snapshot still has files")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestUnpackTarballFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	whole := buildTarball(t, githubLike)
	for name, data := range map[string][]byte{"cut short": whole[:len(whole)/2], "too large": whole} {
		if _, err := UnpackTarball(bytes.NewReader(data), dir, 30); err == nil {
			t.Fatalf("%s: UnpackTarball succeeded", name)
		}
		if got := snapshotFiles(t, dir); len(got) != 0 {
			t.Fatalf("%s: a failed unpack left %v", name, got)
		}
	}
}

func TestSweepDeletesCrashLeftoversOnly(t *testing.T) {
	dir := t.TempDir()
	live, err := UnpackTarball(bytes.NewReader(buildTarball(t, githubLike)), dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	// A run that crashed left its file, with no lock held on it any more.
	crashed := filepath.Join(dir, snapshotPrefix+"crashed"+snapshotSuffix)
	other := filepath.Join(dir, "notes.txt")
	for _, p := range []string{crashed, other} {
		if err := os.WriteFile(p, []byte("left over"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	n, err := Sweep(dir)
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 deleted", n, err)
	}
	if _, err := os.Stat(crashed); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the crashed run's file is still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("Sweep deleted a file that is not a snapshot: %v", err)
	}
	if got, ok := live.File("README.md"); !ok || string(got) != "# hello\n" {
		t.Errorf("the live snapshot lost its file: %q, %v", got, ok)
	}
	if n, err := Sweep(filepath.Join(dir, "missing")); n != 0 || err != nil {
		t.Errorf("Sweep of a missing dir = %d, %v", n, err)
	}
}
