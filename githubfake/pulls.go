package githubfake

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v89/github"
)

// githubSignature is the committer GitHub puts on merge commits it makes.
func githubSignature(now time.Time) Signature {
	return Signature{Name: "GitHub", Email: "noreply@github.com", Date: now}
}

// Pull is a pull request as tests read it.
type Pull struct {
	Number         int
	Title          string
	Body           string
	User           string
	Head           string // branch name
	HeadSHA        string
	Base           string
	State          string
	Draft          bool
	Merged         bool
	MergeCommitSHA string
	Labels         []string
	// Reviewers are the logins and "org/team" slugs asked to review, in
	// the order asked.
	Reviewers []string
}

// Review is a pull request review as tests read it.
type Review struct {
	ID     int64
	Author string
	State  string
	Body   string
}

// ReviewComment is a review comment on a diff line.
type ReviewComment struct {
	ID       int64
	ReviewID int64
	Author   string
	Path     string
	Line     int
	Body     string
}

// AddPull opens a pull request from head into base (both branches of the
// repository) written by author, skipping the API's checks, and returns
// its number.
func (s *Server) AddPull(fullName, head, base, title, body, author string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	headSHA, ok := r.branchSHA(head)
	if !ok {
		panic(fmt.Sprintf("githubfake: no branch %s in %s", head, fullName))
	}
	if _, ok := r.branchSHA(base); !ok {
		panic(fmt.Sprintf("githubfake: no branch %s in %s", base, fullName))
	}
	is := s.newIssue(r, title, body, author)
	is.pull = &pullState{id: s.newID(), headRef: head, headSHA: headSHA, baseRef: base}
	return is.number
}

// AddReview submits a review by author on a pull request; state is
// "APPROVED", "CHANGES_REQUESTED", "COMMENTED" or "DISMISSED".
func (s *Server) AddReview(fullName string, number int, author, state, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	return s.newReview(r, s.mustPull(r, number), author, state, body).id
}

func (s *Server) newReview(r *repoState, is *issueState, author, state, body string) *reviewState {
	s.user(author)
	rv := &reviewState{id: s.newID(), number: is.number, author: author, state: state, body: body, commitID: is.pull.headSHA, submittedAt: s.now()}
	r.reviews[rv.id] = rv
	return rv
}

func (s *Server) mustPull(r *repoState, number int) *issueState {
	is, ok := r.issues[number]
	if !ok || is.pull == nil {
		panic(fmt.Sprintf("githubfake: no pull request %s#%d", r.fullName(), number))
	}
	return is
}

// AddReviewComment adds a review comment by author on a line of a file in
// a pull request and returns its id. A zero reviewID wraps it in a new
// "COMMENTED" review, as GitHub does for single comments.
func (s *Server) AddReviewComment(fullName string, number int, reviewID int64, author, path string, line int, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	is := s.mustPull(r, number)
	if reviewID == 0 {
		reviewID = s.newReview(r, is, author, "COMMENTED", "").id
	} else if rv, ok := r.reviews[reviewID]; !ok || rv.number != number {
		panic(fmt.Sprintf("githubfake: no review %d on %s#%d", reviewID, fullName, number))
	}
	now := s.now()
	rc := &reviewCommentState{
		id: s.newID(), number: number, reviewID: reviewID, author: author, path: path, line: line,
		body: body, commitID: is.pull.headSHA, createdAt: now, updatedAt: now,
	}
	r.reviewComments[rc.id] = rc
	return rc.id
}

// Pulls lists the repository's pull requests by number.
func (r *Repo) Pulls() []Pull {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Pull
	for _, is := range r.s.mustRepo(r.fullName).sortedIssues() {
		if p := is.pull; p != nil {
			out = append(out, Pull{
				Number: is.number, Title: is.title, Body: is.body, User: is.author,
				Head: p.headRef, HeadSHA: p.headSHA, Base: p.baseRef, State: is.state, Draft: p.draft,
				Merged: p.merged, MergeCommitSHA: p.mergeCommitSHA, Labels: append([]string(nil), is.labels...),
				Reviewers: append([]string(nil), p.reviewers...),
			})
		}
	}
	return out
}

// Pull returns one pull request.
func (r *Repo) Pull(number int) (Pull, bool) {
	for _, p := range r.Pulls() {
		if p.Number == number {
			return p, true
		}
	}
	return Pull{}, false
}

// Reviews lists a pull request's reviews, oldest first.
func (r *Repo) Reviews(number int) []Review {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Review
	for _, rv := range r.s.mustRepo(r.fullName).reviewsOf(number) {
		out = append(out, Review{ID: rv.id, Author: rv.author, State: rv.state, Body: rv.body})
	}
	return out
}

// ReviewComments lists a pull request's review comments, oldest first.
func (r *Repo) ReviewComments(number int) []ReviewComment {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []ReviewComment
	for _, rc := range r.s.mustRepo(r.fullName).reviewCommentsOf(number, 0) {
		out = append(out, ReviewComment{ID: rc.id, ReviewID: rc.reviewID, Author: rc.author, Path: rc.path, Line: rc.line, Body: rc.body})
	}
	return out
}

func (rs *repoState) reviewsOf(number int) []*reviewState {
	var out []*reviewState
	for _, rv := range rs.reviews {
		if rv.number == number {
			out = append(out, rv)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// reviewCommentsOf lists review comments of a pull, optionally of one review.
func (rs *repoState) reviewCommentsOf(number int, reviewID int64) []*reviewCommentState {
	var out []*reviewCommentState
	for _, rc := range rs.reviewComments {
		if rc.number == number && (reviewID == 0 || rc.reviewID == reviewID) {
			out = append(out, rc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// mergeState works out whether a pull request merges cleanly and what the
// result's tree would be.
type mergeState struct {
	baseSHA   string
	tree      map[string]fileEntry
	conflicts []string
	ahead     []string // commits on head not on base, oldest first
	changed   []fileChange
}

func (rs *repoState) computeMerge(p *pullState) (mergeState, bool) {
	baseSHA, ok := rs.branchSHA(p.baseRef)
	if !ok {
		return mergeState{}, false
	}
	objs := rs.objects
	mb := objs.mergeBase(baseSHA, p.headSHA)
	mbTree := objs.flatten(objs.treeOf(mb))
	headTree := objs.flatten(objs.treeOf(p.headSHA))
	tree, conflicts := merge3(mbTree, objs.flatten(objs.treeOf(baseSHA)), headTree)
	return mergeState{
		baseSHA:   baseSHA,
		tree:      tree,
		conflicts: conflicts,
		ahead:     objs.commitsBetween(baseSHA, p.headSHA),
		changed:   diffFiles(mbTree, headTree),
	}, true
}

func (s *Server) branchJSON(r *repoState, ref, sha string) *github.PullRequestBranch {
	return &github.PullRequestBranch{
		Label: ptr(r.owner + ":" + ref),
		Ref:   ptr(ref),
		SHA:   ptr(sha),
		Repo:  s.repoJSON(r),
		User:  s.userJSON(r.owner),
	}
}

func (s *Server) pullJSON(r *repoState, is *issueState) *github.PullRequest {
	p := is.pull
	out := &github.PullRequest{
		ID:                  ptr(p.id),
		NodeID:              ptr(nodeID("PullRequest", p.id)),
		Number:              ptr(is.number),
		State:               ptr(is.state),
		Locked:              ptr(false),
		Title:               ptr(is.title),
		Body:                ptr(is.body),
		User:                s.userJSON(is.author),
		AuthorAssociation:   ptr(r.authorAssociation(is.author)),
		Labels:              s.issueLabelsJSON(r, is),
		Draft:               ptr(p.draft),
		Merged:              ptr(p.merged),
		MergedAt:            tsp(p.mergedAt),
		ClosedAt:            tsp(is.closedAt),
		CreatedAt:           ts(is.createdAt),
		UpdatedAt:           ts(is.updatedAt),
		Comments:            ptr(len(r.commentsOf(is.number))),
		ReviewComments:      ptr(len(r.reviewCommentsOf(is.number, 0))),
		MaintainerCanModify: ptr(false),
		URL:                 ptr(s.apiURL("/repos/%s/pulls/%d", r.fullName(), is.number)),
		HTMLURL:             ptr(htmlURL("/%s/pull/%d", r.fullName(), is.number)),
		IssueURL:            ptr(s.apiURL("/repos/%s/issues/%d", r.fullName(), is.number)),
		DiffURL:             ptr(htmlURL("/%s/pull/%d.diff", r.fullName(), is.number)),
		PatchURL:            ptr(htmlURL("/%s/pull/%d.patch", r.fullName(), is.number)),
		CommentsURL:         ptr(s.apiURL("/repos/%s/issues/%d/comments", r.fullName(), is.number)),
		Head:                s.branchJSON(r, p.headRef, p.headSHA),
	}
	if p.mergeCommitSHA != "" {
		out.MergeCommitSHA = ptr(p.mergeCommitSHA)
	}
	if p.mergedBy != "" {
		out.MergedBy = s.userJSON(p.mergedBy)
	}
	baseSHA, _ := r.branchSHA(p.baseRef)
	if m, ok := r.computeMerge(p); ok {
		out.Commits = ptr(len(m.ahead))
		out.ChangedFiles = ptr(len(m.changed))
		out.Additions, out.Deletions = ptr(0), ptr(0)
		if is.state == "open" {
			clean := len(m.conflicts) == 0
			out.Mergeable = ptr(clean)
			out.Rebaseable = ptr(clean)
			state := map[bool]string{true: "clean", false: "dirty"}[clean]
			if _, unmet := r.unmetRequiredCheck(p.baseRef, p.headSHA); clean && unmet {
				state = "blocked" // mergeable, but branch protection refuses it
			}
			out.MergeableState = ptr(state)
		}
	}
	out.Base = s.branchJSON(r, p.baseRef, baseSHA)
	return out
}

// parseHead splits "owner:branch" or "branch".
func parseHead(head string) (owner, branch string) {
	if o, b, ok := strings.Cut(head, ":"); ok {
		return o, b
	}
	return "", head
}

func (s *Server) createPull(c *call) reply {
	var in struct {
		Title string `json:"title"`
		Head  string `json:"head"`
		Base  string `json:"base"`
		Body  string `json:"body"`
		Draft bool   `json:"draft"`
		Issue int    `json:"issue"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	r := c.repo
	owner, head := parseHead(in.Head)
	if owner != "" && !strings.EqualFold(owner, r.owner) {
		// Pull requests from forks are not modelled.
		return invalid(fieldError{Resource: "PullRequest", Field: "head", Code: "invalid"})
	}
	if _, ok := r.branchSHA(in.Base); !ok {
		return invalid(fieldError{Resource: "PullRequest", Field: "base", Code: "invalid"})
	}
	headSHA, ok := r.branchSHA(head)
	if !ok {
		return invalid(fieldError{Resource: "PullRequest", Field: "head", Code: "invalid"})
	}
	var from *issueState
	if in.Issue != 0 {
		from = r.issues[in.Issue]
		if from == nil || from.pull != nil {
			return invalid(fieldError{Resource: "PullRequest", Field: "issue", Code: "invalid"})
		}
	} else if strings.TrimSpace(in.Title) == "" {
		return invalid(fieldError{Resource: "PullRequest", Field: "title", Code: "missing_field"})
	}
	for _, is := range r.issues {
		if p := is.pull; p != nil && is.state == "open" && p.headRef == head && p.baseRef == in.Base {
			return invalid(fieldError{Resource: "PullRequest", Code: "custom", Message: "A pull request already exists for " + r.owner + ":" + head + "."})
		}
	}
	baseSHA, _ := r.branchSHA(in.Base)
	if r.objects.isAncestor(headSHA, baseSHA) {
		return invalid(fieldError{Resource: "PullRequest", Code: "custom", Message: "No commits between " + in.Base + " and " + head})
	}
	is := from
	if is == nil {
		is = s.newIssue(r, in.Title, in.Body, s.actor(c))
	}
	is.pull = &pullState{id: s.newID(), headRef: head, headSHA: headSHA, baseRef: in.Base, draft: in.Draft}
	rep := jsonReply(http.StatusCreated, s.pullJSON(r, is))
	rep.header = http.Header{"Location": {s.apiURL("/repos/%s/pulls/%d", r.fullName(), is.number)}}
	return rep
}

func (s *Server) listPulls(c *call) reply {
	state := c.query.Get("state")
	if state == "" {
		state = "open"
	}
	headOwner, headBranch := "", ""
	if h := c.query.Get("head"); strings.Contains(h, ":") {
		// GitHub ignores a head filter without the "user:" part.
		headOwner, headBranch = parseHead(h)
	}
	base := c.query.Get("base")
	var list []*issueState
	for _, is := range c.repo.sortedIssues() {
		p := is.pull
		switch {
		case p == nil,
			state != "all" && is.state != state,
			headOwner != "" && (!strings.EqualFold(headOwner, c.repo.owner) || p.headRef != headBranch),
			base != "" && p.baseRef != base:
			continue
		}
		list = append(list, is)
	}
	key := map[string]func(*issueState) time.Time{
		"updated": func(is *issueState) time.Time { return is.updatedAt },
	}[c.query.Get("sort")]
	if key == nil {
		key = func(is *issueState) time.Time { return is.createdAt }
	}
	desc := c.query.Get("direction") != "asc"
	sort.SliceStable(list, func(i, j int) bool {
		a, b := key(list[i]), key(list[j])
		if a.Equal(b) {
			return (list[i].number > list[j].number) == desc
		}
		return a.After(b) == desc
	})
	lo, hi, h := s.paginate(c, len(list))
	out := make([]*github.PullRequest, 0, hi-lo)
	for _, is := range list[lo:hi] {
		out = append(out, s.pullJSON(c.repo, is))
	}
	return reply{status: http.StatusOK, body: out, header: h}
}

func (s *Server) pullParam(c *call) (*issueState, bool) {
	is, ok := c.repo.issues[int(c.int64Param("pull_number"))]
	return is, ok && is.pull != nil
}

func (s *Server) getPull(c *call) reply {
	is, ok := s.pullParam(c)
	if !ok {
		return notFound()
	}
	return jsonReply(http.StatusOK, s.pullJSON(c.repo, is))
}

func (s *Server) updatePull(c *call) reply {
	is, ok := s.pullParam(c)
	if !ok {
		return notFound()
	}
	var in struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		State *string `json:"state"`
		Base  *string `json:"base"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	now := s.now()
	if in.Base != nil && *in.Base != is.pull.baseRef {
		if _, ok := c.repo.branchSHA(*in.Base); !ok {
			return invalid(fieldError{Resource: "PullRequest", Field: "base", Code: "invalid"})
		}
		is.pull.baseRef = *in.Base
	}
	if in.Title != nil {
		is.title = *in.Title
	}
	if in.Body != nil {
		is.body = *in.Body
	}
	if in.State != nil {
		if rep, ok := s.setState(c, is, *in.State, "", now); !ok {
			return rep
		}
	}
	is.touch(now)
	return jsonReply(http.StatusOK, s.pullJSON(c.repo, is))
}

func (s *Server) mergePull(c *call) reply {
	is, ok := s.pullParam(c)
	if !ok {
		return notFound()
	}
	var in struct {
		CommitTitle   *string `json:"commit_title"`
		CommitMessage *string `json:"commit_message"`
		SHA           string  `json:"sha"`
		MergeMethod   string  `json:"merge_method"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	r, p := c.repo, is.pull
	if is.state != "open" || p.merged {
		return errReply(http.StatusMethodNotAllowed, "Pull Request is not mergeable")
	}
	if in.SHA != "" && !strings.EqualFold(in.SHA, p.headSHA) {
		return errReply(http.StatusConflict, "Head branch was modified. Review and try the merge again.")
	}
	m, ok := r.computeMerge(p)
	if !ok || len(m.conflicts) > 0 {
		return errReply(http.StatusMethodNotAllowed, "Pull Request is not mergeable")
	}
	if p.draft {
		return errReply(http.StatusMethodNotAllowed, "Pull Request is still a draft")
	}
	if msg, unmet := r.unmetRequiredCheck(p.baseRef, p.headSHA); unmet {
		// Branch protection: GitHub refuses the merge, whoever asks.
		return errReply(http.StatusMethodNotAllowed, msg)
	}
	now := s.now()
	objs := r.objects
	bot := s.botSignature()
	var sha string
	switch in.MergeMethod {
	case "", "merge":
		title := fmt.Sprintf("Merge pull request #%d from %s/%s", is.number, r.owner, p.headRef)
		sha = objs.putCommit(gitCommit{
			Tree: objs.buildTree(m.tree), Parents: []string{m.baseSHA, p.headSHA},
			Author: bot, Committer: githubSignature(now),
			Message: commitMessage(in.CommitTitle, in.CommitMessage, title, is.title),
		})
	case "squash":
		var msgs []string
		for _, x := range m.ahead {
			gc, _ := objs.commit(x)
			msgs = append(msgs, "* "+gc.Message)
		}
		author := Signature{Name: is.author, Email: s.noreplyEmail(s.user(is.author)), Date: now}
		sha = objs.putCommit(gitCommit{
			Tree: objs.buildTree(m.tree), Parents: []string{m.baseSHA},
			Author: author, Committer: githubSignature(now),
			Message: commitMessage(in.CommitTitle, in.CommitMessage, fmt.Sprintf("%s (#%d)", is.title, is.number), strings.Join(msgs, "\n\n")),
		})
	case "rebase":
		tip := m.baseSHA
		for _, x := range m.ahead {
			gc, _ := objs.commit(x)
			if len(gc.Parents) != 1 {
				return errReply(http.StatusMethodNotAllowed, "This branch can't be rebased")
			}
			tree, conflicts := merge3(objs.flatten(objs.treeOf(gc.Parents[0])), objs.flatten(objs.treeOf(tip)), objs.flatten(gc.Tree))
			if len(conflicts) > 0 {
				return errReply(http.StatusMethodNotAllowed, "This branch can't be rebased")
			}
			tip = objs.putCommit(gitCommit{Tree: objs.buildTree(tree), Parents: []string{tip}, Author: gc.Author, Committer: githubSignature(now), Message: gc.Message})
		}
		sha = tip
	}
	if rep, ok := s.workflowGuard(c, m.baseSHA, sha); !ok {
		return rep
	}
	r.setRef("refs/heads/"+p.baseRef, sha, now)
	p.merged, p.mergedAt, p.mergedBy, p.mergeCommitSHA = true, &now, s.actor(c), sha
	is.state, is.closedAt, is.closedBy, is.updatedAt = "closed", &now, s.actor(c), now
	return jsonReply(http.StatusOK, &github.PullRequestMergeResult{SHA: ptr(sha), Merged: ptr(true), Message: ptr("Pull Request successfully merged")})
}

// commitMessage joins a merge commit's title and body, taking the given
// ones over the defaults.
func commitMessage(title, body *string, defTitle, defBody string) string {
	t, b := defTitle, defBody
	if title != nil {
		t = *title
	}
	if body != nil {
		b = *body
	}
	if b == "" {
		return t
	}
	return t + "\n\n" + b
}

func (s *Server) reviewCommentJSON(r *repoState, rc *reviewCommentState) *github.PullRequestComment {
	out := &github.PullRequestComment{
		ID:                  ptr(rc.id),
		NodeID:              ptr(nodeID("PullRequestReviewComment", rc.id)),
		PullRequestReviewID: ptr(rc.reviewID),
		Body:                ptr(rc.body),
		Path:                ptr(rc.path),
		Line:                ptr(rc.line),
		OriginalLine:        ptr(rc.line),
		Side:                ptr("RIGHT"),
		CommitID:            ptr(rc.commitID),
		OriginalCommitID:    ptr(rc.commitID),
		DiffHunk:            ptr(fmt.Sprintf("@@ -%d,1 +%d,1 @@", rc.line, rc.line)),
		User:                s.userJSON(rc.author),
		AuthorAssociation:   ptr(r.authorAssociation(rc.author)),
		CreatedAt:           ts(rc.createdAt),
		UpdatedAt:           ts(rc.updatedAt),
		URL:                 ptr(s.apiURL("/repos/%s/pulls/comments/%d", r.fullName(), rc.id)),
		HTMLURL:             ptr(htmlURL("/%s/pull/%d#discussion_r%d", r.fullName(), rc.number, rc.id)),
		PullRequestURL:      ptr(s.apiURL("/repos/%s/pulls/%d", r.fullName(), rc.number)),
	}
	if rc.inReplyTo != 0 {
		out.InReplyTo = ptr(rc.inReplyTo)
	}
	return out
}

func (s *Server) listReviewComments(c *call) reply {
	is, ok := s.pullParam(c)
	if !ok {
		return notFound()
	}
	return s.reviewCommentPage(c, c.repo.reviewCommentsOf(is.number, 0))
}

func (s *Server) reviewCommentPage(c *call, all []*reviewCommentState) reply {
	lo, hi, h := s.paginate(c, len(all))
	out := make([]*github.PullRequestComment, 0, hi-lo)
	for _, rc := range all[lo:hi] {
		out = append(out, s.reviewCommentJSON(c.repo, rc))
	}
	return reply{status: http.StatusOK, body: out, header: h}
}

func (s *Server) listReviews(c *call) reply {
	is, ok := s.pullParam(c)
	if !ok {
		return notFound()
	}
	all := c.repo.reviewsOf(is.number)
	lo, hi, h := s.paginate(c, len(all))
	out := make([]*github.PullRequestReview, 0, hi-lo)
	for _, rv := range all[lo:hi] {
		out = append(out, &github.PullRequestReview{
			ID:                ptr(rv.id),
			NodeID:            ptr(nodeID("PullRequestReview", rv.id)),
			User:              s.userJSON(rv.author),
			Body:              ptr(rv.body),
			State:             ptr(rv.state),
			CommitID:          ptr(rv.commitID),
			SubmittedAt:       ts(rv.submittedAt),
			AuthorAssociation: ptr(c.repo.authorAssociation(rv.author)),
			HTMLURL:           ptr(htmlURL("/%s/pull/%d#pullrequestreview-%d", c.repo.fullName(), is.number, rv.id)),
			PullRequestURL:    ptr(s.apiURL("/repos/%s/pulls/%d", c.repo.fullName(), is.number)),
		})
	}
	return reply{status: http.StatusOK, body: out, header: h}
}

func (s *Server) listReviewCommentsOfReview(c *call) reply {
	is, ok := s.pullParam(c)
	if !ok {
		return notFound()
	}
	rv, ok := c.repo.reviews[c.int64Param("review_id")]
	if !ok || rv.number != is.number {
		return notFound()
	}
	return s.reviewCommentPage(c, c.repo.reviewCommentsOf(is.number, rv.id))
}
