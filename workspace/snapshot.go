package workspace

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Git file modes a Snapshot keeps; they are the modes of the git tree
// entries the runner writes back.
const (
	// ModeFile is a regular file.
	ModeFile = "100644"
	// ModeExec is an executable file.
	ModeExec = "100755"
)

// DefaultMaxRepoBytes caps the unpacked size of a repository held in memory for
// a run (LoadTarball given no positive limit, and every run the server
// works): ten concurrent runs of this size
// must fit a small machine.
const DefaultMaxRepoBytes int64 = 64 << 20

// ErrRepoTooLarge means the repository's files add up to more bytes than the
// run may hold in memory.
var ErrRepoTooLarge = errors.New("repository too large")

// Snapshot is the repository's files at one commit, read-only and held in
// memory. The zero value is an empty repository.
type Snapshot struct {
	files map[string]snapFile
	paths []string
	size  int64
}

type snapFile struct {
	content []byte
	mode    string
}

// NewSnapshot makes a Snapshot of regular (mode 100644) files, for tests and
// callers that already hold the contents. Keys are used as given.
func NewSnapshot(files map[string][]byte) *Snapshot {
	s := &Snapshot{files: make(map[string]snapFile, len(files))}
	for p, c := range files {
		s.put(p, append([]byte(nil), c...), ModeFile)
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
	if maxBytes <= 0 {
		maxBytes = DefaultMaxRepoBytes
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("open tarball: %w", err)
	}
	defer zr.Close()
	l := &tarLoad{tr: tar.NewReader(zr), max: maxBytes, s: &Snapshot{files: map[string]snapFile{}}}
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
}

// entry charges one entry against the caps and keeps it if it is a regular
// file the agent can address.
func (l *tarLoad) entry(hdr *tar.Header) error {
	if l.entries++; l.entries > MaxTarEntries {
		return fmt.Errorf("%w: more than %d entries", ErrRepoTooLarge, MaxTarEntries)
	}
	l.meta += entryCost(hdr.Name)
	if l.s.size+l.meta > l.max {
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
	total := l.s.size + l.meta
	if old, ok := l.s.files[p]; ok {
		total -= int64(len(old.content)) // a later entry replaces an earlier one
	}
	if hdr.Size < 0 || total+hdr.Size > l.max {
		return fmt.Errorf("%w: files exceed %d bytes (at %s)", ErrRepoTooLarge, l.max, p)
	}
	content := make([]byte, hdr.Size)
	if _, err := io.ReadFull(l.tr, content); err != nil {
		return fmt.Errorf("read %s from tarball: %w", p, err)
	}
	mode := ModeFile
	if hdr.Mode&0o111 != 0 {
		mode = ModeExec
	}
	l.s.put(p, content, mode)
	return nil
}

func (s *Snapshot) put(p string, content []byte, mode string) {
	if old, ok := s.files[p]; ok {
		s.size -= int64(len(old.content))
	}
	s.files[p] = snapFile{content: content, mode: mode}
	s.size += int64(len(content))
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

// File returns a file's content; the slice is shared and must not be
// modified.
func (s *Snapshot) File(path string) ([]byte, bool) {
	f, ok := s.files[path]
	return f.content, ok
}

// Mode returns a file's git mode (ModeFile or ModeExec), or "" if there is no
// such file.
func (s *Snapshot) Mode(path string) string { return s.files[path].mode }

// Size returns the total bytes of the snapshot's files.
func (s *Snapshot) Size() int64 { return s.size }
