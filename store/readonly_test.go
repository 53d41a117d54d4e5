package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenReadOnly: a read-only open finds the runs a serving store wrote,
// refuses to write, and never creates a database where there is none.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	rw, err := Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if _, err := New(rw, nil).StartRun(ctx, NewRun{Repo: "o/r", IssueNumber: 1, DeliveryID: "d", Trigger: "label", Actor: "a", Status: StatusRunning}); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	runs, err := New(ro, nil).ListRuns(ctx, PageFilter{Limit: 10})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs = %v, %v", runs, err)
	}
	if err := New(ro, nil).RecordDecision(ctx, runs[0].ID, true, "r", "x"); err == nil {
		t.Fatal("a read-only store wrote a decision")
	}

	empty := t.TempDir()
	if _, err := OpenReadOnly(ctx, "", empty); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("missing file: err = %v, want ErrNoDatabase", err)
	}
	if _, err := os.Stat(filepath.Join(empty, SQLiteFileName)); !os.IsNotExist(err) {
		t.Fatalf("a read-only open created the file: %v", err)
	}
	if _, err := OpenReadOnly(ctx, "mysql://x", ""); err == nil {
		t.Fatal("a mysql URL opened")
	}
}
