package gh

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
)

// archiveHeadBytes is how much of a tarball's compressed start is kept to
// read its pax global header: the header is the archive's first 1 KiB.
const archiveHeadBytes = 64 << 10

// archiveHead passes a gzipped tarball through, keeping its start.
type archiveHead struct {
	r    io.Reader
	head []byte
}

func (a *archiveHead) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if room := archiveHeadBytes - len(a.head); room > 0 {
		a.head = append(a.head, p[:min(n, room)]...)
	}
	return n, err
}

// commit is the commit id the archive's pax global header names (the
// "comment" record git archive writes, as GitHub's tarballs carry), or ""
// when it names none.
func (a *archiveHead) commit() string {
	zr, err := gzip.NewReader(bytes.NewReader(a.head))
	if err != nil {
		return ""
	}
	hdr, err := tar.NewReader(zr).Next()
	if err != nil || hdr.Typeflag != tar.TypeXGlobalHeader {
		return ""
	}
	if sha := hdr.PAXRecords["comment"]; isCommitID(sha) {
		return sha
	}
	return ""
}

// isCommitID reports whether s is a full hexadecimal SHA-1 commit id.
func isCommitID(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
