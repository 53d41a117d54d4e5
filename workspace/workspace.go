package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// maxPathBytes bounds a path: git hosts refuse paths near 4096 bytes, and a
// model sending more is confused, not creative.
const maxPathBytes = 4096

// CleanPath checks a repository-relative path that came from the model and
// returns its normal form ("./a//b/" becomes "a/b"). It refuses empty,
// absolute and backslash paths, ".." segments, any ".git" segment (in any
// case, as case-insensitive file systems would treat it), NUL and other
// control characters, and over-long paths.
func CleanPath(p string) (string, error) {
	switch {
	case p == "":
		return "", errors.New("empty path")
	case len(p) > maxPathBytes:
		return "", fmt.Errorf("path is %d bytes, longer than %d", len(p), maxPathBytes)
	case strings.HasPrefix(p, "/"):
		return "", fmt.Errorf("path %q is absolute; use a path relative to the repository root", p)
	case strings.Contains(p, `\`):
		return "", fmt.Errorf("path %q contains a backslash; use forward slashes", p)
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("path %q contains a control character", p)
		}
	}
	var segs []string
	for _, seg := range strings.Split(p, "/") {
		switch {
		case seg == "" || seg == ".":
			continue
		case seg == "..":
			return "", fmt.Errorf("path %q leaves the repository (\"..\")", p)
		case strings.EqualFold(seg, ".git"):
			return "", fmt.Errorf("path %q is inside .git, which is off limits", p)
		}
		segs = append(segs, seg)
	}
	if len(segs) == 0 {
		return "", fmt.Errorf("path %q names no file", p)
	}
	return strings.Join(segs, "/"), nil
}

// Change is one file the run changed, relative to the snapshot.
type Change struct {
	// Path is the file's repository-relative path.
	Path string `json:"path"`
	// Content is the new content; nil when Delete is set.
	Content []byte `json:"content,omitempty"`
	// Delete means the file is removed.
	Delete bool `json:"delete,omitempty"`
	// Mode is the git mode: the snapshot's mode for an existing file,
	// ModeFile for a new one.
	Mode string `json:"mode"`
}

// Workspace is a Snapshot plus the run's in-memory edits. It is not safe for
// concurrent use; one agent run owns it.
type Workspace struct {
	snap  *Snapshot
	edits map[string]edit
}

// edit is the workspace's view of one path that differs from, or was
// touched since, the snapshot.
type edit struct {
	content []byte
	deleted bool
}

// New starts an empty change set on top of s (an empty repository
// if s is nil).
func New(s *Snapshot) *Workspace {
	if s == nil {
		s = &Snapshot{}
	}
	return &Workspace{snap: s, edits: map[string]edit{}}
}

// Snapshot returns the snapshot the workspace started from.
func (w *Workspace) Snapshot() *Snapshot { return w.snap }

// File returns a file's current content, edits included. The slice must not
// be modified.
func (w *Workspace) File(path string) ([]byte, bool) {
	if e, ok := w.edits[path]; ok {
		if e.deleted {
			return nil, false
		}
		return e.content, true
	}
	return w.snap.File(path)
}

// Paths returns the current file paths, edits included, sorted.
func (w *Workspace) Paths() []string {
	if len(w.edits) == 0 {
		return w.snap.Paths()
	}
	out := make([]string, 0, len(w.snap.paths)+len(w.edits))
	for _, p := range w.snap.paths {
		if e, ok := w.edits[p]; !ok || !e.deleted {
			out = append(out, p)
		}
	}
	for p, e := range w.edits {
		if _, inSnap := w.snap.files[p]; !inSnap && !e.deleted {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// WriteFile creates or overwrites a file. The path is checked with
// CleanPath; a path that is a directory of existing files, or a file on
// the way to one, is refused because git could not hold both.
func (w *Workspace) WriteFile(path string, content []byte) error {
	p, err := CleanPath(path)
	if err != nil {
		return err
	}
	if w.IsDir(p) {
		return fmt.Errorf("%s is a directory", p)
	}
	for dir := p; ; {
		i := strings.LastIndexByte(dir, '/')
		if i < 0 {
			break
		}
		dir = dir[:i]
		if _, ok := w.File(dir); ok {
			return fmt.Errorf("%s is a file, so %s cannot be created under it", dir, p)
		}
	}
	c := bytes.Clone(content)
	if c == nil {
		c = []byte{}
	}
	w.edits[p] = edit{content: c}
	return nil
}

// DeleteFile removes an existing file.
func (w *Workspace) DeleteFile(path string) error {
	p, err := CleanPath(path)
	if err != nil {
		return err
	}
	if _, ok := w.File(p); !ok {
		return fmt.Errorf("%s does not exist", p)
	}
	w.edits[p] = edit{deleted: true}
	return nil
}

// IsDir reports whether some current file lives under dir.
func (w *Workspace) IsDir(dir string) bool {
	prefix := dir + "/"
	i, _ := slices.BinarySearch(w.snap.paths, prefix)
	for ; i < len(w.snap.paths) && strings.HasPrefix(w.snap.paths[i], prefix); i++ {
		if e, ok := w.edits[w.snap.paths[i]]; !ok || !e.deleted {
			return true
		}
	}
	for p, e := range w.edits {
		if !e.deleted && strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// Changes returns the change set, sorted by path: only real differences from
// the snapshot, so writing a file's content back or deleting a file the run
// created is no change.
func (w *Workspace) Changes() []Change {
	var out []Change
	for p, e := range w.edits {
		base, inSnap := w.snap.File(p)
		switch {
		case e.deleted && inSnap:
			out = append(out, Change{Path: p, Delete: true, Mode: w.snap.Mode(p)})
		case e.deleted:
		case inSnap && bytes.Equal(base, e.content):
		case inSnap:
			out = append(out, Change{Path: p, Content: bytes.Clone(e.content), Mode: w.snap.Mode(p)})
		default:
			out = append(out, Change{Path: p, Content: bytes.Clone(e.content), Mode: ModeFile})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	return out
}
