package githubfake

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/google/go-github/v89/github"
)

// compareFileLimit is how many files GitHub lists in a comparison.
const compareFileLimit = 300

// compareCommits serves GET /repos/{o}/{r}/compare/{base}...{head}: the
// commits reachable from head but not from base (paginated) and, on the
// first page only as GitHub does, the files that differ between their
// merge base and head, with line counts.
func (s *Server) compareCommits(c *call) reply {
	baseRef, headRef, ok := strings.Cut(c.params["basehead"], "...")
	if !ok {
		return notFound()
	}
	r := c.repo
	base, okBase := r.resolveCommit(baseRef)
	head, okHead := r.resolveCommit(headRef)
	if !okBase || !okHead {
		return notFound()
	}
	mb := r.objects.mergeBase(base, head)
	if mb == "" {
		return notFound() // GitHub: "No common ancestor between ..."
	}
	ahead, behind := r.objects.commitsBetween(base, head), r.objects.commitsBetween(head, base)
	lo, hi, h := s.paginate(c, len(ahead))
	out := &github.CommitsComparison{
		BaseCommit: s.repoCommitJSON(r, base, false), MergeBaseCommit: s.repoCommitJSON(r, mb, false),
		Status: ptr(compareStatus(len(ahead), len(behind))), AheadBy: ptr(len(ahead)), BehindBy: ptr(len(behind)),
		TotalCommits: ptr(len(ahead)), Commits: []*github.RepositoryCommit{}, Files: []*github.CommitFile{},
		URL:          ptr(s.apiURL("/repos/%s/compare/%s...%s", r.fullName(), baseRef, headRef)),
		HTMLURL:      ptr(htmlURL("/%s/compare/%s...%s", r.fullName(), baseRef, headRef)),
		PermalinkURL: ptr(htmlURL("/%s/compare/%s...%s", r.fullName(), base, head)),
		DiffURL:      ptr(htmlURL("/%s/compare/%s...%s.diff", r.fullName(), baseRef, headRef)),
		PatchURL:     ptr(htmlURL("/%s/compare/%s...%s.patch", r.fullName(), baseRef, headRef)),
	}
	for _, sha := range ahead[lo:hi] {
		out.Commits = append(out.Commits, s.repoCommitJSON(r, sha, false))
	}
	if lo == 0 {
		out.Files = s.diffJSON(r, head, r.objects.treeOf(mb), r.objects.treeOf(head))
	}
	return reply{status: http.StatusOK, body: out, header: h}
}

func compareStatus(ahead, behind int) string {
	switch {
	case ahead == 0 && behind == 0:
		return "identical"
	case behind == 0:
		return "ahead"
	case ahead == 0:
		return "behind"
	}
	return "diverged"
}

// diffJSON renders the files that differ between two trees, at most
// compareFileLimit of them, with their added and removed lines.
func (s *Server) diffJSON(r *repoState, sha, beforeTree, afterTree string) []*github.CommitFile {
	before, after := r.objects.flatten(beforeTree), r.objects.flatten(afterTree)
	out := []*github.CommitFile{}
	for _, ch := range diffFiles(before, after) {
		if len(out) == compareFileLimit {
			break
		}
		add, del := countLineChanges(r.objects.blobBytes(before[ch.Path].SHA), r.objects.blobBytes(after[ch.Path].SHA))
		out = append(out, &github.CommitFile{
			SHA: ptr(ch.SHA), Filename: ptr(ch.Path), Status: ptr(ch.Status),
			Additions: ptr(add), Deletions: ptr(del), Changes: ptr(add + del),
			BlobURL:     ptr(htmlURL("/%s/blob/%s/%s", r.fullName(), sha, ch.Path)),
			RawURL:      ptr(htmlURL("/%s/raw/%s/%s", r.fullName(), sha, ch.Path)),
			ContentsURL: ptr(s.apiURL("/repos/%s/contents/%s?ref=%s", r.fullName(), ch.Path, sha)),
		})
	}
	return out
}

// blobBytes returns a blob's content, or nil for a missing path or a
// non-blob (a submodule).
func (st objectStore) blobBytes(sha string) []byte {
	if o, ok := st[sha]; ok && o.typ == "blob" {
		return o.blob
	}
	return nil
}

// lcsCellLimit bounds the table of the exact line diff; past it, every
// line counts as removed and added, as a diff that found nothing in common.
const lcsCellLimit = 4 << 20

// countLineChanges counts the lines a diff from before to after adds and
// removes, from the longest common subsequence of their lines.
func countLineChanges(before, after []byte) (added, removed int) {
	a, b := splitLines(before), splitLines(after)
	if len(a)*len(b) > lcsCellLimit {
		return len(b), len(a)
	}
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if bytes.Equal(a[i], b[j]) {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	common := prev[len(b)]
	return len(b) - common, len(a) - common
}

// splitLines splits text into lines as git counts them: a last line
// without a newline is a line.
func splitLines(text []byte) [][]byte {
	if len(text) == 0 {
		return nil
	}
	lines := bytes.SplitAfter(text, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// listPullCommits serves GET /repos/{o}/{r}/pulls/{n}/commits: the
// commits on the head not on the base, oldest first, paginated.
func (s *Server) listPullCommits(c *call) reply {
	is, ok := s.pullParam(c)
	if !ok {
		return notFound()
	}
	p := is.pull
	base := p.baseRef
	if sha, ok := c.repo.branchSHA(p.baseRef); ok {
		base = sha
	}
	all := c.repo.objects.commitsBetween(base, p.headSHA)
	lo, hi, h := s.paginate(c, len(all))
	out := make([]*github.RepositoryCommit, 0, hi-lo)
	for _, sha := range all[lo:hi] {
		out = append(out, s.repoCommitJSON(c.repo, sha, false))
	}
	return reply{status: http.StatusOK, body: out, header: h}
}
