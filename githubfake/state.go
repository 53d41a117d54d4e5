package githubfake

import (
	"strings"
	"time"
)

// userState is an account the double knows: a person, a bot or an
// organization.
type userState struct {
	id    int64
	login string
	typ   string // "User", "Bot" or "Organization"
}

// installation is one installation of the App on an account.
type installation struct {
	id        int64
	account   string
	perms     map[string]string
	repoIDs   map[int64]bool
	createdAt time.Time
}

// tokenState is an issued installation access token.
type tokenState struct {
	installationID int64
	expiresAt      time.Time
	repoIDs        map[int64]bool // nil: every repository of the installation
	perms          map[string]string
}

// repoState is a repository with its git data, issues and pulls.
type repoState struct {
	id             int64
	owner, name    string
	private        bool
	defaultBranch  string
	installationID int64
	createdAt      time.Time
	pushedAt       time.Time

	objects objectStore
	refs    map[string]string // full ref name ("refs/heads/main") -> commit SHA

	nextNumber     int
	issues         map[int]*issueState
	comments       map[int64]*commentState
	labels         map[string]*labelState // by lower-cased name
	reviews        map[int64]*reviewState
	reviewComments map[int64]*reviewCommentState
	roles          map[string]string // lower-cased login -> role name

	checkRuns   map[int64]*checkRunState
	checkSuites map[int64]*checkSuiteState
	statuses    []*statusState      // oldest first
	required    map[string][]string // branch -> required status check contexts
}

func (r *repoState) fullName() string { return r.owner + "/" + r.name }

// issueState is an issue, or the issue half of a pull request (GitHub
// keeps one number sequence for both).
type issueState struct {
	id          int64
	number      int
	title, body string
	author      string
	state       string // "open" or "closed"
	stateReason string
	labels      []string
	createdAt   time.Time
	updatedAt   time.Time
	closedAt    *time.Time
	closedBy    string
	reactions   []*reactionState
	pull        *pullState // set for pull requests
}

// pullState is what a pull request has beyond its issue.
type pullState struct {
	id             int64
	headRef        string
	headSHA        string // follows the head branch while the PR is open
	baseRef        string
	draft          bool
	merged         bool
	mergedAt       *time.Time
	mergedBy       string
	mergeCommitSHA string
	// reviewers are the logins and "org/team" slugs asked to review.
	reviewers []string
}

// commentState is an issue (or pull request conversation) comment.
type commentState struct {
	id        int64
	number    int
	author    string
	body      string
	createdAt time.Time
	updatedAt time.Time
	reactions []*reactionState
}

// reactionState is one emoji reaction.
type reactionState struct {
	id        int64
	user      string
	content   string
	createdAt time.Time
}

// labelState is a repository label.
type labelState struct {
	id    int64
	name  string
	color string
}

// reviewState is a pull request review.
type reviewState struct {
	id          int64
	number      int
	author      string
	state       string
	body        string
	commitID    string
	submittedAt time.Time
}

// reviewCommentState is a pull request review comment on a diff line.
type reviewCommentState struct {
	id        int64
	number    int
	reviewID  int64
	author    string
	path      string
	line      int
	body      string
	commitID  string
	inReplyTo int64
	createdAt time.Time
	updatedAt time.Time
}

// checkSuiteState groups the check runs of one app on one commit.
type checkSuiteState struct {
	id         int64
	headSHA    string
	headBranch string
	app        string // app slug
	status     string
	conclusion string
	createdAt  time.Time
	updatedAt  time.Time
}

// checkRunState is a check run, and for GitHub Actions also the job it
// reports on.
type checkRunState struct {
	id          int64
	suiteID     int64
	headSHA     string
	name        string
	app         string
	status      string
	conclusion  string
	externalID  string
	detailsURL  string
	title       string
	summary     string
	text        string
	annotations []Annotation
	startedAt   *time.Time
	completedAt *time.Time
	runID       int64 // workflow run of an Actions job
	log         string
	steps       []JobStep
}

// statusState is a commit status, one of possibly many for its context.
type statusState struct {
	id          int64
	sha         string
	context     string
	state       string // "error", "failure", "pending" or "success"
	description string
	targetURL   string
	creator     string
	createdAt   time.Time
}

// download is a short-lived, token-guarded URL the double hands out in a
// redirect, like codeload archives and job logs.
type download struct {
	contentType string
	body        func() ([]byte, error)
}

// lookupRepo finds a repository by owner/name, ignoring case as GitHub does.
func (s *Server) lookupRepo(owner, name string) *repoState {
	return s.repos[strings.ToLower(owner+"/"+name)]
}

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// now returns the double's clock, truncated to seconds as GitHub reports.
func (s *Server) now() time.Time {
	return s.clock().UTC().Truncate(time.Second)
}

// user returns the account with this login, creating a "User" if unknown.
func (s *Server) user(login string) *userState {
	key := strings.ToLower(login)
	if u, ok := s.users[key]; ok {
		return u
	}
	u := &userState{id: s.newID(), login: login, typ: "User"}
	s.users[key] = u
	return u
}

func (s *Server) botLogin() string { return s.slug + "[bot]" }

// resolveCommit turns a ref name, branch, tag or (abbreviated) SHA into a
// commit SHA of the repository.
func (r *repoState) resolveCommit(ref string) (string, bool) {
	if ref == "" {
		ref = r.defaultBranch
	}
	if isHexSHA(ref) {
		_, ok := r.objects.commit(strings.ToLower(ref))
		return strings.ToLower(ref), ok
	}
	for _, full := range []string{ref, "refs/" + ref, "refs/heads/" + ref, "refs/tags/" + ref} {
		if sha, ok := r.refs[full]; ok && strings.HasPrefix(full, "refs/") {
			return sha, true
		}
	}
	if len(ref) >= 4 && len(ref) < 40 {
		prefix := strings.ToLower(ref)
		var found string
		for sha, o := range r.objects {
			if o.typ == "commit" && strings.HasPrefix(sha, prefix) {
				if found != "" {
					return "", false
				}
				found = sha
			}
		}
		return found, found != ""
	}
	return "", false
}

// branchSHA returns the tip of a branch.
func (r *repoState) branchSHA(branch string) (string, bool) {
	sha, ok := r.refs["refs/heads/"+branch]
	return sha, ok
}

// setRef moves or creates a ref and keeps open pull requests whose head
// is that branch pointing at the new tip, as GitHub does on push.
func (r *repoState) setRef(ref, sha string, now time.Time) {
	r.refs[ref] = sha
	r.pushedAt = now
	branch, ok := strings.CutPrefix(ref, "refs/heads/")
	if !ok {
		return
	}
	for _, is := range r.issues {
		if p := is.pull; p != nil && is.state == "open" && p.headRef == branch {
			p.headSHA = sha
			is.updatedAt = now
		}
	}
}
