package githubfake

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// downloadPrefix starts the paths of files the API redirects to (archives,
// job logs, raw files). GitHub serves them from other hosts
// (codeload.github.com, blob storage) with a token in the query, so they
// take no Authorization and are not API requests.
const downloadPrefix = "/_"

// addDownload registers a token-guarded download and returns its URL,
// e.g. <base>/_codeload/<owner>/<repo>/legacy.tar.gz/<sha>?token=....
func (s *Server) addDownload(kind, name, contentType string, body func() ([]byte, error)) string {
	token := randomString(24)
	p := downloadPrefix + kind + "/" + name
	s.downloads[p+"?"+token] = download{contentType: contentType, body: body}
	return s.http.URL + (&url.URL{Path: p}).EscapedPath() + "?token=" + token
}

// serveDownload answers a redirect target. Unknown paths or tokens are 404.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request, escaped string) {
	s.mu.Lock()
	d, ok := s.downloads[unescapePath(escaped)+"?"+r.URL.Query().Get("token")]
	var body []byte
	var err error
	if ok {
		body, err = d.body()
	}
	s.mu.Unlock()
	switch {
	case !ok:
		http.NotFound(w, r)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", d.contentType)
		_, _ = w.Write(body)
	}
}

// getTarball serves GET /repos/{owner}/{repo}/tarball/{ref}: a redirect to
// a codeload-like archive of the resolved commit.
func (s *Server) getTarball(c *call) reply {
	sha, ok := c.repo.resolveCommit(c.params["ref"])
	if !ok {
		return notFound()
	}
	r := c.repo
	if s.archiveURL != nil {
		if u := s.archiveURL(r.fullName(), sha); u != "" {
			return redirect(u)
		}
	}
	loc := s.addDownload("codeload", r.fullName()+"/legacy.tar.gz/"+sha, "application/x-gzip", func() ([]byte, error) {
		return tarball(r, sha)
	})
	return redirect(loc)
}

// tarball builds a gzipped tar of a commit the way GitHub's legacy
// archives look: a pax global header carrying the commit id, then
// everything under "<owner>-<repo>-<short sha>/", directories first.
// Call with the Server's lock held.
func tarball(r *repoState, sha string) ([]byte, error) {
	gc, ok := r.objects.commit(sha)
	if !ok {
		return nil, fmt.Errorf("tarball of %s: no commit %s", r.fullName(), sha)
	}
	mtime := gc.Committer.Date
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{
		Typeflag:   tar.TypeXGlobalHeader,
		PAXRecords: map[string]string{"comment": sha},
	}); err != nil {
		return nil, fmt.Errorf("tarball of %s: %w", r.fullName(), err)
	}
	root := fmt.Sprintf("%s-%s-%s/", r.owner, r.name, sha[:7])
	if err := writeTree(tw, r.objects, gc.Tree, root, mtime); err != nil {
		return nil, fmt.Errorf("tarball of %s: %w", r.fullName(), err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("tarball of %s: %w", r.fullName(), err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("tarball of %s: %w", r.fullName(), err)
	}
	return buf.Bytes(), nil
}

// writeTree writes a directory entry for dir and then its contents.
func writeTree(tw *tar.Writer, objs objectStore, treeSHA, dir string, mtime time.Time) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o775, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	entries, _ := objs.tree(treeSHA)
	for _, e := range entries {
		name := dir + e.Name
		var err error
		switch e.Mode {
		case modeTree:
			err = writeTree(tw, objs, e.SHA, name+"/", mtime)
		case modeSubmod:
			// git archive leaves an empty directory for a submodule.
			err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o775, ModTime: mtime, Format: tar.FormatPAX})
		case modeSymlink:
			err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: string(objs[e.SHA].blob), Mode: 0o777, ModTime: mtime, Format: tar.FormatPAX})
		default:
			mode := int64(0o664)
			if e.Mode == modeExec {
				mode = 0o775
			}
			blob := objs[e.SHA].blob
			if err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(blob)), ModTime: mtime, Format: tar.FormatPAX}); err == nil {
				_, err = tw.Write(blob)
			}
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", strings.TrimSuffix(name, "/"), err)
		}
	}
	return nil
}
