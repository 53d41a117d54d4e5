package githubfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v89/github"
)

const (
	// defaultPerPage and maxPerPage are GitHub's pagination limits.
	defaultPerPage = 30
	maxPerPage     = 100
	// defaultLabelColor is the color GitHub gives labels created on the fly.
	defaultLabelColor = "ededed"
)

// Issue is an issue (or a pull request's issue side) as tests read it.
type Issue struct {
	Number      int
	Title       string
	Body        string
	User        string
	State       string
	StateReason string
	Labels      []string
	IsPull      bool
}

// Comment is an issue or pull request conversation comment.
type Comment struct {
	ID        int64
	Author    string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Reaction is an emoji reaction on a comment or issue.
type Reaction struct {
	ID      int64
	User    string
	Content string
}

// AddIssue opens an issue written by author and returns its number.
func (s *Server) AddIssue(fullName, title, body, author string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	return s.newIssue(r, title, body, author).number
}

func (s *Server) newIssue(r *repoState, title, body, author string) *issueState {
	now := s.now()
	s.user(author)
	is := &issueState{
		id: s.newID(), number: r.newNumber(), title: title, body: body, author: author,
		state: "open", createdAt: now, updatedAt: now,
	}
	r.issues[is.number] = is
	return is
}

// AddIssueComment adds a comment by author to an issue or pull request
// and returns its id.
func (s *Server) AddIssueComment(fullName string, number int, author, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	is, ok := r.issues[number]
	if !ok {
		panic(fmt.Sprintf("githubfake: no issue %s#%d", fullName, number))
	}
	return s.newComment(r, is, author, body).id
}

func (s *Server) newComment(r *repoState, is *issueState, author, body string) *commentState {
	now := s.now()
	s.user(author)
	cm := &commentState{id: s.newID(), number: is.number, author: author, body: body, createdAt: now, updatedAt: now}
	r.comments[cm.id] = cm
	is.touch(now)
	return cm
}

// Issue returns an issue or pull request by number.
func (r *Repo) Issue(number int) (Issue, bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is, ok := r.s.mustRepo(r.fullName).issues[number]
	if !ok {
		return Issue{}, false
	}
	return Issue{
		Number: is.number, Title: is.title, Body: is.body, User: is.author, State: is.state,
		StateReason: is.stateReason, Labels: append([]string(nil), is.labels...), IsPull: is.pull != nil,
	}, true
}

// Comments lists the conversation comments of an issue or pull request,
// oldest first.
func (r *Repo) Comments(number int) []Comment {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Comment
	for _, cm := range r.s.mustRepo(r.fullName).commentsOf(number) {
		out = append(out, Comment{ID: cm.id, Author: cm.author, Body: cm.body, CreatedAt: cm.createdAt, UpdatedAt: cm.updatedAt})
	}
	return out
}

// Reactions lists the reactions on an issue comment.
func (r *Repo) Reactions(commentID int64) []Reaction {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	cm, ok := r.s.mustRepo(r.fullName).comments[commentID]
	if !ok {
		return nil
	}
	return reactionsCopy(cm.reactions)
}

// IssueReactions lists the reactions on an issue or pull request itself.
func (r *Repo) IssueReactions(number int) []Reaction {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	is, ok := r.s.mustRepo(r.fullName).issues[number]
	if !ok {
		return nil
	}
	return reactionsCopy(is.reactions)
}

func reactionsCopy(in []*reactionState) []Reaction {
	out := make([]Reaction, 0, len(in))
	for _, x := range in {
		out = append(out, Reaction{ID: x.id, User: x.user, Content: x.content})
	}
	return out
}

func (rs *repoState) commentsOf(number int) []*commentState {
	var out []*commentState
	for _, cm := range rs.comments {
		if cm.number == number {
			out = append(out, cm)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// authorAssociation is the author_association GitHub reports for a login.
func (r *repoState) authorAssociation(login string) string {
	switch {
	case strings.EqualFold(login, r.owner):
		return "OWNER"
	case r.roles[strings.ToLower(login)] != "":
		return "COLLABORATOR"
	default:
		return "NONE"
	}
}

// actor is who an API call acts as: the App's bot for installation tokens.
func (s *Server) actor(c *call) string { return s.botLogin() }

// paginate picks a page of n items per GitHub's page/per_page parameters
// and sets the Link header go-github follows.
func (s *Server) paginate(c *call, n int) (lo, hi int, h http.Header) {
	perPage, _ := strconv.Atoi(c.query.Get("per_page"))
	if perPage <= 0 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	page, _ := strconv.Atoi(c.query.Get("page"))
	page = max(page, 1)
	last := max((n+perPage-1)/perPage, 1)
	lo = min((page-1)*perPage, n)
	hi = min(lo+perPage, n)
	link := func(p int, rel string) string {
		q := c.r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, s.http.URL, c.r.URL.EscapedPath(), q.Encode(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	h = http.Header{}
	if len(links) > 0 {
		h.Set("Link", strings.Join(links, ", "))
	}
	return lo, hi, h
}

func (s *Server) labelJSON(r *repoState, name string) *github.Label {
	l := s.label(r, name)
	return &github.Label{
		ID:      ptr(l.id),
		NodeID:  ptr(nodeID("Label", l.id)),
		URL:     ptr(s.apiURL("/repos/%s/labels/%s", r.fullName(), l.name)),
		Name:    ptr(l.name),
		Color:   ptr(l.color),
		Default: ptr(false),
	}
}

// label returns a repository label, creating it as GitHub does when one is
// added to an issue by name.
func (s *Server) label(r *repoState, name string) *labelState {
	key := strings.ToLower(name)
	if l, ok := r.labels[key]; ok {
		return l
	}
	l := &labelState{id: s.newID(), name: name, color: defaultLabelColor}
	r.labels[key] = l
	return l
}

func reactionsSummary(url string, rs []*reactionState) *github.Reactions {
	count := map[string]int{}
	for _, x := range rs {
		count[x.content]++
	}
	return &github.Reactions{
		TotalCount: ptr(len(rs)), PlusOne: ptr(count["+1"]), MinusOne: ptr(count["-1"]),
		Laugh: ptr(count["laugh"]), Confused: ptr(count["confused"]), Heart: ptr(count["heart"]),
		Hooray: ptr(count["hooray"]), Rocket: ptr(count["rocket"]), Eyes: ptr(count["eyes"]),
		URL: ptr(url),
	}
}

func (s *Server) issueJSON(r *repoState, is *issueState) *github.Issue {
	labels := make([]*github.Label, 0, len(is.labels))
	for _, l := range is.labels {
		labels = append(labels, s.labelJSON(r, l))
	}
	kind := "issues"
	if is.pull != nil {
		kind = "pull"
	}
	out := &github.Issue{
		ID:                ptr(is.id),
		NodeID:            ptr(nodeID("Issue", is.id)),
		Number:            ptr(is.number),
		State:             ptr(is.state),
		Locked:            ptr(false),
		Title:             ptr(is.title),
		Body:              ptr(is.body),
		User:              s.userJSON(is.author),
		AuthorAssociation: ptr(r.authorAssociation(is.author)),
		Labels:            labels,
		Assignees:         []*github.User{},
		Comments:          ptr(len(r.commentsOf(is.number))),
		CreatedAt:         ts(is.createdAt),
		UpdatedAt:         ts(is.updatedAt),
		ClosedAt:          tsp(is.closedAt),
		URL:               ptr(s.apiURL("/repos/%s/issues/%d", r.fullName(), is.number)),
		HTMLURL:           ptr(htmlURL("/%s/%s/%d", r.fullName(), kind, is.number)),
		CommentsURL:       ptr(s.apiURL("/repos/%s/issues/%d/comments", r.fullName(), is.number)),
		RepositoryURL:     ptr(s.apiURL("/repos/%s", r.fullName())),
		Reactions:         reactionsSummary(s.apiURL("/repos/%s/issues/%d/reactions", r.fullName(), is.number), is.reactions),
	}
	if is.stateReason != "" {
		out.StateReason = ptr(is.stateReason)
	}
	if is.closedBy != "" {
		out.ClosedBy = s.userJSON(is.closedBy)
	}
	if is.pull != nil {
		out.PullRequestLinks = &github.PullRequestLinks{
			URL:      ptr(s.apiURL("/repos/%s/pulls/%d", r.fullName(), is.number)),
			HTMLURL:  ptr(htmlURL("/%s/pull/%d", r.fullName(), is.number)),
			DiffURL:  ptr(htmlURL("/%s/pull/%d.diff", r.fullName(), is.number)),
			PatchURL: ptr(htmlURL("/%s/pull/%d.patch", r.fullName(), is.number)),
		}
	}
	return out
}

func (s *Server) commentJSON(r *repoState, cm *commentState) *github.IssueComment {
	kind := "issues"
	if is := r.issues[cm.number]; is != nil && is.pull != nil {
		kind = "pull"
	}
	return &github.IssueComment{
		ID:                ptr(cm.id),
		NodeID:            ptr(nodeID("IssueComment", cm.id)),
		Body:              ptr(cm.body),
		User:              s.userJSON(cm.author),
		AuthorAssociation: ptr(r.authorAssociation(cm.author)),
		Reactions:         reactionsSummary(s.apiURL("/repos/%s/issues/comments/%d/reactions", r.fullName(), cm.id), cm.reactions),
		CreatedAt:         ts(cm.createdAt),
		UpdatedAt:         ts(cm.updatedAt),
		URL:               ptr(s.apiURL("/repos/%s/issues/comments/%d", r.fullName(), cm.id)),
		HTMLURL:           ptr(htmlURL("/%s/%s/%d#issuecomment-%d", r.fullName(), kind, cm.number, cm.id)),
		IssueURL:          ptr(s.apiURL("/repos/%s/issues/%d", r.fullName(), cm.number)),
	}
}

// labelNames reads a labels array whose items are names or {"name": ...}.
func labelNames(raw []json.RawMessage) []string {
	var out []string
	for _, item := range raw {
		var name string
		if json.Unmarshal(item, &name) == nil {
			out = append(out, name)
			continue
		}
		var obj struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(item, &obj) == nil && obj.Name != "" {
			out = append(out, obj.Name)
		}
	}
	return out
}

// addLabels adds names to an issue, keeping GitHub's case-insensitive
// de-duplication and the repository's spelling of existing labels.
func (s *Server) addLabels(r *repoState, is *issueState, names []string) {
	for _, n := range names {
		l := s.label(r, n)
		dup := false
		for _, have := range is.labels {
			if strings.EqualFold(have, l.name) {
				dup = true
			}
		}
		if !dup {
			is.labels = append(is.labels, l.name)
		}
	}
}

func (s *Server) createIssue(c *call) reply {
	var in struct {
		Title  any               `json:"title"`
		Body   *string           `json:"body"`
		Labels []json.RawMessage `json:"labels"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	title := fmt.Sprint(in.Title)
	if strings.TrimSpace(title) == "" {
		return invalid(fieldError{Resource: "Issue", Field: "title", Code: "missing_field"})
	}
	is := s.newIssue(c.repo, title, deref(in.Body), s.actor(c))
	s.addLabels(c.repo, is, labelNames(in.Labels))
	rep := jsonReply(http.StatusCreated, s.issueJSON(c.repo, is))
	rep.header = http.Header{"Location": {s.apiURL("/repos/%s/issues/%d", c.repo.fullName(), is.number)}}
	return rep
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Server) issueParam(c *call) (*issueState, bool) {
	is, ok := c.repo.issues[int(c.int64Param("issue_number"))]
	return is, ok
}

func (s *Server) getIssue(c *call) reply {
	is, ok := s.issueParam(c)
	if !ok {
		return notFound()
	}
	return jsonReply(http.StatusOK, s.issueJSON(c.repo, is))
}

func (s *Server) updateIssue(c *call) reply {
	is, ok := s.issueParam(c)
	if !ok {
		return notFound()
	}
	var in struct {
		Title       any                `json:"title"`
		Body        *string            `json:"body"`
		State       *string            `json:"state"`
		StateReason *string            `json:"state_reason"`
		Labels      *[]json.RawMessage `json:"labels"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	now := s.now()
	if in.Title != nil {
		is.title = fmt.Sprint(in.Title)
	}
	if in.Body != nil {
		is.body = *in.Body
	}
	if in.Labels != nil {
		is.labels = nil
		s.addLabels(c.repo, is, labelNames(*in.Labels))
	}
	if in.State != nil {
		if rep, ok := s.setState(c, is, *in.State, deref(in.StateReason), now); !ok {
			return rep
		}
	}
	is.touch(now)
	return jsonReply(http.StatusOK, s.issueJSON(c.repo, is))
}

// setState opens or closes an issue or pull request.
func (s *Server) setState(c *call, is *issueState, state, reason string, now time.Time) (reply, bool) {
	if state == is.state {
		if reason != "" {
			is.stateReason = reason
		}
		return reply{}, true
	}
	switch state {
	case "closed":
		is.state, is.closedAt, is.closedBy = "closed", &now, s.actor(c)
		if reason == "" && is.pull == nil {
			reason = "completed"
		}
		is.stateReason = reason
	case "open":
		if p := is.pull; p != nil {
			if p.merged {
				return invalid(fieldError{Resource: "PullRequest", Code: "custom", Message: "state cannot be changed. The pull request has been merged."}), false
			}
			if _, ok := c.repo.branchSHA(p.headRef); !ok {
				return invalid(fieldError{Resource: "PullRequest", Code: "custom", Message: "state cannot be changed. The " + p.headRef + " branch has been deleted."}), false
			}
			p.headSHA, _ = c.repo.branchSHA(p.headRef)
		}
		is.state, is.closedAt, is.closedBy = "open", nil, ""
		is.stateReason = ""
		if reason == "reopened" || is.pull == nil {
			is.stateReason = "reopened"
		}
	}
	return reply{}, true
}

func (s *Server) listComments(c *call) reply {
	is, ok := s.issueParam(c)
	if !ok {
		return notFound()
	}
	all := c.repo.commentsOf(is.number)
	if since := c.query.Get("since"); since != "" {
		t, err := time.Parse(time.RFC3339, since)
		if err != nil {
			return invalid(fieldError{Resource: "IssueComment", Field: "since", Code: "invalid"})
		}
		var kept []*commentState
		for _, cm := range all {
			if !cm.updatedAt.Before(t) {
				kept = append(kept, cm)
			}
		}
		all = kept
	}
	lo, hi, h := s.paginate(c, len(all))
	out := make([]*github.IssueComment, 0, hi-lo)
	for _, cm := range all[lo:hi] {
		out = append(out, s.commentJSON(c.repo, cm))
	}
	return reply{status: http.StatusOK, body: out, header: h}
}

func (s *Server) createComment(c *call) reply {
	is, ok := s.issueParam(c)
	if !ok {
		return notFound()
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	if strings.TrimSpace(in.Body) == "" {
		return invalid(fieldError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
	}
	cm := s.newComment(c.repo, is, s.actor(c), in.Body)
	rep := jsonReply(http.StatusCreated, s.commentJSON(c.repo, cm))
	rep.header = http.Header{"Location": {s.apiURL("/repos/%s/issues/comments/%d", c.repo.fullName(), cm.id)}}
	return rep
}

func (s *Server) getComment(c *call) reply {
	cm, ok := c.repo.comments[c.int64Param("comment_id")]
	if !ok {
		return notFound()
	}
	return jsonReply(http.StatusOK, s.commentJSON(c.repo, cm))
}

func (s *Server) updateComment(c *call) reply {
	cm, ok := c.repo.comments[c.int64Param("comment_id")]
	if !ok {
		return notFound()
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	if strings.TrimSpace(in.Body) == "" {
		return invalid(fieldError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
	}
	cm.body, cm.updatedAt = in.Body, s.now()
	return jsonReply(http.StatusOK, s.commentJSON(c.repo, cm))
}

func (s *Server) issueLabelsJSON(r *repoState, is *issueState) []*github.Label {
	out := make([]*github.Label, 0, len(is.labels))
	for _, l := range is.labels {
		out = append(out, s.labelJSON(r, l))
	}
	return out
}

func (s *Server) addIssueLabels(c *call) reply {
	is, ok := s.issueParam(c)
	if !ok {
		return notFound()
	}
	var raw []json.RawMessage
	var obj struct {
		Labels []json.RawMessage `json:"labels"`
	}
	if json.Unmarshal(c.body, &raw) != nil {
		if err := c.decode(&obj); err != nil {
			return errReply(http.StatusBadRequest, "Problems parsing JSON")
		}
		raw = obj.Labels
	}
	s.addLabels(c.repo, is, labelNames(raw))
	is.touch(s.now())
	return jsonReply(http.StatusOK, s.issueLabelsJSON(c.repo, is))
}

func (s *Server) removeIssueLabel(c *call) reply {
	is, ok := s.issueParam(c)
	if !ok {
		return notFound()
	}
	name := c.params["name"]
	for i, l := range is.labels {
		if strings.EqualFold(l, name) {
			is.labels = append(is.labels[:i:i], is.labels[i+1:]...)
			is.touch(s.now())
			return jsonReply(http.StatusOK, s.issueLabelsJSON(c.repo, is))
		}
	}
	return errReply(http.StatusNotFound, "Label does not exist")
}

// react adds a reaction unless the same user already left it: 201 for a
// new one, 200 with the existing one otherwise.
func (s *Server) react(c *call, list *[]*reactionState) reply {
	var in struct {
		Content string `json:"content"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	user := s.actor(c)
	for _, x := range *list {
		if x.user == user && x.content == in.Content {
			return jsonReply(http.StatusOK, s.reactionJSON(x))
		}
	}
	x := &reactionState{id: s.newID(), user: user, content: in.Content, createdAt: s.now()}
	*list = append(*list, x)
	return jsonReply(http.StatusCreated, s.reactionJSON(x))
}

// reactionResponse adds created_at, which go-github's Reaction lacks.
type reactionResponse struct {
	*github.Reaction
	CreatedAt *github.Timestamp `json:"created_at"`
}

func (s *Server) reactionJSON(x *reactionState) reactionResponse {
	return reactionResponse{&github.Reaction{
		ID: ptr(x.id), NodeID: ptr(nodeID("Reaction", x.id)), User: s.userJSON(x.user), Content: ptr(x.content),
	}, ts(x.createdAt)}
}

func (s *Server) reactToComment(c *call) reply {
	cm, ok := c.repo.comments[c.int64Param("comment_id")]
	if !ok {
		return notFound()
	}
	return s.react(c, &cm.reactions)
}

func (s *Server) reactToIssue(c *call) reply {
	is, ok := s.issueParam(c)
	if !ok {
		return notFound()
	}
	return s.react(c, &is.reactions)
}
