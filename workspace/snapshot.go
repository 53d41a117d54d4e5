package workspace

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
)

// Git file modes a Snapshot keeps; they are the modes of the git tree
// entries the runner writes back.
const (
	// ModeFile is a regular file.
	ModeFile = "100644"
	// ModeExec is an executable file.
	ModeExec = "100755"
)

// DefaultMaxRepoBytes caps the unpacked size of a repository a run unpacks
// (LoadTarball and UnpackTarball given no positive limit, and every run the
// server works unless LIFEOS_MAX_REPO_BYTES says otherwise). Contents go to
// disk, not memory (see UnpackTarball), so the cap bounds the data
// directory's use, not the heap: 2 GiB holds the largest repositories people
// ask an agent to work on, ten at once on a small disk.
const DefaultMaxRepoBytes int64 = 2 << 30

// ErrRepoTooLarge means the repository's files add up to more bytes than the
// run may unpack.
var ErrRepoTooLarge = errors.New("repository too large")

// Snapshot is the repository's files at one commit, read-only: its index
// (paths, sizes, modes) in memory and its contents either in memory
// (NewSnapshot, LoadTarball) or in one file on disk read on demand
// (UnpackTarball), which Close deletes. The zero value is an empty
// repository.
type Snapshot struct {
	files map[string]snapFile
	paths []string
	size  int64
	// blob holds the contents of an unpacked snapshot; nil when they are in
	// memory.
	blob *os.File
	mu   sync.Mutex
	err  error // the first failed read of blob
}

// snapFile is one file: its content in memory, or where it sits in blob.
type snapFile struct {
	content []byte
	off, n  int64
	mode    string
}

// NewSnapshot makes a Snapshot of regular (mode 100644) files, for tests and
// callers that already hold the contents. Keys are used as given.
func NewSnapshot(files map[string][]byte) *Snapshot {
	s := &Snapshot{files: make(map[string]snapFile, len(files))}
	for p, c := range files {
		s.put(p, snapFile{content: append([]byte(nil), c...), n: int64(len(c)), mode: ModeFile})
	}
	s.index()
	return s
}

// EntryOverhead is what LoadTarball charges every tar entry against the
// size cap besides its path's bytes and its content: about what holding
// one file costs the heap (its map entry, headers and index slot), so that
// a repository of many empty files or long paths cannot pass a cap its
// contents alone would.
const EntryOverhead int64 = 256

// MaxTarEntries bounds the entries of a repository's tarball, whatever
// their size: above the file count of large real repositories (the Linux
// kernel has under 100,000 files and directories) and far below what would
// keep a worker busy for long.
const MaxTarEntries = 100_000

// entryCost is what an entry named name costs against the size cap before
// its content.
func entryCost(name string) int64 { return EntryOverhead + int64(len(name)) }

// LoadTarball reads a gzip-compressed tar archive as GitHub serves a
// repository's tarball: every entry sits under one top-level directory
// (owner-repo-sha/), which is stripped. Regular files are kept with their
// exec bit; directories, symlinks, pax headers and other entry types are
// skipped, as are paths the agent could not address (see CleanPath). It
// fails with ErrRepoTooLarge as soon as the files' total size, with every
// entry's path and EntryOverhead, exceeds maxBytes (DefaultMaxRepoBytes if
// maxBytes <= 0), before reading their contents, or when the archive has
// more than MaxTarEntries entries.
func LoadTarball(r io.Reader, maxBytes int64) (*Snapshot, error) {
	return loadTarball(r, maxBytes, nil)
}

// loadTarball reads the archive into a snapshot, its contents written to
// blob if it is not nil, or held in memory. Compressed data is never
// larger than what it unpacks to, bar headers, so more than a megabyte
// over the cap is not read.
func loadTarball(r io.Reader, maxBytes int64, blob io.Writer) (*Snapshot, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxRepoBytes
	}
	zr, err := gzip.NewReader(io.LimitReader(r, maxBytes+1<<20))
	if err != nil {
		return nil, fmt.Errorf("open tarball: %w", err)
	}
	defer zr.Close()
	l := &tarLoad{tr: tar.NewReader(zr), max: maxBytes, s: &Snapshot{files: map[string]snapFile{}}, blob: blob}
	for {
		hdr, err := l.tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read tarball: %w", err)
		}
		if err := l.entry(hdr); err != nil {
			return nil, err
		}
	}
	l.s.index()
	return l.s, nil
}

// tarLoad is one LoadTarball under way.
type tarLoad struct {
	tr      *tar.Reader
	max     int64 // the size cap
	s       *Snapshot
	top     string // the top-level directory every entry is under
	entries int
	meta    int64 // what the entries so far cost besides their contents
	// blob, if not nil, takes the contents, and off is how much it holds;
	// a replaced file's bytes stay in it, so dead counts them against the
	// cap.
	blob io.Writer
	off  int64
	dead int64
}

// entry charges one entry against the caps and keeps it if it is a regular
// file the agent can address.
func (l *tarLoad) entry(hdr *tar.Header) error {
	if l.entries++; l.entries > MaxTarEntries {
		return fmt.Errorf("%w: more than %d entries", ErrRepoTooLarge, MaxTarEntries)
	}
	l.meta += entryCost(hdr.Name)
	if l.s.size+l.meta+l.dead > l.max {
		return fmt.Errorf("%w: files and their paths exceed %d bytes (at %d entries)", ErrRepoTooLarge, l.max, l.entries)
	}
	switch hdr.Typeflag {
	case tar.TypeXGlobalHeader, tar.TypeXHeader:
		return nil
	}
	name := strings.TrimPrefix(hdr.Name, "./")
	dir, rest, _ := strings.Cut(name, "/")
	if l.top == "" {
		l.top = dir
	} else if dir != l.top {
		return fmt.Errorf("read tarball: entry %q is outside the top-level directory %q", hdr.Name, l.top)
	}
	// '\x00' is the pre-POSIX spelling of a regular file.
	if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != '\x00' {
		return nil
	}
	p, err := CleanPath(rest)
	if err != nil {
		return nil
	}
	return l.file(p, hdr)
}

// file reads a regular file's content into the snapshot, within the cap.
func (l *tarLoad) file(p string, hdr *tar.Header) error {
	total := l.s.size + l.meta + l.dead
	if old, ok := l.s.files[p]; ok && l.blob == nil {
		total -= old.n // a later entry replaces an earlier one (on disk its bytes stay)
	}
	if hdr.Size < 0 || total+hdr.Size > l.max {
		return fmt.Errorf("%w: files exceed %d bytes (at %s)", ErrRepoTooLarge, l.max, p)
	}
	mode := ModeFile
	if hdr.Mode&0o111 != 0 {
		mode = ModeExec
	}
	if l.blob == nil {
		content := make([]byte, hdr.Size)
		if _, err := io.ReadFull(l.tr, content); err != nil {
			return fmt.Errorf("read %s from tarball: %w", p, err)
		}
		l.s.put(p, snapFile{content: content, n: hdr.Size, mode: mode})
		return nil
	}
	if _, err := io.CopyN(l.blob, l.tr, hdr.Size); err != nil {
		return fmt.Errorf("unpack %s from tarball: %w", p, err)
	}
	if old, ok := l.s.files[p]; ok {
		l.dead += old.n
	}
	l.s.put(p, snapFile{off: l.off, n: hdr.Size, mode: mode})
	l.off += hdr.Size
	return nil
}

func (s *Snapshot) put(p string, f snapFile) {
	if old, ok := s.files[p]; ok {
		s.size -= old.n
	}
	s.files[p] = f
	s.size += f.n
}

func (s *Snapshot) index() {
	s.paths = make([]string, 0, len(s.files))
	for p := range s.files {
		s.paths = append(s.paths, p)
	}
	slices.Sort(s.paths)
}

// Paths returns the snapshot's file paths, sorted.
func (s *Snapshot) Paths() []string { return slices.Clone(s.paths) }

// File returns a file's content, read from disk for an unpacked snapshot
// (each call a fresh slice) or shared with the snapshot when it is held in
// memory; either way it must not be modified. A failed read reports no file
// and is kept for Err.
func (s *Snapshot) File(path string) ([]byte, bool) {
	f, ok := s.files[path]
	if !ok || s.blob == nil {
		return f.content, ok
	}
	content := make([]byte, f.n)
	if _, err := s.blob.ReadAt(content, f.off); err != nil {
		s.mu.Lock()
		if s.err == nil {
			s.err = fmt.Errorf("read %s from the snapshot: %w", path, err)
		}
		s.mu.Unlock()
		return nil, false
	}
	return content, true
}

// FileSize returns a file's size without reading it.
func (s *Snapshot) FileSize(path string) (int64, bool) {
	f, ok := s.files[path]
	return f.n, ok
}

// Err returns the first read of the snapshot's contents that failed, if
// any: a run must not trust a change set computed over a file it could not
// read.
func (s *Snapshot) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Mode returns a file's git mode (ModeFile or ModeExec), or "" if there is no
// such file.
func (s *Snapshot) Mode(path string) string { return s.files[path].mode }

// Size returns the total bytes of the snapshot's files.
func (s *Snapshot) Size() int64 { return s.size }
