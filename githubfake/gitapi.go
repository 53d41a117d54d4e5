package githubfake

import (
	"encoding/base64"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/google/go-github/v89/github"
)

// maxInlineContent is the largest file the contents API returns inline;
// larger files come back with encoding "none" and no content.
const maxInlineContent = 1 << 20

// base64Lines encodes like GitHub's contents and blobs APIs: base64 with a
// newline after every 60 characters.
func base64Lines(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(enc) > 60 {
		sb.WriteString(enc[:60])
		sb.WriteByte('\n')
		enc = enc[60:]
	}
	sb.WriteString(enc)
	sb.WriteByte('\n')
	return sb.String()
}

// wantsRaw reports whether the client asked for the raw media type
// (application/vnd.github.raw or the older vnd.github.v3.raw).
func wantsRaw(c *call) bool {
	accept := c.r.Header.Get("Accept")
	return strings.Contains(accept, "vnd.github.raw") || strings.Contains(accept, "vnd.github.v3.raw")
}

func (s *Server) getRepo(c *call) reply { return jsonReply(http.StatusOK, s.repoJSON(c.repo)) }

// refJSON renders a git reference.
func (s *Server) refJSON(r *repoState, full string) *github.Reference {
	sha := r.refs[full]
	return &github.Reference{
		Ref:    ptr(full),
		NodeID: ptr(nodeID("Ref", int64(len(full)))),
		URL:    ptr(s.apiURL("/repos/%s/git/%s", r.fullName(), full)),
		Object: &github.GitObject{
			Type: ptr(r.objects.kind(sha)),
			SHA:  ptr(sha),
			URL:  ptr(s.apiURL("/repos/%s/git/%ss/%s", r.fullName(), r.objects.kind(sha), sha)),
		},
	}
}

// getRef serves GET /repos/{owner}/{repo}/git/ref/{ref}; ref is "heads/x".
func (s *Server) getRef(c *call) reply {
	full := "refs/" + c.params["ref"]
	if _, ok := c.repo.refs[full]; !ok {
		return notFound()
	}
	return jsonReply(http.StatusOK, s.refJSON(c.repo, full))
}

// badRefChars are characters git check-ref-format refuses.
var badRefChars = regexp.MustCompile(`[\x00-\x20~^:?*\[\\\x7f]|\.\.|@\{|//|/\.|\.lock(/|$)|[./]$`)

func (s *Server) createRef(c *call) reply {
	var in struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	if !strings.HasPrefix(in.Ref, "refs/") || strings.Count(in.Ref, "/") < 2 {
		return unprocessable("Reference name must start with 'refs/' and have at least two slashes.")
	}
	if badRefChars.MatchString(in.Ref) {
		return unprocessable("Reference name is not valid")
	}
	kind := c.repo.objects.kind(in.SHA)
	if kind == "" || (strings.HasPrefix(in.Ref, "refs/heads/") && kind != "commit") {
		return unprocessable("Object does not exist")
	}
	if _, ok := c.repo.refs[in.Ref]; ok {
		return unprocessable("Reference already exists")
	}
	if strings.HasPrefix(in.Ref, "refs/heads/") {
		base, _ := c.repo.branchSHA(c.repo.defaultBranch)
		if rep, ok := s.workflowGuard(c, base, in.SHA); !ok {
			return rep
		}
	}
	c.repo.setRef(in.Ref, in.SHA, s.now())
	rep := jsonReply(http.StatusCreated, s.refJSON(c.repo, in.Ref))
	rep.header = http.Header{"Location": {s.apiURL("/repos/%s/git/%s", c.repo.fullName(), in.Ref)}}
	return rep
}

func (s *Server) updateRef(c *call) reply {
	full := "refs/" + c.params["ref"]
	var in struct {
		SHA   string `json:"sha"`
		Force bool   `json:"force"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	old, ok := c.repo.refs[full]
	if !ok {
		return unprocessable("Reference does not exist")
	}
	if _, ok := c.repo.objects.commit(in.SHA); !ok {
		return unprocessable("Object does not exist")
	}
	if !in.Force && !c.repo.objects.isAncestor(old, in.SHA) {
		return unprocessable("Update is not a fast forward")
	}
	if rep, ok := s.workflowGuard(c, old, in.SHA); !ok {
		return rep
	}
	c.repo.setRef(full, in.SHA, s.now())
	return jsonReply(http.StatusOK, s.refJSON(c.repo, full))
}

func (s *Server) deleteRef(c *call) reply {
	full := "refs/" + c.params["ref"]
	if _, ok := c.repo.refs[full]; !ok {
		return unprocessable("Reference does not exist")
	}
	if full == "refs/heads/"+c.repo.defaultBranch {
		return unprocessable("Cannot delete the default branch")
	}
	delete(c.repo.refs, full)
	// GitHub closes open pull requests whose head or base branch is deleted.
	if branch, ok := strings.CutPrefix(full, "refs/heads/"); ok {
		now := s.now()
		for _, is := range c.repo.issues {
			if p := is.pull; p != nil && is.state == "open" && (p.headRef == branch || p.baseRef == branch) {
				is.state, is.closedAt, is.updatedAt = "closed", &now, now
			}
		}
	}
	return reply{status: http.StatusNoContent}
}

// workflowGuard refuses, like GitHub, to let an App without the workflows
// permission move a branch so that files under .github/workflows change.
func (s *Server) workflowGuard(c *call, from, to string) (reply, bool) {
	if c.token == nil || permits(c.token.perms["workflows"], "write") {
		return reply{}, true
	}
	before := c.repo.objects.flatten(c.repo.objects.treeOf(from))
	after := c.repo.objects.flatten(c.repo.objects.treeOf(to))
	for _, ch := range diffFiles(before, after) {
		if strings.HasPrefix(ch.Path, ".github/workflows/") {
			return unprocessable("refusing to allow a GitHub App to create or update workflow `" + ch.Path + "` without `workflows` permission"), false
		}
	}
	return reply{}, true
}

func (s *Server) createBlob(c *call) reply {
	var in struct {
		Content  string `json:"content"`
		Encoding string `json:"encoding"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	data := []byte(in.Content)
	switch in.Encoding {
	case "", "utf-8", "utf8":
	case "base64":
		var err error
		if data, err = base64.StdEncoding.DecodeString(in.Content); err != nil {
			return unprocessable("Invalid base64 content")
		}
	default:
		return invalid(fieldError{Resource: "Blob", Field: "encoding", Code: "invalid"})
	}
	sha := c.repo.objects.putBlob(data)
	rep := jsonReply(http.StatusCreated, &github.Blob{SHA: ptr(sha), URL: ptr(s.apiURL("/repos/%s/git/blobs/%s", c.repo.fullName(), sha))})
	rep.header = http.Header{"Location": {s.apiURL("/repos/%s/git/blobs/%s", c.repo.fullName(), sha)}}
	return rep
}

func (s *Server) getBlob(c *call) reply {
	sha := strings.ToLower(c.params["file_sha"])
	o, ok := c.repo.objects[sha]
	if !ok || o.typ != "blob" {
		return notFound()
	}
	if wantsRaw(c) {
		return reply{status: http.StatusOK, body: rawBody(o.blob)}
	}
	return jsonReply(http.StatusOK, &github.Blob{
		SHA:      ptr(sha),
		NodeID:   ptr(nodeID("Blob", int64(o.size))),
		Size:     ptr(len(o.blob)),
		URL:      ptr(s.apiURL("/repos/%s/git/blobs/%s", c.repo.fullName(), sha)),
		Content:  ptr(base64Lines(o.blob)),
		Encoding: ptr("base64"),
	})
}

// entryType is the API's type word for a tree entry mode.
func entryType(mode string) string {
	switch mode {
	case modeTree:
		return "tree"
	case modeSubmod:
		return "commit"
	default:
		return "blob"
	}
}

// treeJSON renders a tree, recursively if asked (directories first, then
// their contents, like git ls-tree -r -t).
func (s *Server) treeJSON(r *repoState, sha string, recursive bool) *github.Tree {
	var entries []*github.TreeEntry
	var walk func(tree, prefix string)
	walk = func(tree, prefix string) {
		list, _ := r.objects.tree(tree)
		for _, e := range list {
			te := &github.TreeEntry{
				Path: ptr(prefix + e.Name),
				Mode: ptr(e.Mode),
				Type: ptr(entryType(e.Mode)),
				SHA:  ptr(e.SHA),
			}
			switch e.Mode {
			case modeTree:
				te.URL = ptr(s.apiURL("/repos/%s/git/trees/%s", r.fullName(), e.SHA))
			case modeSubmod:
			default:
				te.Size = ptr(len(r.objects[e.SHA].blob))
				te.URL = ptr(s.apiURL("/repos/%s/git/blobs/%s", r.fullName(), e.SHA))
			}
			entries = append(entries, te)
			if recursive && e.Mode == modeTree {
				walk(e.SHA, prefix+e.Name+"/")
			}
		}
	}
	walk(sha, "")
	return &github.Tree{SHA: ptr(sha), Entries: entries, Truncated: ptr(false)}
}

// treeResponse adds the url field go-github's Tree type lacks.
type treeResponse struct {
	*github.Tree
	URL string `json:"url"`
}

func (s *Server) getTree(c *call) reply {
	want := c.params["tree_sha"]
	sha := strings.ToLower(want)
	switch c.repo.objects.kind(sha) {
	case "tree":
	case "commit":
		sha = c.repo.objects.treeOf(sha)
	default:
		commit, ok := c.repo.resolveCommit(want)
		if !ok {
			return notFound()
		}
		sha = c.repo.objects.treeOf(commit)
	}
	_, recursive := c.query["recursive"]
	return jsonReply(http.StatusOK, treeResponse{s.treeJSON(c.repo, sha, recursive), s.apiURL("/repos/%s/git/trees/%s", c.repo.fullName(), sha)})
}

// treeInput is an entry of POST /git/trees; a JSON null sha deletes.
type treeInput struct {
	Path    string  `json:"path"`
	Mode    string  `json:"mode"`
	Type    string  `json:"type"`
	SHA     *string `json:"sha"`
	Content *string `json:"content"`
}

func (s *Server) createTree(c *call) reply {
	var in struct {
		Tree     []treeInput `json:"tree"`
		BaseTree string      `json:"base_tree"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	objs := c.repo.objects
	files := map[string]fileEntry{}
	if in.BaseTree != "" {
		if objs.kind(in.BaseTree) != "tree" {
			return unprocessable("Invalid tree info: base_tree " + in.BaseTree + " is not a tree")
		}
		files = objs.flatten(in.BaseTree)
	}
	removeUnder := func(p string) {
		for q := range files {
			if q == p || strings.HasPrefix(q, p+"/") {
				delete(files, q)
			}
		}
		for dir := parentDir(p); dir != ""; dir = parentDir(dir) {
			delete(files, dir) // a file cannot stand where a directory is needed
		}
	}
	for _, e := range in.Tree {
		if !validPath(e.Path) {
			return unprocessable("tree.path contains a malformed path component")
		}
		if e.SHA != nil && e.Content != nil {
			return unprocessable("Must supply either tree.sha or tree.content. Request will be rejected if both are present.")
		}
		switch {
		case e.Content != nil:
			mode := e.Mode
			if mode == "" {
				mode = modeFile
			}
			if mode != modeFile && mode != modeExec && mode != modeSymlink {
				return unprocessable("tree.mode " + mode + " cannot be used with tree.content")
			}
			removeUnder(e.Path)
			files[e.Path] = fileEntry{Mode: mode, SHA: objs.putBlob([]byte(*e.Content))}
		case e.SHA == nil:
			removeUnder(e.Path)
		default:
			sha := strings.ToLower(*e.SHA)
			mode, kind := e.Mode, objs.kind(sha)
			if mode == "" {
				mode = map[string]string{"tree": modeTree, "blob": modeFile}[kind]
			}
			want := entryType(mode)
			if e.Type != "" && e.Type != want {
				return unprocessable("tree.type " + e.Type + " does not match tree.mode " + mode)
			}
			if want != "commit" && kind != want {
				return unprocessable("Invalid tree info: tree.sha " + sha + " is not a valid " + want)
			}
			removeUnder(e.Path)
			if mode == modeTree {
				for p, f := range objs.flatten(sha) {
					files[e.Path+"/"+p] = f
				}
			} else {
				files[e.Path] = fileEntry{Mode: mode, SHA: sha}
			}
		}
	}
	sha := objs.buildTree(files)
	rep := jsonReply(http.StatusCreated, treeResponse{s.treeJSON(c.repo, sha, false), s.apiURL("/repos/%s/git/trees/%s", c.repo.fullName(), sha)})
	rep.header = http.Header{"Location": {s.apiURL("/repos/%s/git/trees/%s", c.repo.fullName(), sha)}}
	return rep
}

// botSignature is how GitHub signs commits an App makes through the API.
func (s *Server) botSignature() Signature {
	bot := s.user(s.botLogin())
	return Signature{Name: bot.login, Email: s.noreplyEmail(bot), Date: s.now()}
}

func (s *Server) noreplyEmail(u *userState) string {
	return strings.ToLower(strings.Join([]string{itoa(u.id), "+", u.login, "@users.noreply.github.com"}, ""))
}

// sigInput is the author/committer object of POST /git/commits.
type sigInput struct {
	Name  string            `json:"name"`
	Email string            `json:"email"`
	Date  *github.Timestamp `json:"date"`
}

func (s *Server) toSignature(in *sigInput) Signature {
	sig := Signature{Name: in.Name, Email: in.Email, Date: s.now()}
	if in.Date != nil {
		sig.Date = in.Date.Time
	}
	return sig
}

func (s *Server) createCommit(c *call) reply {
	var in struct {
		Message   string    `json:"message"`
		Tree      string    `json:"tree"`
		Parents   []string  `json:"parents"`
		Author    *sigInput `json:"author"`
		Committer *sigInput `json:"committer"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	objs := c.repo.objects
	if objs.kind(strings.ToLower(in.Tree)) != "tree" {
		return unprocessable("Tree SHA does not exist")
	}
	parents := make([]string, 0, len(in.Parents))
	for _, p := range in.Parents {
		if _, ok := objs.commit(strings.ToLower(p)); !ok {
			return unprocessable("Parent SHA does not exist or is not a commit object")
		}
		parents = append(parents, strings.ToLower(p))
	}
	author := s.botSignature()
	if in.Author != nil {
		author = s.toSignature(in.Author)
	}
	committer := author
	if in.Committer != nil {
		committer = s.toSignature(in.Committer)
	} else if in.Author == nil {
		committer = s.botSignature()
	}
	sha := objs.putCommit(gitCommit{Tree: strings.ToLower(in.Tree), Parents: parents, Author: author, Committer: committer, Message: in.Message})
	rep := jsonReply(http.StatusCreated, s.gitCommitJSON(c.repo, sha))
	rep.header = http.Header{"Location": {s.apiURL("/repos/%s/git/commits/%s", c.repo.fullName(), sha)}}
	return rep
}

func sigJSON(sig Signature) *github.CommitAuthor {
	return &github.CommitAuthor{Name: ptr(sig.Name), Email: ptr(sig.Email), Date: ts(sig.Date)}
}

// gitCommitJSON renders a commit as the git data API does.
func (s *Server) gitCommitJSON(r *repoState, sha string) *github.Commit {
	gc, _ := r.objects.commit(sha)
	parents := make([]*github.Commit, 0, len(gc.Parents))
	for _, p := range gc.Parents {
		parents = append(parents, &github.Commit{
			SHA:     ptr(p),
			URL:     ptr(s.apiURL("/repos/%s/git/commits/%s", r.fullName(), p)),
			HTMLURL: ptr(htmlURL("/%s/commit/%s", r.fullName(), p)),
		})
	}
	return &github.Commit{
		SHA:       ptr(sha),
		NodeID:    ptr(nodeID("Commit", int64(len(sha)))),
		URL:       ptr(s.apiURL("/repos/%s/git/commits/%s", r.fullName(), sha)),
		HTMLURL:   ptr(htmlURL("/%s/commit/%s", r.fullName(), sha)),
		Author:    sigJSON(gc.Author),
		Committer: sigJSON(gc.Committer),
		Message:   ptr(gc.Message),
		Tree:      &github.Tree{SHA: ptr(gc.Tree)},
		Parents:   parents,
		Verification: &github.SignatureVerification{
			Verified: ptr(false),
			Reason:   ptr("unsigned"),
		},
	}
}

func (s *Server) getGitCommit(c *call) reply {
	sha := strings.ToLower(c.params["commit_sha"])
	if _, ok := c.repo.objects.commit(sha); !ok {
		return notFound()
	}
	return jsonReply(http.StatusOK, s.gitCommitJSON(c.repo, sha))
}

// repoCommitJSON renders a commit as the repository commits API does,
// optionally with its file list against the first parent.
func (s *Server) repoCommitJSON(r *repoState, sha string, withFiles bool) *github.RepositoryCommit {
	gc := s.gitCommitJSON(r, sha)
	raw, _ := r.objects.commit(sha)
	out := &github.RepositoryCommit{
		SHA:         ptr(sha),
		NodeID:      gc.NodeID,
		Commit:      gc,
		URL:         ptr(s.apiURL("/repos/%s/commits/%s", r.fullName(), sha)),
		HTMLURL:     ptr(htmlURL("/%s/commit/%s", r.fullName(), sha)),
		CommentsURL: ptr(s.apiURL("/repos/%s/commits/%s/comments", r.fullName(), sha)),
		Parents:     gc.Parents,
	}
	// The "commit" object nested in a repository commit carries no sha of
	// its own, only a url and the tree.
	out.Commit = &github.Commit{
		Author: gc.Author, Committer: gc.Committer, Message: gc.Message,
		Tree:         &github.Tree{SHA: gc.Tree.SHA},
		URL:          gc.URL,
		Verification: gc.Verification,
		CommentCount: ptr(0),
	}
	if u, ok := s.users[strings.ToLower(raw.Author.Name)]; ok {
		out.Author = s.userJSON(u.login)
	}
	if u, ok := s.users[strings.ToLower(raw.Committer.Name)]; ok {
		out.Committer = s.userJSON(u.login)
	}
	if withFiles {
		var before map[string]fileEntry
		if len(raw.Parents) > 0 {
			before = r.objects.flatten(r.objects.treeOf(raw.Parents[0]))
		}
		changes := diffFiles(before, r.objects.flatten(raw.Tree))
		for _, ch := range changes {
			out.Files = append(out.Files, &github.CommitFile{
				SHA:      ptr(ch.SHA),
				Filename: ptr(ch.Path),
				Status:   ptr(ch.Status),
				BlobURL:  ptr(htmlURL("/%s/blob/%s/%s", r.fullName(), sha, ch.Path)),
				RawURL:   ptr(htmlURL("/%s/raw/%s/%s", r.fullName(), sha, ch.Path)),
			})
		}
		out.Stats = &github.CommitStats{Additions: ptr(0), Deletions: ptr(0), Total: ptr(0)}
	}
	return out
}

func (s *Server) getCommit(c *call) reply {
	sha, ok := c.repo.resolveCommit(c.params["ref"])
	if !ok {
		return unprocessable("No commit found for SHA: " + c.params["ref"])
	}
	return jsonReply(http.StatusOK, s.repoCommitJSON(c.repo, sha, true))
}

func (s *Server) getBranch(c *call) reply {
	name := c.params["branch"]
	sha, ok := c.repo.branchSHA(name)
	if !ok {
		return errReply(http.StatusNotFound, "Branch not found")
	}
	commit := s.repoCommitJSON(c.repo, sha, false)
	if s.branchNoTree {
		commit.Commit.Tree = nil
	}
	return jsonReply(http.StatusOK, &github.Branch{
		Name:      ptr(name),
		Commit:    commit,
		Protected: ptr(len(c.repo.required[name]) > 0),
	})
}

// contentJSON renders one entry of the contents API.
func (s *Server) contentJSON(r *repoState, ref, p string, e treeEntry, withContent bool) *github.RepositoryContent {
	typ := map[string]string{modeTree: "dir", modeSubmod: "submodule", modeSymlink: "symlink"}[e.Mode]
	if typ == "" {
		typ = "file"
	}
	out := &github.RepositoryContent{
		Type:    ptr(typ),
		Name:    ptr(path.Base(p)),
		Path:    ptr(p),
		SHA:     ptr(e.SHA),
		Size:    ptr(0),
		URL:     ptr(s.apiURL("/repos/%s/contents/%s?ref=%s", r.fullName(), p, ref)),
		HTMLURL: ptr(htmlURL("/%s/blob/%s/%s", r.fullName(), ref, p)),
	}
	switch e.Mode {
	case modeTree:
		out.GitURL = ptr(s.apiURL("/repos/%s/git/trees/%s", r.fullName(), e.SHA))
		return out
	case modeSubmod:
		return out
	}
	blob := r.objects[e.SHA].blob
	out.Size = ptr(len(blob))
	out.GitURL = ptr(s.apiURL("/repos/%s/git/blobs/%s", r.fullName(), e.SHA))
	out.DownloadURL = ptr(s.addDownload("raw", r.fullName()+"/"+ref+"/"+p, "text/plain; charset=utf-8", func() ([]byte, error) { return blob, nil }))
	if e.Mode == modeSymlink {
		out.Target = ptr(string(blob))
	}
	if withContent {
		if len(blob) > maxInlineContent {
			out.Encoding, out.Content = ptr("none"), ptr("")
		} else {
			out.Encoding, out.Content = ptr("base64"), ptr(base64Lines(blob))
		}
	}
	return out
}

func (s *Server) getContents(c *call) reply {
	ref := c.query.Get("ref")
	if ref == "" {
		ref = c.repo.defaultBranch
	}
	sha, ok := c.repo.resolveCommit(ref)
	if !ok {
		return errReply(http.StatusNotFound, "No commit found for the ref "+ref)
	}
	p := strings.Trim(c.params["path"], "/")
	e, ok := c.repo.objects.lookupPath(c.repo.objects.treeOf(sha), p)
	if !ok {
		return notFound()
	}
	if e.Mode != modeTree {
		if wantsRaw(c) && e.Mode != modeSubmod {
			return reply{status: http.StatusOK, body: rawBody(c.repo.objects[e.SHA].blob)}
		}
		return jsonReply(http.StatusOK, s.contentJSON(c.repo, ref, p, e, true))
	}
	entries, _ := c.repo.objects.tree(e.SHA)
	list := make([]*github.RepositoryContent, 0, len(entries))
	for _, child := range entries {
		list = append(list, s.contentJSON(c.repo, ref, strings.TrimPrefix(p+"/"+child.Name, "/"), child, false))
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].GetName() < list[j].GetName() })
	return jsonReply(http.StatusOK, list)
}
