package githubfake

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v89/github"
)

const (
	// actionsSlug is the app that GitHub Actions check runs belong to.
	actionsSlug = "github-actions"
	// maxAnnotationsPerRequest is GitHub's limit per create/update call.
	maxAnnotationsPerRequest = 50
)

// Annotation is a check run annotation.
type Annotation struct {
	Path       string
	StartLine  int
	EndLine    int
	Level      string // "notice", "warning" or "failure"
	Message    string
	Title      string
	RawDetails string
}

// JobStep is a step of a GitHub Actions job.
type JobStep struct {
	Number     int64
	Name       string
	Status     string
	Conclusion string
}

// CheckRunFixture describes a CI result a test seeds with AddCheckRun.
type CheckRunFixture struct {
	Name       string
	Status     string // "queued", "in_progress" or "completed" (default)
	Conclusion string // e.g. "success", "failure"; default "success" when completed
	// AppSlug is the app that reported it; "github-actions" if empty.
	AppSlug     string
	HeadBranch  string
	Title       string
	Summary     string
	Text        string
	DetailsURL  string
	Annotations []Annotation
	// Log is the job log served for GitHub Actions runs.
	Log   string
	Steps []JobStep
	// WorkflowRunID groups Actions jobs into a workflow run; 0 puts the job
	// in the run of its check suite.
	WorkflowRunID int64
}

// CheckRun is a check run as tests read it back.
type CheckRun struct {
	ID          int64
	SuiteID     int64
	RunID       int64 // workflow run of an Actions job
	Name        string
	HeadSHA     string
	App         string
	Status      string
	Conclusion  string
	Title       string
	Summary     string
	Text        string
	DetailsURL  string
	ExternalID  string
	Annotations []Annotation
}

// AddCheckRun records a check run on a commit (a full SHA or a branch) as
// another app, usually GitHub Actions, would report it.
func (s *Server) AddCheckRun(fullName, ref string, f CheckRunFixture) CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	sha, ok := r.resolveCommit(ref)
	if !ok {
		panic(fmt.Sprintf("githubfake: no commit %s in %s", ref, fullName))
	}
	if f.AppSlug == "" {
		f.AppSlug = actionsSlug
	}
	if f.Status == "" {
		f.Status = "completed"
	}
	if f.Status == "completed" && f.Conclusion == "" {
		f.Conclusion = "success"
	}
	now := s.now()
	suite := s.suiteFor(r, f.AppSlug, sha, f.HeadBranch)
	run := &checkRunState{
		id: s.newID(), suiteID: suite.id, headSHA: sha, name: f.Name, app: f.AppSlug,
		status: f.Status, conclusion: f.Conclusion, detailsURL: f.DetailsURL,
		title: f.Title, summary: f.Summary, text: f.Text,
		annotations: append([]Annotation(nil), f.Annotations...),
		startedAt:   &now, log: f.Log, steps: append([]JobStep(nil), f.Steps...),
	}
	if f.Status == "completed" {
		run.completedAt = &now
	}
	if f.AppSlug == actionsSlug {
		run.runID = f.WorkflowRunID
		if run.runID == 0 {
			run.runID = suite.id + 1 // a stable id per suite, distinct from it
		}
		if run.detailsURL == "" {
			run.detailsURL = htmlURL("/%s/actions/runs/%d/job/%d", r.fullName(), run.runID, run.id)
		}
	}
	r.checkRuns[run.id] = run
	return checkRunCopy(run)
}

// SetCheckSuite fixes a check suite's status and conclusion instead of
// deriving them from its runs.
func (s *Server) SetCheckSuite(fullName string, suiteID int64, status, conclusion string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	suite, ok := r.checkSuites[suiteID]
	if !ok {
		panic(fmt.Sprintf("githubfake: no check suite %d in %s", suiteID, fullName))
	}
	suite.status, suite.conclusion, suite.updatedAt = status, conclusion, s.now()
}

// CheckRuns lists the check runs on a commit (SHA or branch), oldest first.
func (r *Repo) CheckRuns(ref string) []CheckRun {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	rs := r.s.mustRepo(r.fullName)
	sha, ok := rs.resolveCommit(ref)
	if !ok {
		return nil
	}
	var out []CheckRun
	for _, run := range rs.runsWhere(func(x *checkRunState) bool { return x.headSHA == sha }) {
		out = append(out, checkRunCopy(run))
	}
	return out
}

func checkRunCopy(run *checkRunState) CheckRun {
	return CheckRun{
		ID: run.id, SuiteID: run.suiteID, RunID: run.runID, Name: run.name, HeadSHA: run.headSHA,
		App: run.app, Status: run.status, Conclusion: run.conclusion, Title: run.title,
		Summary: run.summary, Text: run.text, DetailsURL: run.detailsURL, ExternalID: run.externalID,
		Annotations: append([]Annotation(nil), run.annotations...),
	}
}

// suiteFor finds or creates the suite of an app on a commit.
func (s *Server) suiteFor(r *repoState, app, sha, branch string) *checkSuiteState {
	for _, su := range r.checkSuites {
		if su.app == app && su.headSHA == sha {
			return su
		}
	}
	if branch == "" {
		for ref, tip := range r.refs {
			if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok && tip == sha {
				branch = b
			}
		}
	}
	now := s.now()
	su := &checkSuiteState{id: s.newID(), headSHA: sha, headBranch: branch, app: app, createdAt: now, updatedAt: now}
	r.checkSuites[su.id] = su
	return su
}

func (rs *repoState) runsWhere(keep func(*checkRunState) bool) []*checkRunState {
	var out []*checkRunState
	for _, run := range rs.checkRuns {
		if keep(run) {
			out = append(out, run)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// conclusionRank orders conclusions from worst to best, for a suite's
// overall conclusion.
var conclusionRank = []string{"action_required", "startup_failure", "failure", "timed_out", "cancelled", "stale", "neutral", "success", "skipped"}

// suiteStatus derives a suite's status and conclusion from its runs
// unless a test fixed them.
func (rs *repoState) suiteStatus(su *checkSuiteState) (status, conclusion string) {
	if su.status != "" {
		return su.status, su.conclusion
	}
	runs := rs.runsWhere(func(x *checkRunState) bool { return x.suiteID == su.id })
	if len(runs) == 0 {
		return "queued", ""
	}
	best := len(conclusionRank)
	for _, run := range runs {
		if run.status != "completed" {
			return "in_progress", ""
		}
		for i, c := range conclusionRank {
			if c == run.conclusion && i < best {
				best = i
			}
		}
	}
	if best == len(conclusionRank) {
		return "completed", "neutral"
	}
	return "completed", conclusionRank[best]
}

func (s *Server) appJSON(slug string) *github.App {
	id := s.appID
	if slug != s.slug {
		id = int64(15368) // GitHub Actions' app id on github.com
	}
	return &github.App{ID: ptr(id), Slug: ptr(slug), NodeID: ptr(nodeID("Integration", id)), Name: ptr(slug)}
}

func (s *Server) checkSuiteJSON(r *repoState, su *checkSuiteState) *github.CheckSuite {
	status, conclusion := r.suiteStatus(su)
	out := &github.CheckSuite{
		ID:         ptr(su.id),
		NodeID:     ptr(nodeID("CheckSuite", su.id)),
		HeadSHA:    ptr(su.headSHA),
		HeadBranch: ptr(su.headBranch),
		Status:     ptr(status),
		URL:        ptr(s.apiURL("/repos/%s/check-suites/%d", r.fullName(), su.id)),
		App:        s.appJSON(su.app),
		Repository: s.repoJSON(r),
		CreatedAt:  ts(su.createdAt),
		UpdatedAt:  ts(su.updatedAt),
	}
	if conclusion != "" {
		out.Conclusion = ptr(conclusion)
	}
	return out
}

func (s *Server) checkRunJSON(r *repoState, run *checkRunState) *github.CheckRun {
	out := &github.CheckRun{
		ID:          ptr(run.id),
		NodeID:      ptr(nodeID("CheckRun", run.id)),
		HeadSHA:     ptr(run.headSHA),
		Name:        ptr(run.name),
		Status:      ptr(run.status),
		StartedAt:   tsp(run.startedAt),
		CompletedAt: tsp(run.completedAt),
		URL:         ptr(s.apiURL("/repos/%s/check-runs/%d", r.fullName(), run.id)),
		HTMLURL:     ptr(htmlURL("/%s/runs/%d", r.fullName(), run.id)),
		CheckSuite:  &github.CheckSuite{ID: ptr(run.suiteID)},
		App:         s.appJSON(run.app),
		Output: &github.CheckRunOutput{
			AnnotationsCount: ptr(len(run.annotations)),
			AnnotationsURL:   ptr(s.apiURL("/repos/%s/check-runs/%d/annotations", r.fullName(), run.id)),
		},
		PullRequests: []*github.PullRequest{},
	}
	if run.conclusion != "" {
		out.Conclusion = ptr(run.conclusion)
	}
	if run.detailsURL != "" {
		out.DetailsURL = ptr(run.detailsURL)
	}
	if run.externalID != "" {
		out.ExternalID = ptr(run.externalID)
	}
	if run.runID != 0 {
		out.HTMLURL = ptr(htmlURL("/%s/actions/runs/%d/job/%d", r.fullName(), run.runID, run.id))
	}
	for _, x := range []struct {
		v   string
		dst **string
	}{{run.title, &out.Output.Title}, {run.summary, &out.Output.Summary}, {run.text, &out.Output.Text}} {
		if x.v != "" {
			*x.dst = ptr(x.v)
		}
	}
	return out
}

// checkRunInput is the body of POST and PATCH /check-runs.
type checkRunInput struct {
	Name        *string           `json:"name"`
	HeadSHA     string            `json:"head_sha"`
	DetailsURL  *string           `json:"details_url"`
	ExternalID  *string           `json:"external_id"`
	Status      *string           `json:"status"`
	Conclusion  *string           `json:"conclusion"`
	StartedAt   *github.Timestamp `json:"started_at"`
	CompletedAt *github.Timestamp `json:"completed_at"`
	Output      *struct {
		Title       *string                      `json:"title"`
		Summary     *string                      `json:"summary"`
		Text        *string                      `json:"text"`
		Annotations []*github.CheckRunAnnotation `json:"annotations"`
	} `json:"output"`
}

// apply copies an input onto a run, checking GitHub's rules.
func (s *Server) applyCheckRun(run *checkRunState, in *checkRunInput) (reply, bool) {
	now := s.now()
	if in.Name != nil {
		run.name = *in.Name
	}
	if in.DetailsURL != nil {
		run.detailsURL = *in.DetailsURL
	}
	if in.ExternalID != nil {
		run.externalID = *in.ExternalID
	}
	if in.Status != nil {
		run.status = *in.Status
	}
	if in.StartedAt != nil {
		t := in.StartedAt.Time.UTC()
		run.startedAt = &t
	}
	if in.Conclusion != nil {
		run.conclusion, run.status = *in.Conclusion, "completed"
	}
	if in.CompletedAt != nil {
		t := in.CompletedAt.Time.UTC()
		run.completedAt = &t
		if in.Conclusion == nil && run.conclusion == "" {
			return invalid(fieldError{Resource: "CheckRun", Field: "conclusion", Code: "missing_field"}), false
		}
		run.status = "completed"
	}
	if run.status == "completed" {
		if run.conclusion == "" {
			return invalid(fieldError{Resource: "CheckRun", Field: "conclusion", Code: "missing_field"}), false
		}
		if run.completedAt == nil {
			run.completedAt = &now
		}
	}
	if run.status != "queued" && run.startedAt == nil {
		run.startedAt = &now
	}
	if o := in.Output; o != nil {
		if len(o.Annotations) > maxAnnotationsPerRequest {
			return invalid(fieldError{Resource: "CheckRun", Field: "output.annotations", Code: "custom",
				Message: fmt.Sprintf("Only %d annotations are allowed per request", maxAnnotationsPerRequest)}), false
		}
		if o.Title != nil {
			run.title = *o.Title
		}
		if o.Summary != nil {
			run.summary = *o.Summary
		}
		if o.Text != nil {
			run.text = *o.Text
		}
		for _, a := range o.Annotations {
			run.annotations = append(run.annotations, Annotation{
				Path: a.GetPath(), StartLine: a.GetStartLine(), EndLine: a.GetEndLine(),
				Level: a.GetAnnotationLevel(), Message: a.GetMessage(), Title: a.GetTitle(), RawDetails: a.GetRawDetails(),
			})
		}
	}
	return reply{}, true
}

func (s *Server) createCheckRun(c *call) reply {
	var in checkRunInput
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	sha := strings.ToLower(in.HeadSHA)
	if _, ok := c.repo.objects.commit(sha); !ok {
		return unprocessable("No commit found for SHA: " + in.HeadSHA)
	}
	su := s.suiteFor(c.repo, s.slug, sha, "")
	run := &checkRunState{id: s.newID(), suiteID: su.id, headSHA: sha, app: s.slug, status: "queued"}
	if rep, ok := s.applyCheckRun(run, &in); !ok {
		return rep
	}
	c.repo.checkRuns[run.id] = run
	su.updatedAt = s.now()
	return jsonReply(http.StatusCreated, s.checkRunJSON(c.repo, run))
}

func (s *Server) checkRunParam(c *call) (*checkRunState, bool) {
	run, ok := c.repo.checkRuns[c.int64Param("check_run_id")]
	return run, ok
}

func (s *Server) getCheckRun(c *call) reply {
	run, ok := s.checkRunParam(c)
	if !ok {
		return notFound()
	}
	return jsonReply(http.StatusOK, s.checkRunJSON(c.repo, run))
}

func (s *Server) updateCheckRun(c *call) reply {
	run, ok := s.checkRunParam(c)
	if !ok {
		return notFound()
	}
	if run.app != s.slug {
		return errReply(http.StatusForbidden, "Invalid app_id `"+itoa(s.appID)+"` - check run can only be modified by the GitHub App that created it.")
	}
	var in checkRunInput
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	updated := *run
	updated.annotations = append([]Annotation(nil), run.annotations...)
	if rep, ok := s.applyCheckRun(&updated, &in); !ok {
		return rep
	}
	*run = updated
	return jsonReply(http.StatusOK, s.checkRunJSON(c.repo, run))
}

// listRuns filters and pages check runs like GitHub's list endpoints.
func (s *Server) listRuns(c *call, runs []*checkRunState) reply {
	name, status := c.query.Get("check_name"), c.query.Get("status")
	appID := c.query.Get("app_id")
	latest := c.query.Get("filter") != "all"
	newest := map[string]int64{}
	for _, run := range runs {
		k := run.app + "\x00" + run.name + "\x00" + run.headSHA
		newest[k] = max(newest[k], run.id)
	}
	var kept []*checkRunState
	for _, run := range runs {
		k := run.app + "\x00" + run.name + "\x00" + run.headSHA
		switch {
		case name != "" && run.name != name,
			status != "" && run.status != status,
			appID != "" && appID != itoa(s.appJSON(run.app).GetID()),
			latest && newest[k] != run.id:
			continue
		}
		kept = append(kept, run)
	}
	// GitHub lists the newest first.
	sort.Slice(kept, func(i, j int) bool { return kept[i].id > kept[j].id })
	lo, hi, h := s.paginate(c, len(kept))
	out := &github.ListCheckRunsResults{Total: ptr(len(kept)), CheckRuns: []*github.CheckRun{}}
	for _, run := range kept[lo:hi] {
		out.CheckRuns = append(out.CheckRuns, s.checkRunJSON(c.repo, run))
	}
	return reply{status: http.StatusOK, body: out, header: h}
}

func (s *Server) listRunsForRef(c *call) reply {
	sha, ok := c.repo.resolveCommit(c.params["ref"])
	if !ok {
		return unprocessable("No commit found for SHA: " + c.params["ref"])
	}
	return s.listRuns(c, c.repo.runsWhere(func(x *checkRunState) bool { return x.headSHA == sha }))
}

func (s *Server) listRunsForSuite(c *call) reply {
	su, ok := c.repo.checkSuites[c.int64Param("check_suite_id")]
	if !ok {
		return notFound()
	}
	return s.listRuns(c, c.repo.runsWhere(func(x *checkRunState) bool { return x.suiteID == su.id }))
}

func (s *Server) getCheckSuite(c *call) reply {
	su, ok := c.repo.checkSuites[c.int64Param("check_suite_id")]
	if !ok {
		return notFound()
	}
	return jsonReply(http.StatusOK, s.checkSuiteJSON(c.repo, su))
}

func (s *Server) listAnnotations(c *call) reply {
	run, ok := s.checkRunParam(c)
	if !ok {
		return notFound()
	}
	lo, hi, h := s.paginate(c, len(run.annotations))
	out := make([]*github.CheckRunAnnotation, 0, hi-lo)
	for _, a := range run.annotations[lo:hi] {
		out = append(out, &github.CheckRunAnnotation{
			Path: ptr(a.Path), StartLine: ptr(a.StartLine), EndLine: ptr(a.EndLine),
			AnnotationLevel: ptr(a.Level), Message: ptr(a.Message), Title: ptr(a.Title), RawDetails: ptr(a.RawDetails),
		})
	}
	return reply{status: http.StatusOK, body: out, header: h}
}

func (s *Server) jobJSON(r *repoState, run *checkRunState) *github.WorkflowJob {
	su := r.checkSuites[run.suiteID]
	steps := make([]*github.TaskStep, 0, len(run.steps))
	for _, st := range run.steps {
		steps = append(steps, &github.TaskStep{Name: ptr(st.Name), Status: ptr(st.Status), Conclusion: ptr(st.Conclusion), Number: ptr(st.Number)})
	}
	var created time.Time
	if run.startedAt != nil {
		created = *run.startedAt
	}
	out := &github.WorkflowJob{
		ID:          ptr(run.id),
		RunID:       ptr(run.runID),
		RunURL:      ptr(s.apiURL("/repos/%s/actions/runs/%d", r.fullName(), run.runID)),
		NodeID:      ptr(nodeID("CheckRun", run.id)),
		HeadSHA:     ptr(run.headSHA),
		HeadBranch:  ptr(su.headBranch),
		URL:         ptr(s.apiURL("/repos/%s/actions/jobs/%d", r.fullName(), run.id)),
		HTMLURL:     ptr(htmlURL("/%s/actions/runs/%d/job/%d", r.fullName(), run.runID, run.id)),
		Status:      ptr(run.status),
		CreatedAt:   ts(created),
		StartedAt:   tsp(run.startedAt),
		CompletedAt: tsp(run.completedAt),
		Name:        ptr(run.name),
		Steps:       steps,
		CheckRunURL: ptr(s.apiURL("/repos/%s/check-runs/%d", r.fullName(), run.id)),
		Labels:      []string{"ubuntu-latest"},
		RunAttempt:  ptr(int64(1)),
	}
	if run.conclusion != "" {
		out.Conclusion = ptr(run.conclusion)
	}
	return out
}

func (s *Server) listJobs(c *call) reply {
	runID := c.int64Param("run_id")
	jobs := c.repo.runsWhere(func(x *checkRunState) bool { return x.app == actionsSlug && x.runID == runID })
	if len(jobs) == 0 {
		return notFound()
	}
	lo, hi, h := s.paginate(c, len(jobs))
	out := &github.Jobs{TotalCount: ptr(len(jobs)), Jobs: []*github.WorkflowJob{}}
	for _, run := range jobs[lo:hi] {
		out.Jobs = append(out.Jobs, s.jobJSON(c.repo, run))
	}
	return reply{status: http.StatusOK, body: out, header: h}
}

func (s *Server) getJobLogs(c *call) reply {
	run, ok := c.repo.checkRuns[c.int64Param("job_id")]
	if !ok || run.app != actionsSlug {
		return notFound()
	}
	log := run.log
	return redirect(s.addDownload("logs", fmt.Sprintf("%s/jobs/%d", c.repo.fullName(), run.id), "text/plain; charset=utf-8",
		func() ([]byte, error) { return []byte(log), nil }))
}
