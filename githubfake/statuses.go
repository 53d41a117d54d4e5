package githubfake

import (
	"fmt"
	"net/http"

	"github.com/google/go-github/v89/github"
)

// maxStatusesPerContext is GitHub's limit on statuses of one context on
// one commit.
const maxStatusesPerContext = 1000

// CommitStatus is a commit status as tests read it back.
type CommitStatus struct {
	ID          int64
	SHA         string
	Context     string
	State       string
	Description string
	TargetURL   string
	Creator     string
}

// SetStatus records a commit status on a commit (a full SHA or a branch) as
// an outside CI system would post it: state is "success", "pending",
// "failure" or "error". A later status of the same context supersedes it
// in the combined status.
func (s *Server) SetStatus(fullName, ref, context, state string) CommitStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	sha, ok := r.resolveCommit(ref)
	if !ok {
		panic(fmt.Sprintf("githubfake: no commit %s in %s", ref, fullName))
	}
	switch state {
	case "success", "pending", "failure", "error":
	default:
		panic(fmt.Sprintf("githubfake: bad commit status state %q", state))
	}
	st := &statusState{id: s.newID(), sha: sha, context: context, state: state, creator: r.owner, createdAt: s.now()}
	r.statuses = append(r.statuses, st)
	return statusCopy(st)
}

// SetRequiredChecks makes branch protection of a branch require these
// status check contexts (check run names or commit status contexts) from
// any source, as GET .../branches/{branch}/protection/required_status_checks
// then reports; merging a pull request into the branch is refused until
// each has passed on its head. No contexts removes the protection.
func (s *Server) SetRequiredChecks(fullName, branch string, contexts ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	if len(contexts) == 0 {
		delete(r.required, branch)
		return
	}
	r.required[branch] = append([]string(nil), contexts...)
}

// Statuses lists every commit status on a commit (SHA or branch), oldest
// first.
func (r *Repo) Statuses(ref string) []CommitStatus {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	rs := r.s.mustRepo(r.fullName)
	sha, ok := rs.resolveCommit(ref)
	if !ok {
		return nil
	}
	var out []CommitStatus
	for _, st := range rs.statuses {
		if st.sha == sha {
			out = append(out, statusCopy(st))
		}
	}
	return out
}

func statusCopy(st *statusState) CommitStatus {
	return CommitStatus{ID: st.id, SHA: st.sha, Context: st.context, State: st.state,
		Description: st.description, TargetURL: st.targetURL, Creator: st.creator}
}

// latestStatuses returns the newest status of each context on a commit,
// newest first.
func (rs *repoState) latestStatuses(sha string) []*statusState {
	seen := map[string]bool{}
	var out []*statusState
	for i := len(rs.statuses) - 1; i >= 0; i-- {
		st := rs.statuses[i]
		if st.sha == sha && !seen[st.context] {
			seen[st.context] = true
			out = append(out, st)
		}
	}
	return out
}

// combinedState is GitHub's rule: failure if any context failed or
// errored, pending if any is pending or there are none, else success.
func combinedState(latest []*statusState) string {
	state := "success"
	if len(latest) == 0 {
		state = "pending"
	}
	for _, st := range latest {
		switch st.state {
		case "failure", "error":
			return "failure"
		case "pending":
			state = "pending"
		}
	}
	return state
}

func (s *Server) statusJSON(r *repoState, st *statusState, withCreator bool) *github.RepoStatus {
	out := &github.RepoStatus{
		ID:        ptr(st.id),
		NodeID:    ptr(nodeID("StatusContext", st.id)),
		URL:       ptr(s.apiURL("/repos/%s/statuses/%s", r.fullName(), st.sha)),
		State:     ptr(st.state),
		Context:   ptr(st.context),
		AvatarURL: ptr("https://avatars.githubusercontent.com/u/0?v=4"),
		CreatedAt: ts(st.createdAt),
		UpdatedAt: ts(st.createdAt),
	}
	if st.description != "" {
		out.Description = ptr(st.description)
	}
	if st.targetURL != "" {
		out.TargetURL = ptr(st.targetURL)
	}
	if withCreator {
		out.Creator = s.userJSON(st.creator)
	}
	return out
}

// combinedStatusJSON is GitHub's combined-commit-status; go-github's
// CombinedStatus lacks the repository object GitHub sends.
type combinedStatusJSON struct {
	State      string               `json:"state"`
	Statuses   []*github.RepoStatus `json:"statuses"`
	SHA        string               `json:"sha"`
	TotalCount int                  `json:"total_count"`
	Repository *github.Repository   `json:"repository"`
	CommitURL  string               `json:"commit_url"`
	URL        string               `json:"url"`
}

func (s *Server) getCombinedStatus(c *call) reply {
	sha, ok := c.repo.resolveCommit(c.params["ref"])
	if !ok {
		return unprocessable("No commit found for SHA: " + c.params["ref"])
	}
	latest := c.repo.latestStatuses(sha)
	lo, hi, h := s.paginate(c, len(latest))
	out := &combinedStatusJSON{
		State: combinedState(latest), Statuses: []*github.RepoStatus{}, SHA: sha, TotalCount: len(latest),
		Repository: s.repoJSON(c.repo),
		CommitURL:  s.apiURL("/repos/%s/commits/%s", c.repo.fullName(), sha),
		URL:        s.apiURL("/repos/%s/commits/%s/status", c.repo.fullName(), sha),
	}
	for _, st := range latest[lo:hi] {
		out.Statuses = append(out.Statuses, s.statusJSON(c.repo, st, false))
	}
	return reply{status: http.StatusOK, body: out, header: h}
}

func (s *Server) createStatus(c *call) reply {
	var in struct {
		State       string  `json:"state"`
		TargetURL   *string `json:"target_url"`
		Description *string `json:"description"`
		Context     *string `json:"context"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	sha, ok := c.repo.resolveCommit(c.params["sha"])
	if !ok {
		return unprocessable("No commit found for SHA: " + c.params["sha"])
	}
	st := &statusState{id: s.newID(), sha: sha, context: "default", state: in.State, creator: s.botLogin(), createdAt: s.now()}
	if in.Context != nil && *in.Context != "" {
		st.context = *in.Context
	}
	if in.TargetURL != nil {
		st.targetURL = *in.TargetURL
	}
	if in.Description != nil {
		st.description = *in.Description
	}
	n := 0
	for _, x := range c.repo.statuses {
		if x.sha == sha && x.context == st.context {
			n++
		}
	}
	if n >= maxStatusesPerContext {
		return invalid(fieldError{Resource: "Status", Code: "custom",
			Message: "This SHA and context has reached the maximum number of statuses."})
	}
	c.repo.statuses = append(c.repo.statuses, st)
	rep := jsonReply(http.StatusCreated, s.statusJSON(c.repo, st, true))
	rep.header = http.Header{"Location": {s.apiURL("/repos/%s/statuses/%s", c.repo.fullName(), sha)}}
	return rep
}

// requiredCheckJSON is an entry of status-check-policy's checks; app_id
// null means any source.
type requiredCheckJSON struct {
	Context string `json:"context"`
	AppID   *int64 `json:"app_id"`
}

// statusCheckPolicyJSON is GitHub's status-check-policy.
type statusCheckPolicyJSON struct {
	URL         string              `json:"url"`
	Strict      bool                `json:"strict"`
	Contexts    []string            `json:"contexts"`
	ContextsURL string              `json:"contexts_url"`
	Checks      []requiredCheckJSON `json:"checks"`
}

func (s *Server) getRequiredStatusChecks(c *call) reply {
	branch := c.params["branch"]
	if _, ok := c.repo.branchSHA(branch); !ok {
		return errReply(http.StatusNotFound, "Branch not found")
	}
	contexts, ok := c.repo.required[branch]
	if !ok {
		return errReply(http.StatusNotFound, "Branch not protected")
	}
	base := s.apiURL("/repos/%s/branches/%s/protection/required_status_checks", c.repo.fullName(), branch)
	out := &statusCheckPolicyJSON{URL: base, Contexts: append([]string{}, contexts...), ContextsURL: base + "/contexts", Checks: []requiredCheckJSON{}}
	for _, ctx := range contexts {
		out.Checks = append(out.Checks, requiredCheckJSON{Context: ctx})
	}
	return jsonReply(http.StatusOK, out)
}

// unmetRequiredCheck names the first required check of branch that has not
// passed on sha, and how, as GitHub's merge refusal says it.
func (rs *repoState) unmetRequiredCheck(branch, sha string) (string, bool) {
	for _, ctx := range rs.required[branch] {
		reported, passed := false, false
		newest := map[string]*checkRunState{} // app -> newest run of this name
		for _, run := range rs.runsWhere(func(x *checkRunState) bool { return x.headSHA == sha && x.name == ctx }) {
			newest[run.app] = run // runsWhere sorts by id, so the last wins
		}
		for _, run := range newest {
			reported = true
			if run.status == "completed" && (run.conclusion == "success" || run.conclusion == "neutral" || run.conclusion == "skipped") {
				passed = true
			}
		}
		for _, st := range rs.latestStatuses(sha) {
			if st.context == ctx {
				reported = true
				passed = passed || st.state == "success"
			}
		}
		switch {
		case passed:
		case reported:
			return fmt.Sprintf("Required status check %q is failing.", ctx), true
		default:
			return fmt.Sprintf("Required status check %q is expected.", ctx), true
		}
	}
	return "", false
}
