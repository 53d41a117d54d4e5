package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lifeos/lifeos/datadir"
)

// SQLite in a data directory the server cannot write stops Open with the
// data directory's own error (its owner and the server's uid), not the
// driver's "unable to open database file".
func TestOpenSaysTheDataDirIsNotWritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), "", filepath.Join(file, "data"))
	var de *datadir.Error
	if !errors.As(err, &de) {
		t.Fatalf("Open = %v, want a *datadir.Error", err)
	}
}
