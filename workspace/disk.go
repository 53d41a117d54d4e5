// Snapshots on disk: unpacking a tarball into one file of the data
// directory, deleting it when the run ends, and sweeping what crashed runs
// left behind.

package workspace

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Snapshot files are named snapshotPrefix + random + snapshotSuffix in
// their directory; Sweep deletes only names of that shape.
const (
	snapshotPrefix = "snapshot-"
	snapshotSuffix = ".blob"
)

// unpackBufferBytes is the write buffer of UnpackTarball: large enough that
// a repository of small files becomes few large writes.
const unpackBufferBytes = 256 << 10

// UnpackTarball reads a tarball as LoadTarball does, with the same rules
// (one top-level directory stripped, only regular files at clean paths, the
// size cap and MaxTarEntries), but streams the contents into one new file
// in dir (created if needed) and keeps only the index in memory; File reads
// a content back on demand. The file is locked while the snapshot is open
// (Sweep leaves it alone) and deleted by Close, or at once if unpacking
// fails.
func UnpackTarball(r io.Reader, dir string, maxBytes int64) (*Snapshot, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create snapshot dir %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, snapshotPrefix+"*"+snapshotSuffix)
	if err != nil {
		return nil, fmt.Errorf("create snapshot file: %w", err)
	}
	drop := func() { f.Close(); os.Remove(f.Name()) }
	if err := lockFile(f); err != nil {
		drop()
		return nil, fmt.Errorf("lock snapshot file: %w", err)
	}
	w := bufio.NewWriterSize(f, unpackBufferBytes)
	s, err := loadTarball(r, maxBytes, w)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		drop()
		return nil, err
	}
	s.blob = f
	return s, nil
}

// Unpacker unpacks repositories' tarballs into one directory with one cap:
// the runner's way of handing its settings to the GitHub adapter, which
// only streams the download.
type Unpacker struct {
	// Dir is where the snapshot files go; "" means os.TempDir().
	Dir string
	// MaxBytes caps each repository's unpacked size (DefaultMaxRepoBytes
	// if <= 0).
	MaxBytes int64
}

// Unpack is UnpackTarball into u.Dir with u.MaxBytes.
func (u Unpacker) Unpack(r io.Reader) (*Snapshot, error) {
	dir := u.Dir
	if dir == "" {
		dir = os.TempDir()
	}
	return UnpackTarball(r, dir, u.MaxBytes)
}

// Close deletes an unpacked snapshot's file; File finds nothing after it.
// It does nothing for a snapshot held in memory, or a second time.
func (s *Snapshot) Close() error {
	if s == nil || s.blob == nil {
		return nil
	}
	f := s.blob
	s.blob, s.files, s.paths, s.size = nil, nil, nil, 0
	rmErr := os.Remove(f.Name())
	if err := errors.Join(rmErr, f.Close()); err != nil {
		return fmt.Errorf("delete snapshot file: %w", err)
	}
	return nil
}

// Sweep deletes the snapshot files in dir that no open snapshot holds:
// those of runs that crashed (a process that dies loses its locks). It is
// called at start-up, and is safe while other processes work in dir. It
// returns how many files it deleted; a missing dir is no error.
func Sweep(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("list snapshot dir %s: %w", dir, err)
	}
	n := 0
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, snapshotPrefix) || !strings.HasSuffix(name, snapshotSuffix) {
			continue
		}
		removed, err := sweepFile(filepath.Join(dir, name))
		if err != nil {
			errs = append(errs, err)
		}
		if removed {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// sweepFile deletes one snapshot file unless an open snapshot holds its
// lock.
func sweepFile(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	if lockFile(f) != nil {
		return false, nil // in use
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("delete %s: %w", path, err)
	}
	return true, nil
}
