package githubfake

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// File is a file to seed into a repository, with its git mode.
type File struct {
	Content string
	// Mode is "100644" (the default when empty), "100755" for executables
	// or "120000" for a symlink whose Content is the target.
	Mode string
}

// Commit is a commit as tests read it back.
type Commit struct {
	SHA       string
	Tree      string
	Parents   []string
	Message   string
	Author    Signature
	Committer Signature
}

// Repo is a handle on one repository of a Server, for seeding and
// assertions. Its accessors return copies.
type Repo struct {
	s        *Server
	fullName string
}

// AddUser makes an account known to the double; typ is "User", "Bot" or
// "Organization". Logins the double has never heard of are 404s where
// GitHub would say so, such as the collaborator permission endpoint.
func (s *Server) AddUser(login, typ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(login)
	u.typ = typ
}

// AddRepo creates a private repository owned by the installation's account
// with one commit of files on its default branch "main".
func (s *Server) AddRepo(installationID int64, fullName string, files map[string]string) *Repo {
	fs := make(map[string]File, len(files))
	for p, c := range files {
		fs[p] = File{Content: c}
	}
	return s.AddRepoFiles(installationID, fullName, fs)
}

// AddRepoFiles is AddRepo with file modes.
func (s *Server) AddRepoFiles(installationID int64, fullName string, files map[string]File) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst := s.mustInstallation(installationID)
	owner, name, ok := strings.Cut(fullName, "/")
	if !ok || name == "" || strings.Contains(name, "/") {
		panic(fmt.Sprintf("githubfake: bad repository name %q", fullName))
	}
	if !strings.EqualFold(owner, inst.account) {
		panic(fmt.Sprintf("githubfake: %s is not owned by installation %d's account %s", fullName, installationID, inst.account))
	}
	if s.lookupRepo(owner, name) != nil {
		panic(fmt.Sprintf("githubfake: repository %s already exists", fullName))
	}
	now := s.now()
	r := &repoState{
		id: s.newID(), owner: inst.account, name: name, private: true, defaultBranch: "main",
		installationID: installationID, createdAt: now, pushedAt: now,
		objects: objectStore{}, refs: map[string]string{}, nextNumber: 1,
		issues: map[int]*issueState{}, comments: map[int64]*commentState{},
		labels: map[string]*labelState{}, reviews: map[int64]*reviewState{},
		reviewComments: map[int64]*reviewCommentState{}, roles: map[string]string{},
		checkRuns: map[int64]*checkRunState{}, checkSuites: map[int64]*checkSuiteState{},
		required: map[string][]string{},
	}
	flat := map[string]fileEntry{}
	for p, f := range files {
		flat[p] = s.seedFile(r, p, f)
	}
	sig := Signature{Name: inst.account, Email: inst.account + "@users.noreply.github.com", Date: now}
	sha := r.objects.putCommit(gitCommit{Tree: r.objects.buildTree(flat), Author: sig, Committer: sig, Message: "Initial commit"})
	r.setRef("refs/heads/main", sha, now)
	s.repos[strings.ToLower(r.fullName())] = r
	inst.repoIDs[r.id] = true
	return &Repo{s: s, fullName: r.fullName()}
}

func (s *Server) seedFile(r *repoState, path string, f File) fileEntry {
	if !validPath(path) {
		panic(fmt.Sprintf("githubfake: bad path %q", path))
	}
	mode := f.Mode
	if mode == "" {
		mode = modeFile
	}
	if mode != modeFile && mode != modeExec && mode != modeSymlink {
		panic(fmt.Sprintf("githubfake: bad mode %q for %s", f.Mode, path))
	}
	return fileEntry{Mode: mode, SHA: r.objects.putBlob([]byte(f.Content))}
}

// Repo returns a handle on an existing repository.
func (s *Server) Repo(fullName string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &Repo{s: s, fullName: s.mustRepo(fullName).fullName()}
}

func (s *Server) mustRepo(fullName string) *repoState {
	owner, name, _ := strings.Cut(fullName, "/")
	r := s.lookupRepo(owner, name)
	if r == nil {
		panic(fmt.Sprintf("githubfake: no repository %s", fullName))
	}
	return r
}

// SetPrivate changes a repository's visibility (repositories start private).
func (s *Server) SetPrivate(fullName string, private bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustRepo(fullName).private = private
}

// PushCommit simulates a person pushing one commit to a branch: files
// maps paths to new contents, nil deleting the path. A missing branch is
// created from the default branch. It returns the new commit's SHA.
func (s *Server) PushCommit(fullName, branch string, files map[string]*string, message string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	parent, ok := r.branchSHA(branch)
	if !ok {
		parent, _ = r.branchSHA(r.defaultBranch)
	}
	flat := r.objects.flatten(r.objects.treeOf(parent))
	for p, c := range files {
		if c == nil {
			delete(flat, p)
			continue
		}
		mode := modeFile
		if old, ok := flat[p]; ok {
			mode = old.Mode
		}
		flat[p] = s.seedFile(r, p, File{Content: *c, Mode: mode})
	}
	now := s.now()
	sig := Signature{Name: r.owner, Email: r.owner + "@users.noreply.github.com", Date: now}
	sha := r.objects.putCommit(gitCommit{Tree: r.objects.buildTree(flat), Parents: []string{parent}, Author: sig, Committer: sig, Message: message})
	r.setRef("refs/heads/"+branch, sha, now)
	return sha
}

// SetPermission gives a user a role on a repository: "admin", "maintain",
// "write", "triage" or "read" ("" or "none" removes it).
func (s *Server) SetPermission(fullName, login, roleName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	s.user(login)
	switch roleName {
	case "", "none":
		delete(r.roles, strings.ToLower(login))
	case "admin", "maintain", "write", "triage", "read":
		r.roles[strings.ToLower(login)] = roleName
	default:
		panic(fmt.Sprintf("githubfake: unknown role %q", roleName))
	}
}

// FullName is the repository's owner/name.
func (r *Repo) FullName() string { return r.fullName }

// BranchSHA returns the commit a branch points at.
func (r *Repo) BranchSHA(branch string) (string, bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return r.s.mustRepo(r.fullName).branchSHA(branch)
}

// Refs returns every ref ("refs/heads/main") and the commit it points at.
func (r *Repo) Refs() map[string]string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	out := map[string]string{}
	for k, v := range r.s.mustRepo(r.fullName).refs {
		out[k] = v
	}
	return out
}

// Files returns the contents of every file at a branch, tag or commit.
func (r *Repo) Files(ref string) (map[string]string, error) {
	tree, err := r.Tree(ref)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(tree))
	for p, f := range tree {
		out[p] = f.Content
	}
	return out, nil
}

// Tree returns every file with its mode at a branch, tag or commit.
// Submodules are left out.
func (r *Repo) Tree(ref string) (map[string]File, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	rs := r.s.mustRepo(r.fullName)
	sha, ok := rs.resolveCommit(ref)
	if !ok {
		return nil, fmt.Errorf("read files of %s at %q: no such commit", r.fullName, ref)
	}
	out := map[string]File{}
	for p, f := range rs.objects.flatten(rs.objects.treeOf(sha)) {
		if f.Mode == modeSubmod {
			continue
		}
		out[p] = File{Content: string(rs.objects[f.SHA].blob), Mode: f.Mode}
	}
	return out, nil
}

// Commit returns a commit by SHA.
func (r *Repo) Commit(sha string) (Commit, bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	c, ok := r.s.mustRepo(r.fullName).objects.commit(sha)
	if !ok {
		return Commit{}, false
	}
	return Commit{SHA: sha, Tree: c.Tree, Parents: append([]string(nil), c.Parents...), Message: c.Message, Author: c.Author, Committer: c.Committer}, true
}

// Log lists the commits reachable from a ref, newest first (breadth-first
// over parents).
func (r *Repo) Log(ref string) ([]Commit, error) {
	r.s.mu.Lock()
	rs := r.s.mustRepo(r.fullName)
	sha, ok := rs.resolveCommit(ref)
	var shas []string
	if ok {
		shas = rs.objects.ancestors(sha)
	}
	r.s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("log of %s at %q: no such commit", r.fullName, ref)
	}
	out := make([]Commit, 0, len(shas))
	for _, x := range shas {
		c, _ := r.Commit(x)
		out = append(out, c)
	}
	return out, nil
}

// sortedIssues lists a repository's issues and pulls by number.
func (rs *repoState) sortedIssues() []*issueState {
	out := make([]*issueState, 0, len(rs.issues))
	for _, is := range rs.issues {
		out = append(out, is)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].number < out[j].number })
	return out
}

// newNumber takes the next issue/pull number.
func (rs *repoState) newNumber() int {
	n := rs.nextNumber
	rs.nextNumber++
	return n
}

// touch marks an issue updated.
func (is *issueState) touch(now time.Time) { is.updatedAt = now }
