package main

import "testing"

// The benchmark's repository is the size asked for, in files of 50 kB.
func TestBigRepo(t *testing.T) {
	files := bigRepo(1 << 20)
	if n := size(files); n < 1<<20 || n > 1<<20+60<<10 {
		t.Errorf("a 1 MB repository holds %d bytes", n)
	}
	if len(files) < 20 {
		t.Errorf("%d files", len(files))
	}
}
