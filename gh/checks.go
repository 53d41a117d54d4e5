package gh

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v89/github"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/policy"
)

// FailedCheck is one failed check as the agent is told of it.
type FailedCheck struct {
	Name, Conclusion, Title, Summary string
	Annotations                      []string
	LogTail                          string
}

// MaxAnnotations bounds the annotations of one failed check that are read:
// a linter can report thousands, and the first few hundred say what is
// wrong.
const MaxAnnotations = 300

// failedConclusions are check conclusions that mean the change is broken.
var failedConclusions = map[string]bool{"failure": true, "timed_out": true}

// FailedSuiteRuns gathers the failed check runs of a check suite, every
// page: names, conclusions, output, annotations, and for GitHub Actions the
// tail of the job's log. The App's own check runs are never inputs.
func (r *Repo) FailedSuiteRuns(ctx context.Context, suiteID int64) ([]FailedCheck, error) {
	var out []FailedCheck
	opts := &github.ListCheckRunsOptions{Filter: github.Ptr("latest"), ListOptions: github.ListOptions{PerPage: 100}}
	for {
		res, resp, err := r.gh.Checks.ListCheckRunsCheckSuite(ctx, r.owner, r.name, suiteID, opts)
		if err != nil {
			return nil, fmt.Errorf("list check runs of suite %d in %s: %w", suiteID, r, err)
		}
		for _, cr := range res.CheckRuns {
			if !failedConclusions[cr.GetConclusion()] || cr.GetApp().GetSlug() == r.appSlug {
				continue
			}
			fc, err := r.failedRun(ctx, cr)
			if err != nil {
				return nil, err
			}
			out = append(out, fc)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

func (r *Repo) failedRun(ctx context.Context, cr *github.CheckRun) (FailedCheck, error) {
	fc := FailedCheck{Name: cr.GetName(), Conclusion: cr.GetConclusion(),
		Title: cr.GetOutput().GetTitle(), Summary: cr.GetOutput().GetSummary()}
	if cr.GetOutput().GetAnnotationsCount() > 0 {
		var err error
		if fc.Annotations, err = r.annotations(ctx, cr.GetID()); err != nil {
			return FailedCheck{}, err
		}
	}
	if cr.GetApp().GetSlug() == "github-actions" {
		fc.LogTail = r.jobLogTail(ctx, cr.GetID()) // a check run of Actions is its job
	}
	return fc, nil
}

// FailedJobs gathers the failed jobs of a GitHub Actions workflow run,
// every page, with their failed steps, annotations and log tails.
func (r *Repo) FailedJobs(ctx context.Context, workflowRunID int64) ([]FailedCheck, error) {
	var out []FailedCheck
	opts := &github.ListWorkflowJobsOptions{Filter: "latest", ListOptions: github.ListOptions{PerPage: 100}}
	for {
		jobs, resp, err := r.gh.Actions.ListWorkflowJobs(ctx, r.owner, r.name, workflowRunID, opts)
		if err != nil {
			return nil, fmt.Errorf("list jobs of workflow run %d in %s: %w", workflowRunID, r, err)
		}
		for _, job := range jobs.Jobs {
			if !failedConclusions[job.GetConclusion()] {
				continue
			}
			fc := FailedCheck{Name: job.GetName(), Conclusion: job.GetConclusion()}
			for _, st := range job.Steps {
				if failedConclusions[st.GetConclusion()] {
					fc.Summary += fmt.Sprintf("step %q: %s\n", st.GetName(), st.GetConclusion())
				}
			}
			if fc.Annotations, err = r.annotations(ctx, job.GetID()); err != nil {
				return nil, err
			}
			fc.LogTail = r.jobLogTail(ctx, job.GetID())
			out = append(out, fc)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// annotations reads a check run's annotations, every page up to
// MaxAnnotations; past that, one line says that more were left out.
func (r *Repo) annotations(ctx context.Context, checkRunID int64) ([]string, error) {
	opts := &github.ListOptions{PerPage: 100}
	var out []string
	for {
		as, resp, err := r.gh.Checks.ListCheckRunAnnotations(ctx, r.owner, r.name, checkRunID, opts)
		if err != nil {
			return nil, fmt.Errorf("list annotations of check run %d in %s: %w", checkRunID, r, err)
		}
		for _, a := range as {
			out = append(out, fmt.Sprintf("%s:%d: %s: %s", a.GetPath(), a.GetStartLine(), a.GetAnnotationLevel(), a.GetMessage()))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		if len(out) >= MaxAnnotations {
			return append(out[:MaxAnnotations], "(more annotations not shown)"), nil
		}
		opts.Page = resp.NextPage
	}
}

// jobLogTail returns the end of an Actions job's log, best effort: a fix
// can still be tried from the summary and annotations without it.
func (r *Repo) jobLogTail(ctx context.Context, jobID int64) string {
	log := zerolog.Ctx(ctx).With().Int64("job_id", jobID).Logger()
	link, _, err := r.gh.Actions.GetWorkflowJobLogs(ctx, r.owner, r.name, jobID, 0)
	if err != nil {
		log.Warn().Err(err).Msg("Could not get the job's log")
		return ""
	}
	body, err := r.fetch(ctx, link.String())
	if err != nil {
		log.Warn().Err(err).Msg("Could not download the job's log")
		return ""
	}
	defer body.Close()
	t, err := logTail(body)
	if err != nil {
		log.Warn().Err(err).Msg("Could not read the job's log")
	}
	return t
}

// RequiredChecks lists the status checks branch protection of base
// requires; an unprotected branch, one without required checks, or a plan
// without branch protection has none.
func (r *Repo) RequiredChecks(ctx context.Context, base string) ([]policy.RequiredCheck, error) {
	rsc, _, err := r.gh.Repositories.GetRequiredStatusChecks(ctx, r.owner, r.name, base)
	switch {
	case errors.Is(err, github.ErrBranchNotProtected), status(err) == http.StatusNotFound, protectionUnavailable(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read required status checks of %s@%s: %w", r, base, err)
	}
	var out []policy.RequiredCheck
	seen := map[string]bool{}
	for _, c := range rsc.GetChecks() {
		out = append(out, policy.RequiredCheck{Context: c.Context, AppID: c.GetAppID()})
		seen[c.Context] = true
	}
	for _, c := range rsc.GetContexts() { // the deprecated list, in case only it is filled
		if !seen[c] {
			out = append(out, policy.RequiredCheck{Context: c})
			seen[c] = true
		}
	}
	return out, nil
}

// CheckResults lists the latest check run of each name on a commit, every
// page; the App's own are marked.
func (r *Repo) CheckResults(ctx context.Context, sha string) ([]policy.CheckResult, error) {
	opts := &github.ListCheckRunsOptions{Filter: github.Ptr("latest"), ListOptions: github.ListOptions{PerPage: 100}}
	var out []policy.CheckResult
	for {
		res, resp, err := r.gh.Checks.ListCheckRunsForRef(ctx, r.owner, r.name, sha, opts)
		if err != nil {
			return nil, fmt.Errorf("list check runs of %s@%s: %w", r, sha, err)
		}
		for _, cr := range res.CheckRuns {
			out = append(out, policy.CheckResult{
				Name: cr.GetName(), AppID: cr.GetApp().GetID(), Own: cr.GetApp().GetSlug() == r.appSlug,
				Status: cr.GetStatus(), Conclusion: cr.GetConclusion(),
			})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// Statuses lists the latest commit status of each context on a commit (the
// combined status), every page.
func (r *Repo) Statuses(ctx context.Context, sha string) ([]policy.StatusResult, error) {
	opts := &github.ListOptions{PerPage: 100}
	var out []policy.StatusResult
	for {
		res, resp, err := r.gh.Repositories.GetCombinedStatus(ctx, r.owner, r.name, sha, opts)
		if err != nil {
			return nil, fmt.Errorf("read the combined status of %s@%s: %w", r, sha, err)
		}
		for _, st := range res.Statuses {
			out = append(out, policy.StatusResult{Context: st.GetContext(), State: st.GetState()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}
