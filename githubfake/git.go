package githubfake

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Git file modes as GitHub's API spells them.
const (
	modeFile    = "100644"
	modeExec    = "100755"
	modeSymlink = "120000"
	modeTree    = "040000"
	modeSubmod  = "160000"
)

// Signature is a git author or committer line.
type Signature struct {
	Name  string
	Email string
	Date  time.Time
}

// treeEntry is one line of a git tree object.
type treeEntry struct {
	Mode string // as the API spells it, e.g. "040000"
	Name string
	SHA  string
}

// gitCommit is a parsed commit object.
type gitCommit struct {
	Tree      string
	Parents   []string
	Author    Signature
	Committer Signature
	Message   string
}

// object is a stored git object; exactly one of blob, tree, commit is set,
// as typ says.
type object struct {
	typ    string // "blob", "tree" or "commit"
	blob   []byte
	tree   []treeEntry
	commit *gitCommit
	size   int // length of the serialized body, as git reports it
}

// fileEntry is a leaf of a flattened tree: a blob (or submodule) and its mode.
type fileEntry struct {
	Mode string
	SHA  string
}

// objectStore holds a repository's git objects by SHA-1.
type objectStore map[string]*object

// hashObject computes the git object id of a body of the given type.
func hashObject(typ string, body []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(body))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func (st objectStore) putBlob(data []byte) string {
	body := bytes.Clone(data)
	sha := hashObject("blob", body)
	st[sha] = &object{typ: "blob", blob: body, size: len(body)}
	return sha
}

// treeSortKey is the name git compares when ordering tree entries:
// subtrees sort as if their name ended in "/".
func treeSortKey(e treeEntry) string {
	if e.Mode == modeTree {
		return e.Name + "/"
	}
	return e.Name
}

func (st objectStore) putTree(entries []treeEntry) string {
	sorted := append([]treeEntry(nil), entries...)
	sort.Slice(sorted, func(i, j int) bool { return treeSortKey(sorted[i]) < treeSortKey(sorted[j]) })
	var body bytes.Buffer
	for _, e := range sorted {
		raw, _ := hex.DecodeString(e.SHA)
		// git writes tree modes without the leading zero.
		fmt.Fprintf(&body, "%s %s\x00", strings.TrimPrefix(e.Mode, "0"), e.Name)
		body.Write(raw)
	}
	sha := hashObject("tree", body.Bytes())
	st[sha] = &object{typ: "tree", tree: sorted, size: body.Len()}
	return sha
}

func formatSignature(s Signature) string {
	return fmt.Sprintf("%s <%s> %d %s", s.Name, s.Email, s.Date.Unix(), s.Date.Format("-0700"))
}

func (st objectStore) putCommit(c gitCommit) string {
	var body bytes.Buffer
	fmt.Fprintf(&body, "tree %s\n", c.Tree)
	for _, p := range c.Parents {
		fmt.Fprintf(&body, "parent %s\n", p)
	}
	fmt.Fprintf(&body, "author %s\n", formatSignature(c.Author))
	fmt.Fprintf(&body, "committer %s\n", formatSignature(c.Committer))
	body.WriteString("\n")
	body.WriteString(c.Message)
	sha := hashObject("commit", body.Bytes())
	cc := c
	cc.Parents = append([]string(nil), c.Parents...)
	st[sha] = &object{typ: "commit", commit: &cc, size: body.Len()}
	return sha
}

func (st objectStore) kind(sha string) string {
	if o, ok := st[sha]; ok {
		return o.typ
	}
	return ""
}

func (st objectStore) commit(sha string) (*gitCommit, bool) {
	o, ok := st[sha]
	if !ok || o.typ != "commit" {
		return nil, false
	}
	return o.commit, true
}

func (st objectStore) tree(sha string) ([]treeEntry, bool) {
	o, ok := st[sha]
	if !ok || o.typ != "tree" {
		return nil, false
	}
	return o.tree, true
}

// flatten lists every non-tree leaf under a tree by slash-separated path.
func (st objectStore) flatten(treeSHA string) map[string]fileEntry {
	out := map[string]fileEntry{}
	st.flattenInto(treeSHA, "", out)
	return out
}

func (st objectStore) flattenInto(treeSHA, prefix string, out map[string]fileEntry) {
	entries, _ := st.tree(treeSHA)
	for _, e := range entries {
		if e.Mode == modeTree {
			st.flattenInto(e.SHA, prefix+e.Name+"/", out)
			continue
		}
		out[prefix+e.Name] = fileEntry{Mode: e.Mode, SHA: e.SHA}
	}
}

// buildTree writes the nested trees for a flat path map and returns the
// root tree's SHA. Directories left empty simply do not appear, as in git.
func (st objectStore) buildTree(files map[string]fileEntry) string {
	type dir struct {
		files map[string]fileEntry
		dirs  map[string]map[string]fileEntry
	}
	d := dir{files: map[string]fileEntry{}, dirs: map[string]map[string]fileEntry{}}
	for p, f := range files {
		head, rest, nested := strings.Cut(p, "/")
		if !nested {
			d.files[head] = f
			continue
		}
		if d.dirs[head] == nil {
			d.dirs[head] = map[string]fileEntry{}
		}
		d.dirs[head][rest] = f
	}
	var entries []treeEntry
	for name, f := range d.files {
		entries = append(entries, treeEntry{Mode: f.Mode, Name: name, SHA: f.SHA})
	}
	for name, sub := range d.dirs {
		entries = append(entries, treeEntry{Mode: modeTree, Name: name, SHA: st.buildTree(sub)})
	}
	return st.putTree(entries)
}

// lookupPath finds the entry at a slash-separated path below a tree. The
// empty path names the tree itself.
func (st objectStore) lookupPath(treeSHA, path string) (treeEntry, bool) {
	if path == "" {
		return treeEntry{Mode: modeTree, SHA: treeSHA}, st.kind(treeSHA) == "tree"
	}
	cur := treeEntry{Mode: modeTree, SHA: treeSHA}
	for _, part := range strings.Split(path, "/") {
		if cur.Mode != modeTree {
			return treeEntry{}, false
		}
		entries, ok := st.tree(cur.SHA)
		if !ok {
			return treeEntry{}, false
		}
		found := false
		for _, e := range entries {
			if e.Name == part {
				cur, found = e, true
				break
			}
		}
		if !found {
			return treeEntry{}, false
		}
	}
	return cur, true
}

// ancestors returns every commit reachable from sha, itself included, in
// breadth-first order.
func (st objectStore) ancestors(sha string) []string {
	var order []string
	seen := map[string]bool{}
	queue := []string{sha}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if seen[cur] {
			continue
		}
		seen[cur] = true
		order = append(order, cur)
		if c, ok := st.commit(cur); ok {
			queue = append(queue, c.Parents...)
		}
	}
	return order
}

// isAncestor reports whether anc is reachable from desc (or equal to it).
func (st objectStore) isAncestor(anc, desc string) bool {
	for _, a := range st.ancestors(desc) {
		if a == anc {
			return true
		}
	}
	return false
}

// mergeBase returns a nearest common ancestor of a and b, or "" if the
// histories are unrelated.
func (st objectStore) mergeBase(a, b string) string {
	inA := map[string]bool{}
	for _, x := range st.ancestors(a) {
		inA[x] = true
	}
	for _, y := range st.ancestors(b) {
		if inA[y] {
			return y
		}
	}
	return ""
}

// commitsBetween lists the commits reachable from head but not from base,
// oldest first along the first-parent chain order git log --reverse gives
// for linear histories.
func (st objectStore) commitsBetween(base, head string) []string {
	inBase := map[string]bool{}
	if base != "" {
		for _, x := range st.ancestors(base) {
			inBase[x] = true
		}
	}
	var out []string
	for _, x := range st.ancestors(head) {
		if !inBase[x] {
			out = append(out, x)
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// treeOf returns the tree SHA of a commit, or "" for a non-commit.
func (st objectStore) treeOf(commitSHA string) string {
	if c, ok := st.commit(commitSHA); ok {
		return c.Tree
	}
	return ""
}

// merge3 merges two flattened trees against their base, file by file. A
// path changed differently on both sides is a conflict.
func merge3(base, ours, theirs map[string]fileEntry) (map[string]fileEntry, []string) {
	out := map[string]fileEntry{}
	paths := map[string]bool{}
	for _, m := range []map[string]fileEntry{base, ours, theirs} {
		for p := range m {
			paths[p] = true
		}
	}
	var conflicts []string
	for p := range paths {
		b, inB := base[p]
		o, inO := ours[p]
		t, inT := theirs[p]
		switch {
		case inO == inT && o == t:
			if inO {
				out[p] = o
			}
		case inB == inO && b == o: // only theirs changed
			if inT {
				out[p] = t
			}
		case inB == inT && b == t: // only ours changed
			if inO {
				out[p] = o
			}
		default:
			conflicts = append(conflicts, p)
		}
	}
	sort.Strings(conflicts)
	// A file on one side and a directory of the same name on the other
	// cannot both exist in a tree.
	for p := range out {
		for dir := parentDir(p); dir != ""; dir = parentDir(dir) {
			if _, clash := out[dir]; clash {
				conflicts = append(conflicts, dir)
			}
		}
	}
	return out, conflicts
}

func parentDir(p string) string {
	i := strings.LastIndex(p, "/")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// diffFiles lists the paths whose entry differs between two flattened
// trees, with GitHub's status words.
func diffFiles(before, after map[string]fileEntry) []fileChange {
	var out []fileChange
	for p, a := range after {
		b, ok := before[p]
		switch {
		case !ok:
			out = append(out, fileChange{Path: p, Status: "added", SHA: a.SHA})
		case b != a:
			out = append(out, fileChange{Path: p, Status: "modified", SHA: a.SHA})
		}
	}
	for p, b := range before {
		if _, ok := after[p]; !ok {
			out = append(out, fileChange{Path: p, Status: "removed", SHA: b.SHA})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// fileChange is one entry of a commit or pull request file list.
type fileChange struct {
	Path   string
	Status string
	SHA    string
}

// validPath reports whether p is a path git and GitHub accept in a tree.
func validPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." || strings.EqualFold(part, ".git") || strings.ContainsRune(part, 0) {
			return false
		}
	}
	return true
}

// isHexSHA reports whether s looks like a full SHA-1 object id.
func isHexSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
