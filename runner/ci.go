package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/google/go-github/v89/github"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/store"
)

// DefaultMaxCIFixes is how many fix runs failed CI may start on one PR
// before LifeOS asks a human: enough for a slip and its follow-up, not
// enough to burn money in a loop.
const DefaultMaxCIFixes = 2

// logTailLines and logTailBytes bound the tail of a failed job's log that
// goes into the prompt: the error is almost always at the end.
const (
	logTailLines = 80
	logTailBytes = 8 << 10
)

// maxAnnotations bounds the annotations of one failed check that go into
// the prompt: a linter can report thousands, and the first few hundred say
// what is wrong.
const maxAnnotations = 300

// failedConclusions are check conclusions that mean the change is broken.
var failedConclusions = map[string]bool{"failure": true, "timed_out": true}

// failedCheck is one failed check as the agent is told of it.
type failedCheck struct {
	Name, Conclusion, Title, Summary string
	Annotations                      []string
	LogTail                          string
}

// onCI starts a fix run when CI fails on the head commit of a LifeOS PR,
// within bounds: at most MaxCIFixes per PR, never twice for one commit, and
// not when the same failure comes back unchanged.
func (r *Runner) onCI(ctx context.Context, j job) error {
	var headSHA, headBranch, conclusion, app string
	var suiteID, workflowRunID int64
	var prs []*github.PullRequest
	var repo *github.Repository
	switch j.args.Event {
	case "check_suite":
		var ev github.CheckSuiteEvent
		if err := decode(j, &ev); err != nil {
			return err
		}
		cs := ev.GetCheckSuite()
		headSHA, headBranch, conclusion, app = cs.GetHeadSHA(), cs.GetHeadBranch(), cs.GetConclusion(), cs.GetApp().GetSlug()
		suiteID, prs, repo = cs.GetID(), cs.PullRequests, ev.GetRepo()
		if ev.GetAction() != "completed" {
			return nil
		}
	case "workflow_run":
		var ev github.WorkflowRunEvent
		if err := decode(j, &ev); err != nil {
			return err
		}
		wr := ev.GetWorkflowRun()
		headSHA, headBranch, conclusion = wr.GetHeadSHA(), wr.GetHeadBranch(), wr.GetConclusion()
		workflowRunID, prs, repo = wr.GetID(), wr.PullRequests, ev.GetRepo()
		if ev.GetAction() != "completed" {
			return nil
		}
	}
	issue := names.IssueOfBranch(headBranch)
	if (!failedConclusions[conclusion] && conclusion != "success") || issue == 0 || app == r.AppSlug {
		return nil
	}
	ref := repoRef{Owner: repo.GetOwner().GetLogin(), Name: repo.GetName()}
	log := zerolog.Ctx(ctx).With().Int("issue", issue).Str("head_sha", headSHA).Logger()
	ctx = log.WithContext(ctx)
	gh, err := r.Clients.NewInstallationClient(j.args.InstallationID)
	if err != nil {
		return fmt.Errorf("installation client %d: %w", j.args.InstallationID, err)
	}
	pr, err := r.ciPull(ctx, gh, ref, prs, headBranch, repo.GetDefaultBranch())
	if err != nil || pr == nil {
		return err
	}
	if pr.GetHead().GetSHA() != headSHA || pr.GetUser().GetLogin() != r.AppSlug+"[bot]" {
		log.Info().Msg("CI result is not for the head of a LifeOS PR; ignored")
		return nil
	}
	if conclusion == "success" {
		return r.autoMerge(ctx, gh, ref, repo.GetDefaultBranch(), issue, pr)
	}
	// One agent per branch: wait for a run in progress before deciding.
	if wait, err := r.waitForTurn(ctx, j, ref, issue); err != nil || wait {
		return waitErr(err)
	}

	checks, err := r.failedChecks(ctx, gh, ref, suiteID, workflowRunID)
	if err != nil {
		return err
	}
	if len(checks) == 0 {
		log.Info().Msg("No failed checks from other apps; nothing to fix")
		return nil
	}
	sig := signature(checks)
	attempts, err := r.Store.CIAttempts(ctx, ref.String(), pr.GetNumber())
	if err != nil {
		return err
	}
	fixes := 0
	for _, a := range attempts {
		if a.Action == store.CIFix {
			fixes++
		}
	}
	maxFixes := r.MaxCIFixes
	if maxFixes <= 0 {
		maxFixes = DefaultMaxCIFixes
	}
	why := ""
	switch {
	case len(attempts) > 0 && attempts[len(attempts)-1].Signature == sig:
		why = "the same checks failed the same way after LifeOS's last fix"
	case fixes >= maxFixes:
		why = fmt.Sprintf("LifeOS has used its %d fix attempts on this PR", maxFixes)
	}
	action := store.CIFix
	if why != "" {
		action = store.CIStopped
	}
	claimed, err := r.Store.ClaimCIAttempt(ctx, ref.String(), pr.GetNumber(), store.CIAttempt{HeadSHA: headSHA, Signature: sig, Action: action})
	if err != nil {
		return err
	}
	if !claimed {
		log.Info().Msg("This head commit's CI failure was already handled")
		return nil
	}
	if why != "" {
		log.Info().Str("reason", why).Msg("Not fixing CI")
		r.tell(ctx, gh, ref, pr.GetNumber(), fmt.Sprintf("CI failed on %s and LifeOS will not try again: %s. A human needs to look (%s). Comment `/lifeos retry <what to do>` to send LifeOS back in.",
			headSHA[:min(7, len(headSHA))], why, checkNames(checks)))
		return nil
	}
	return r.code(ctx, &request{
		job: j, trigger: "ci", gh: gh, // no person: nobody is trusted in advance
		repo: ref, defaultBranch: repo.GetDefaultBranch(),
		issueNumber: issue, prNumber: pr.GetNumber(), replyTo: pr.GetNumber(),
		instructions: ciInstructions(headSHA, checks), waitTurn: true,
	})
}

// ciPull finds the LifeOS PR a CI result belongs to.
func (r *Runner) ciPull(ctx context.Context, gh *github.Client, repo repoRef, prs []*github.PullRequest, branch, base string) (*github.PullRequest, error) {
	for _, p := range prs {
		if p.GetHead().GetRef() == branch {
			pr, _, err := gh.PullRequests.Get(ctx, repo.Owner, repo.Name, p.GetNumber())
			if err != nil {
				return nil, fmt.Errorf("get pull request %s#%d: %w", repo, p.GetNumber(), err)
			}
			return pr, nil
		}
	}
	return openPull(ctx, gh, repo, branch, base)
}

// failedChecks gathers what failed: names, conclusions, output summaries,
// annotations, and for GitHub Actions the tail of the job's log. Checks
// reported by LifeOS itself are never inputs. Every page of runs and jobs
// is read: a failure on a later page is a failure too.
func (r *Runner) failedChecks(ctx context.Context, gh *github.Client, repo repoRef, suiteID, workflowRunID int64) ([]failedCheck, error) {
	if suiteID != 0 {
		return r.failedSuiteRuns(ctx, gh, repo, suiteID)
	}
	return r.failedJobs(ctx, gh, repo, workflowRunID)
}

// failedSuiteRuns gathers the failed check runs of a check suite.
func (r *Runner) failedSuiteRuns(ctx context.Context, gh *github.Client, repo repoRef, suiteID int64) ([]failedCheck, error) {
	var out []failedCheck
	opts := &github.ListCheckRunsOptions{Filter: github.Ptr("latest"), ListOptions: github.ListOptions{PerPage: 100}}
	for {
		res, resp, err := gh.Checks.ListCheckRunsCheckSuite(ctx, repo.Owner, repo.Name, suiteID, opts)
		if err != nil {
			return nil, fmt.Errorf("list check runs of suite %d in %s: %w", suiteID, repo, err)
		}
		for _, cr := range res.CheckRuns {
			if !failedConclusions[cr.GetConclusion()] || cr.GetApp().GetSlug() == r.AppSlug {
				continue
			}
			fc := failedCheck{Name: cr.GetName(), Conclusion: cr.GetConclusion(),
				Title: cr.GetOutput().GetTitle(), Summary: cr.GetOutput().GetSummary()}
			if cr.GetOutput().GetAnnotationsCount() > 0 {
				if fc.Annotations, err = r.annotations(ctx, gh, repo, cr.GetID()); err != nil {
					return nil, err
				}
			}
			if cr.GetApp().GetSlug() == "github-actions" {
				fc.LogTail = r.jobLogTail(ctx, gh, repo, cr.GetID()) // a check run of Actions is its job
			}
			out = append(out, fc)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// failedJobs gathers the failed jobs of a GitHub Actions workflow run.
func (r *Runner) failedJobs(ctx context.Context, gh *github.Client, repo repoRef, workflowRunID int64) ([]failedCheck, error) {
	var out []failedCheck
	opts := &github.ListWorkflowJobsOptions{Filter: "latest", ListOptions: github.ListOptions{PerPage: 100}}
	for {
		jobs, resp, err := gh.Actions.ListWorkflowJobs(ctx, repo.Owner, repo.Name, workflowRunID, opts)
		if err != nil {
			return nil, fmt.Errorf("list jobs of workflow run %d in %s: %w", workflowRunID, repo, err)
		}
		for _, job := range jobs.Jobs {
			if !failedConclusions[job.GetConclusion()] {
				continue
			}
			fc := failedCheck{Name: job.GetName(), Conclusion: job.GetConclusion()}
			for _, st := range job.Steps {
				if failedConclusions[st.GetConclusion()] {
					fc.Summary += fmt.Sprintf("step %q: %s\n", st.GetName(), st.GetConclusion())
				}
			}
			if fc.Annotations, err = r.annotations(ctx, gh, repo, job.GetID()); err != nil {
				return nil, err
			}
			fc.LogTail = r.jobLogTail(ctx, gh, repo, job.GetID())
			out = append(out, fc)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// annotations reads a check run's annotations, every page up to
// maxAnnotations; past that, one line says that more were left out.
func (r *Runner) annotations(ctx context.Context, gh *github.Client, repo repoRef, checkRunID int64) ([]string, error) {
	opts := &github.ListOptions{PerPage: 100}
	var out []string
	for {
		as, resp, err := gh.Checks.ListCheckRunAnnotations(ctx, repo.Owner, repo.Name, checkRunID, opts)
		if err != nil {
			return nil, fmt.Errorf("list annotations of check run %d in %s: %w", checkRunID, repo, err)
		}
		for _, a := range as {
			out = append(out, fmt.Sprintf("%s:%d: %s: %s", a.GetPath(), a.GetStartLine(), a.GetAnnotationLevel(), a.GetMessage()))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		if len(out) >= maxAnnotations {
			return append(out[:maxAnnotations], "(more annotations not shown)"), nil
		}
		opts.Page = resp.NextPage
	}
}

// jobLogTail returns the end of an Actions job's log, best effort: a fix
// can still be tried from the summary and annotations without it.
func (r *Runner) jobLogTail(ctx context.Context, gh *github.Client, repo repoRef, jobID int64) string {
	link, _, err := gh.Actions.GetWorkflowJobLogs(ctx, repo.Owner, repo.Name, jobID, 0)
	if err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Int64("job_id", jobID).Msg("Could not get the job's log")
		return ""
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link.String(), nil)
	if err != nil {
		return ""
	}
	resp, err := r.Download.Do(req)
	if err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Int64("job_id", jobID).Msg("Could not download the job's log")
		return ""
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	// Logs can be large; keep a window of the end as it streams past.
	const window = 4 * logTailBytes
	buf := make([]byte, 0, window)
	chunk := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if len(buf) > window {
			buf = append(buf[:0], buf[len(buf)-window:]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return ""
		}
	}
	return tail(string(buf), logTailLines, logTailBytes)
}

func tail(s string, lines, maxBytes int) string {
	s = strings.TrimRight(s, "\n")
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	s = strings.Join(parts, "\n")
	if len(s) > maxBytes {
		s = s[len(s)-maxBytes:]
	}
	return s
}

// signature identifies a failure by what failed and how, without logs
// (their timestamps differ every run).
func signature(checks []failedCheck) string {
	var keys []string
	for _, c := range checks {
		k := c.Name + "\x00" + c.Conclusion + "\x00" + c.Title + "\x00" + c.Summary + "\x00" + strings.Join(c.Annotations, "\x01")
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\x02")))
	return hex.EncodeToString(sum[:])
}

func checkNames(checks []failedCheck) string {
	var names []string
	for _, c := range checks {
		names = append(names, "`"+c.Name+"`")
	}
	return strings.Join(names, ", ")
}

func ciInstructions(headSHA string, checks []failedCheck) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CI failed on the pull request's head commit %s. Fix the change so these checks pass; do not weaken or delete the tests.\n", headSHA)
	for _, c := range checks {
		fmt.Fprintf(&b, "\n### %s: %s\n", c.Name, c.Conclusion)
		if c.Title != "" {
			fmt.Fprintf(&b, "%s\n", c.Title)
		}
		if c.Summary != "" {
			fmt.Fprintf(&b, "%s\n", strings.TrimSpace(c.Summary))
		}
		for _, a := range c.Annotations {
			fmt.Fprintf(&b, "- %s\n", a)
		}
		if c.LogTail != "" {
			fmt.Fprintf(&b, "Log tail:\n```\n%s\n```\n", c.LogTail)
		}
	}
	return b.String()
}
