package datadir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWritableCreatesTheDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "data")
	if err := Writable(dir); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Errorf("data dir holds %v (%v), want the probe removed", entries, err)
	}
}

// A data directory under a regular file cannot be created, even by root:
// the error names it and says what to do.
func TestWritableSaysWhy(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := Writable(filepath.Join(file, "data"))
	var de *Error
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want an *Error", err)
	}
	if msg := err.Error(); !strings.Contains(msg, filepath.Join(file, "data")) || !strings.Contains(msg, "LIFEOS_DATA_DIR") {
		t.Errorf("error = %q", msg)
	}
}

// The message names the owner and the server's uid, as a volume mounted
// root-owned into the nonroot image shows it.
func TestErrorNamesTheOwner(t *testing.T) {
	err := &Error{Dir: "/data", At: "/data", Owner: 0, OwnerKnown: true, RunAs: 65532, Err: os.ErrPermission}
	want := "data directory /data (LIFEOS_DATA_DIR) is not writable: permission denied; /data is owned by uid 0, the server runs as uid 65532: chown -R 65532 /data, or set LIFEOS_DATA_DIR to a directory uid 65532 owns"
	if err.Error() != want {
		t.Errorf("error =\n%s\nwant\n%s", err.Error(), want)
	}
}
