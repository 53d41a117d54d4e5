// Package runner works a queued run: it checks who asked, reads the repo at
// one commit, lets the agent change it in memory, and writes the result back
// to GitHub as one commit on the issue's branch and a pull request.
package runner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/queue"
	"github.com/lifeos/lifeos/store"
)

// DefaultMaxRepoBytes caps the unpacked size of the repo held in memory for a
// run: ten concurrent runs of this size must fit a small machine.
const DefaultMaxRepoBytes = 64 << 20

// DefaultRunTimeout bounds a whole run, model calls included.
const DefaultRunTimeout = 30 * time.Minute

// writeBackTimeout bounds the GitHub writes after the agent finishes.
const writeBackTimeout = 2 * time.Minute

// BranchPrefix starts the name of every branch LifeOS writes.
const BranchPrefix = "lifeos/issue-"

// Runner does the work of a run job.
type Runner struct {
	Clients   githubapp.ClientCreator
	Store     *store.Store
	Model     agent.Model
	ModelName string
	Limits    agent.Limits
	// MaxRepoBytes caps the unpacked repo snapshot (DefaultMaxRepoBytes if 0).
	MaxRepoBytes int64
	// Timeout bounds one run (DefaultRunTimeout if 0).
	Timeout time.Duration
	// Download fetches tarballs from the archive host.
	Download *http.Client
	Log      zerolog.Logger
}

// Worker adapts a Runner to River.
type Worker struct {
	river.WorkerDefaults[queue.RunArgs]
	Runner *Runner
}

// Timeout bounds one run job.
func (w *Worker) Timeout(*river.Job[queue.RunArgs]) time.Duration {
	if w.Runner.Timeout > 0 {
		return w.Runner.Timeout
	}
	return DefaultRunTimeout
}

// Work runs the job.
func (w *Worker) Work(ctx context.Context, job *river.Job[queue.RunArgs]) error {
	return w.Runner.Run(ctx, job.ID, job.Args)
}

// BranchName is the branch LifeOS writes for an issue.
func BranchName(issue int) string { return fmt.Sprintf("%s%d", BranchPrefix, issue) }

// Run works one run job: the label trigger on an issue.
func (r *Runner) Run(ctx context.Context, jobID int64, args queue.RunArgs) error {
	var ev github.IssuesEvent
	if err := json.Unmarshal(args.Payload, &ev); err != nil {
		// A payload that does not decode never will: don't retry it.
		return river.JobCancel(fmt.Errorf("decode %s payload of delivery %s: %w", args.Event, args.DeliveryID, err))
	}
	repo := repoRef{Owner: ev.GetRepo().GetOwner().GetLogin(), Name: ev.GetRepo().GetName()}
	issue := ev.GetIssue()
	sender := ev.GetSender().GetLogin()
	log := r.Log.With().Str("repo", repo.String()).Int("issue", issue.GetNumber()).
		Str(githubapp.LogKeyDeliveryID, args.DeliveryID).Int64("job", jobID).Logger()
	ctx = log.WithContext(ctx)

	run, err := r.Store.StartRun(ctx, store.NewRun{
		Repo: repo.String(), InstallationID: args.InstallationID, IssueNumber: issue.GetNumber(),
		DeliveryID: args.DeliveryID, JobID: jobID, Trigger: "label", Actor: sender, Status: store.StatusRunning,
	})
	switch {
	case errors.Is(err, store.ErrDuplicateDelivery):
		log.Info().Msg("Delivery already handled; nothing to do")
		return nil
	case errors.Is(err, store.ErrActiveRun):
		log.Info().Int64("active_run", run.ID).Msg("Issue already has an active run; trigger ignored")
		return nil
	case err != nil:
		return err
	}
	log = log.With().Int64("run", run.ID).Logger()

	gh, err := r.Clients.NewInstallationClient(args.InstallationID)
	if err != nil {
		return fmt.Errorf("installation client %d: %w", args.InstallationID, err)
	}
	senderRole, err := role(ctx, gh, repo, sender)
	if err != nil {
		return err // retried by River; the run row is taken over by the retry
	}
	decision := policy.CanTrigger(sender, senderRole)
	log.Info().Dict("audit", zerolog.Dict().Bool("allow", decision.Allow).Str("rule", decision.Rule).
		Str("reason", decision.Reason)).Msg("Trigger decision")
	if !decision.Allow {
		r.finish(ctx, run.ID, store.Outcome{Status: store.StatusDenied, Error: decision.Reason})
		r.tell(ctx, gh, repo, issue.GetNumber(), fmt.Sprintf("LifeOS did not start: %s.", decision.Reason))
		return nil
	}

	w := &work{
		Runner: r, gh: gh, repo: repo, issue: issue, sender: sender, run: run, log: log,
		defaultBranch: ev.GetRepo().GetDefaultBranch(),
	}
	return w.do(ctx)
}

// work is one run in progress.
type work struct {
	*Runner
	gh            *github.Client
	repo          repoRef
	issue         *github.Issue
	sender        string
	run           *store.Run
	log           zerolog.Logger
	defaultBranch string
}

func (w *work) do(ctx context.Context) error {
	number := w.issue.GetNumber()
	branch := BranchName(number)
	out := store.Outcome{Model: w.ModelName, Branch: branch}

	// A PR of an earlier run that is still open takes the next commit.
	pr, err := w.previousOpenPull(ctx)
	if err != nil {
		return err
	}
	from := w.defaultBranch
	if pr != nil {
		from = branch
		out.PRNumber = pr.GetNumber()
	}
	tip, err := branchHead(ctx, w.gh, w.repo, from)
	if err != nil {
		return err
	}
	maxBytes := w.MaxRepoBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxRepoBytes
	}
	snap, err := snapshot(ctx, w.gh, w.Download, w.repo, tip.CommitSHA, maxBytes)
	if errors.Is(err, agent.ErrRepoTooLarge) {
		return w.fail(ctx, out, fmt.Sprintf("the repository is larger than the %d MB LifeOS may hold in memory for a run", maxBytes>>20), err)
	}
	if err != nil {
		return err
	}
	comments, err := w.trustedComments(ctx)
	if err != nil {
		return err
	}

	ws := agent.NewWorkspace(snap)
	seq := 0
	a := &agent.Agent{
		Model: w.Model, ModelName: w.ModelName, Limits: w.Limits, Log: w.log,
		OnCall: func(ctx context.Context, u agent.Usage) error {
			seq++
			if err := w.Store.RecordCall(ctx, store.ModelCall{RunID: w.run.ID, Seq: seq, Model: u.Model,
				PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}); err != nil {
				w.log.Error().Err(err).Msg("Could not record model usage")
			}
			return nil
		},
	}
	res, runErr := a.Run(ctx, agent.Task{
		Repo:     w.repo.String(),
		Issue:    agent.Issue{Number: number, Title: w.issue.GetTitle(), Body: w.issue.GetBody(), Author: w.issue.GetUser().GetLogin()},
		Comments: comments,
	}, ws)
	out.Turns, out.TotalTokens, out.Summary = res.Turns, res.Tokens, res.Summary
	for _, c := range res.Calls {
		out.PromptTokens += c.PromptTokens
		out.CompletionTokens += c.CompletionTokens
	}
	if t, err := json.Marshal(res.Transcript); err == nil {
		out.Transcript = string(t)
	}
	if runErr != nil {
		if ctx.Err() != nil {
			// Shutdown or timeout: nothing was pushed; leave the run to the
			// job's retry.
			return fmt.Errorf("run %d interrupted: %w", w.run.ID, runErr)
		}
		return w.fail(ctx, out, describeStop(res, runErr), runErr)
	}
	if len(res.Changes) == 0 {
		out.Status = store.StatusNoChange
		w.finish(ctx, w.run.ID, out)
		w.tell(ctx, w.gh, w.repo, number, fmt.Sprintf("LifeOS looked at this issue and made no change.\n\n%s", quote(res.Summary)))
		return nil
	}

	// From here the run writes to GitHub: a shutdown waits for the writes
	// to finish, so a branch never points at half a result.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeBackTimeout)
	defer cancel()
	sha, err := commitChanges(ctx, w.gh, w.repo, tip, res.Changes, commitMessage(w.issue, res.Summary))
	if err != nil {
		return w.fail(ctx, out, "GitHub refused the commit", err)
	}
	out.CommitSHA = sha
	if pr != nil {
		if err := advanceBranch(ctx, w.gh, w.repo, branch, sha, false); err != nil {
			return w.fail(ctx, out, fmt.Sprintf("the branch `%s` gained commits while LifeOS worked; label the issue again to retry on top of them", branch), err)
		}
		out.Status = store.StatusSucceeded
		w.finish(ctx, w.run.ID, out)
		w.tell(ctx, w.gh, w.repo, number, fmt.Sprintf("LifeOS pushed %s to #%d.\n\n%s", sha[:7], pr.GetNumber(), quote(res.Summary)))
		return nil
	}

	if err := w.pushNewBranch(ctx, branch, sha); err != nil {
		return w.fail(ctx, out, fmt.Sprintf("could not write the branch `%s`", branch), err)
	}
	pr, err = w.openPR(ctx, branch, res)
	if err != nil {
		return w.fail(ctx, out, "GitHub refused the pull request", err)
	}
	out.PRNumber = pr.GetNumber()
	out.Status = store.StatusSucceeded
	w.finish(ctx, w.run.ID, out)
	w.tell(ctx, w.gh, w.repo, number, fmt.Sprintf("LifeOS opened #%d for this issue.\n\n%s", pr.GetNumber(), quote(res.Summary)))
	return nil
}

// previousOpenPull returns the open PR of an earlier run on this issue, if
// any. The store remembers PRs, so a first run costs no request here.
func (w *work) previousOpenPull(ctx context.Context) (*github.PullRequest, error) {
	runs, err := w.Store.IssueRuns(ctx, w.repo.String(), w.issue.GetNumber())
	if err != nil {
		return nil, err
	}
	number := 0
	for _, run := range runs {
		if run.PRNumber > 0 {
			number = run.PRNumber
		}
	}
	if number == 0 {
		return nil, nil
	}
	pr, _, err := w.gh.PullRequests.Get(ctx, w.repo.Owner, w.repo.Name, number)
	if err != nil {
		return nil, fmt.Errorf("get pull request %s#%d: %w", w.repo, number, err)
	}
	if pr.GetState() != "open" || pr.GetHead().GetRef() != BranchName(w.issue.GetNumber()) {
		return nil, nil
	}
	return pr, nil
}

// pushNewBranch creates the issue's branch at sha. A leftover branch of an
// earlier, closed attempt is overwritten; one with an open PR LifeOS has no
// record of is left alone.
func (w *work) pushNewBranch(ctx context.Context, branch, sha string) error {
	err := createBranch(ctx, w.gh, w.repo, branch, sha)
	if !errors.Is(err, errBranchExists) {
		return err
	}
	open, lerr := openPull(ctx, w.gh, w.repo, branch, w.defaultBranch)
	if lerr != nil {
		return lerr
	}
	if open != nil {
		return fmt.Errorf("branch %s already has open pull request #%d that LifeOS did not record: %w", branch, open.GetNumber(), errBranchExists)
	}
	w.log.Info().Str("branch", branch).Msg("Overwriting a stale branch with no open pull request")
	return advanceBranch(ctx, w.gh, w.repo, branch, sha, true)
}

func (w *work) openPR(ctx context.Context, branch string, res *agent.Result) (*github.PullRequest, error) {
	pr, resp, err := w.gh.PullRequests.Create(ctx, w.repo.Owner, w.repo.Name, &github.NewPullRequest{
		Title: github.String(w.issue.GetTitle()),
		Head:  github.String(branch),
		Base:  github.String(w.defaultBranch),
		Body:  github.String(prBody(w.issue.GetNumber(), w.run.ID, res)),
	})
	if err == nil {
		return pr, nil
	}
	if resp != nil && resp.StatusCode == http.StatusUnprocessableEntity {
		// GitHub refuses a second PR for the same head and base: use it.
		if open, lerr := openPull(ctx, w.gh, w.repo, branch, w.defaultBranch); lerr == nil && open != nil {
			return open, nil
		}
	}
	return nil, fmt.Errorf("create pull request for %s#%d: %w", w.repo, w.issue.GetNumber(), err)
}

// trustedComments returns the issue's comments by users with write access:
// only their words reach the prompt.
func (w *work) trustedComments(ctx context.Context) ([]agent.Comment, error) {
	if w.issue.GetComments() == 0 {
		return nil, nil
	}
	roles := map[string]string{w.sender: "write"}
	var out []agent.Comment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; page < maxCommentPages; page++ {
		cs, resp, err := w.gh.Issues.ListComments(ctx, w.repo.Owner, w.repo.Name, w.issue.GetNumber(), opts)
		if err != nil {
			return nil, fmt.Errorf("list comments of %s#%d: %w", w.repo, w.issue.GetNumber(), err)
		}
		for _, c := range cs {
			login := c.GetUser().GetLogin()
			if c.GetUser().GetType() == "Bot" {
				continue
			}
			r, ok := roles[login]
			if !ok {
				if r, err = role(ctx, w.gh, w.repo, login); err != nil {
					return nil, err
				}
				roles[login] = r
			}
			if policy.IsTrusted(r) {
				out = append(out, agent.Comment{Author: login, Body: c.GetBody()})
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return out, nil
}

// maxCommentPages bounds how much of a long thread is read (100 a page).
const maxCommentPages = 5

// fail records a failed run and says so on the issue. The job itself
// succeeds: a retry would spend the model again on the same failure.
func (w *work) fail(ctx context.Context, out store.Outcome, why string, err error) error {
	w.log.Error().Err(err).Msg("Run failed")
	out.Status = store.StatusFailed
	out.Error = err.Error()
	w.finish(ctx, w.run.ID, out)
	w.tell(ctx, w.gh, w.repo, w.issue.GetNumber(), fmt.Sprintf("LifeOS could not finish this issue: %s.\n\nRun %d stopped after %d turns and %d tokens.",
		why, w.run.ID, out.Turns, out.TotalTokens))
	return nil
}

func (r *Runner) finish(ctx context.Context, id int64, out store.Outcome) {
	// The outcome must be stored even when the job's context is ending.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.Store.FinishRun(ctx, id, out); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not store the run's outcome")
	}
}

// tell comments on an issue, best effort: the run's record already holds
// the outcome.
func (r *Runner) tell(ctx context.Context, gh *github.Client, repo repoRef, number int, body string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := comment(ctx, gh, repo, number, body); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not comment on the issue")
	}
}

func describeStop(res *agent.Result, err error) string {
	switch {
	case errors.Is(err, agent.ErrTurnLimit):
		return fmt.Sprintf("it reached its limit of %d turns without finishing", res.Turns)
	case errors.Is(err, agent.ErrTokenLimit):
		return fmt.Sprintf("it reached its limit of tokens (%d used) without finishing", res.Tokens)
	case errors.Is(err, agent.ErrModel):
		return "the model endpoint failed: " + oneLine(err.Error())
	case errors.Is(err, agent.ErrNoFinish):
		return "the model stopped answering with tool calls before it finished"
	case errors.Is(err, agent.ErrRejected):
		return "its change was rejected: " + oneLine(err.Error())
	default:
		return oneLine(err.Error())
	}
}

func commitMessage(issue *github.Issue, summary string) string {
	msg := fmt.Sprintf("%s (#%d)", issue.GetTitle(), issue.GetNumber())
	if s := strings.TrimSpace(summary); s != "" {
		msg += "\n\n" + s
	}
	return msg
}

func prBody(issue int, runID int64, res *agent.Result) string {
	var b strings.Builder
	if s := strings.TrimSpace(res.Summary); s != "" {
		b.WriteString(s)
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "Fixes #%d\n\n", issue)
	fmt.Fprintf(&b, "<sub>LifeOS run %d: %d turns, %d tokens, %d files changed. Review it like any other PR; nothing merges without you.</sub>\n",
		runID, res.Turns, res.Tokens, len(res.Changes))
	return b.String()
}

func quote(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return "> " + strings.ReplaceAll(s, "\n", "\n> ")
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func encodeBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
