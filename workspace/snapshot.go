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

// LoadTarball reads a gzip-compressed tar archive as GitHub serves a
// repository's tarball: every entry sits under one top-level directory
// (owner-repo-sha/), which is stripped. Regular files are kept with their
// exec bit; directories, symlinks, pax headers and other entry types are
// skipped, as are paths the agent could not address (see CleanPath). It
// fails with ErrRepoTooLarge as soon as the files' total size exceeds
// maxBytes (DefaultMaxRepoBytes if maxBytes <= 0), before reading their
// contents.
func LoadTarball(r io.Reader, maxBytes int64) (*Snapshot, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxRepoBytes
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("open tarball: %w", err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	s := &Snapshot{files: map[string]snapFile{}}
	top := ""
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read tarball: %w", err)
		}
		switch hdr.Typeflag {
		case tar.TypeXGlobalHeader, tar.TypeXHeader:
			continue
		}
		name := strings.TrimPrefix(hdr.Name, "./")
		dir, rest, _ := strings.Cut(name, "/")
		if top == "" {
			top = dir
		} else if dir != top {
			return nil, fmt.Errorf("read tarball: entry %q is outside the top-level directory %q", hdr.Name, top)
		}
		// '\x00' is the pre-POSIX spelling of a regular file.
		if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != '\x00' {
			continue
		}
		p, err := CleanPath(rest)
		if err != nil {
			continue
		}
		total := s.size
		if old, ok := s.files[p]; ok {
			total -= int64(len(old.content)) // a later entry replaces an earlier one
		}
		if hdr.Size < 0 || total+hdr.Size > maxBytes {
			return nil, fmt.Errorf("%w: files exceed %d bytes (at %s)", ErrRepoTooLarge, maxBytes, p)
		}
		content := make([]byte, hdr.Size)
		if _, err := io.ReadFull(tr, content); err != nil {
			return nil, fmt.Errorf("read %s from tarball: %w", p, err)
		}
		mode := ModeFile
		if hdr.Mode&0o111 != 0 {
			mode = ModeExec
		}
		s.put(p, content, mode)
	}
	s.index()
	return s, nil
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
