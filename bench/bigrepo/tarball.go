package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

// topDir is the archive's top-level directory, as GitHub names it.
const topDir = "bench-big-0123456789abcdef0123456789abcdef01234567/"

// writeTarball writes a gzipped tarball shaped like GitHub's of about
// totalBytes of text in files files, under topDir, and returns its size
// on disk. Files are slices of a pool of random words, so the archive
// compresses about as source code does.
func writeTarball(path string, totalBytes int64, files int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	if err != nil {
		return 0, err
	}
	tw := tar.NewWriter(zw)
	pool := wordPool(4 << 20)
	rng := rand.New(rand.NewPCG(3, 4))
	per := totalBytes / int64(files)
	if err := tw.WriteHeader(&tar.Header{Name: "pax_global_header", Typeflag: tar.TypeXGlobalHeader,
		PAXRecords: map[string]string{"comment": "0123456789abcdef0123456789abcdef01234567"}}); err != nil {
		return 0, err
	}
	for i := range files {
		name := fmt.Sprintf("%ssrc/pkg%03d/file%05d.go", topDir, i/100, i)
		if i == 0 {
			name = topDir + "README.md"
		}
		off := rng.Int64N(int64(len(pool)) - per)
		body := pool[off : off+per]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: per, Typeflag: tar.TypeReg}); err != nil {
			return 0, err
		}
		if _, err := tw.Write(body); err != nil {
			return 0, err
		}
	}
	if err := tw.Close(); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// wordPool is n bytes of lines of random words, a "needle" among them.
func wordPool(n int) []byte {
	words := []string{"func", "return", "err", "if", "nil", "context", "value", "string", "int", "for", "range",
		"alpha", "beta", "gamma", "delta", "needle", "handler", "config", "server", "client", "x", "y", ":=", "{", "}"}
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.Grow(n + 200)
	for b.Len() < n {
		for range 1 + rng.IntN(12) {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	return []byte(b.String()[:n])
}
