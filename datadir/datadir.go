// Package datadir checks that the data directory (LIFEOS_DATA_DIR) can be
// written before anything is stored in it, and says in plain words why not:
// most often a volume owned by root while the server runs as uid 65532.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Writable creates dir if it is missing and proves it writable by creating
// and removing a file in it. Its error names the directory, its owner and
// the uid the server runs as, and the fix.
func Writable(dir string) error {
	err := os.MkdirAll(dir, 0o750)
	if err == nil {
		var f *os.File
		if f, err = os.CreateTemp(dir, ".write-probe-*"); err == nil {
			name := f.Name()
			err = errors.Join(f.Close(), os.Remove(name))
		}
	}
	if err == nil {
		return nil
	}
	at, uid, known := owner(dir)
	return &Error{Dir: dir, At: at, Owner: uid, OwnerKnown: known, RunAs: os.Getuid(), Err: err}
}

// Error is a data directory the server cannot write.
type Error struct {
	Dir string
	// At is the directory whose owner is named: Dir, or the nearest
	// existing parent when Dir could not be created.
	At         string
	Owner      int
	OwnerKnown bool
	// RunAs is the server's uid.
	RunAs int
	Err   error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("data directory %s (LIFEOS_DATA_DIR) is not writable: %v", e.Dir, e.Err)
	if e.OwnerKnown && e.Owner != e.RunAs {
		msg += fmt.Sprintf("; %s is owned by uid %d, the server runs as uid %d: chown -R %d %s, or set LIFEOS_DATA_DIR to a directory uid %d owns",
			e.At, e.Owner, e.RunAs, e.RunAs, e.At, e.RunAs)
	} else {
		msg += "; make it writable by uid " + fmt.Sprint(e.RunAs) + ", or set LIFEOS_DATA_DIR to a directory that is"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// owner is the uid owning dir or its nearest existing parent.
func owner(dir string) (string, int, bool) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil {
			uid, ok := uidOf(fi)
			return d, uid, ok
		}
		if d == filepath.Dir(d) {
			return dir, 0, false
		}
	}
}
