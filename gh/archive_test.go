package gh

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// tarball is a gzipped tar with, when comment is set, git archive's pax
// global header first, then one big file.
func tarball(t *testing.T, comment string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if comment != "" {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": comment}}); err != nil {
			t.Fatal(err)
		}
	}
	body := strings.Repeat("x", 200<<10)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "r/big.txt", Mode: 0o644, Size: int64(len(body))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestArchiveHeadNamesTheCommit(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	for _, tt := range []struct {
		name, comment, want string
	}{
		{"git archive's header", sha, sha},
		{"no header", "", ""},
		{"not a commit id", "hello", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := &archiveHead{r: bytes.NewReader(tarball(t, tt.comment))}
			if _, err := io.Copy(io.Discard, a); err != nil {
				t.Fatal(err)
			}
			if got := a.commit(); got != tt.want {
				t.Errorf("commit = %q, want %q", got, tt.want)
			}
		})
	}
}
