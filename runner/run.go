package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v89/github"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
	"github.com/lifeos/lifeos/workspace"
)

// This file is one run from start to push: policy, budget, the agent, and
// the write-back.

// work is one run in progress.
type work struct {
	*Runner
	gh      *github.Client
	req     *request
	run     *store.Run
	log     zerolog.Logger
	loaders *policyLoaders
	// outcome is stored when do returns, after every comment and notice,
	// so a finished run means GitHub has been told everything.
	outcome *store.Outcome
}

// conclude sets the run's outcome, stored when the run's work returns.
func (w *work) conclude(out store.Outcome) {
	w.outcome = &out
}

// storeOutcome stores the outcome set by conclude, if any.
func (w *work) storeOutcome(ctx context.Context) {
	if w.outcome != nil {
		w.Runner.finish(ctx, w.run.ID, *w.outcome)
		w.wakeWaiters(context.WithoutCancel(ctx), w.req.repo.String(), w.req.issueNumber)
	}
}

// errStopped is the cause of a run stopped by /lifeos stop.
var errStopped = errors.New("stopped by /lifeos stop")

func (w *work) do(ctx context.Context) error {
	defer w.storeOutcome(ctx) // first in, last out: after every comment
	req := w.req
	if req.checkActor {
		actorRole, err := role(ctx, w.gh, req.repo, req.actor)
		if err != nil {
			return err // retried by River; the run row is taken over by the retry
		}
		req.actorRole = actorRole
		decision := policy.CanTrigger(req.actor, actorRole)
		w.decide(ctx, decision)
		if !decision.Allow {
			w.tell(ctx, w.gh, req.repo, req.replyTo, fmt.Sprintf("LifeOS did not start: %s.", decision.Reason))
			w.conclude(store.Outcome{Status: store.StatusDenied, Error: decision.Reason})
			return nil
		}
	}
	if err := w.issueText(ctx); err != nil {
		return err
	}
	number := req.issueNumber
	branchName := names.Branch(number)
	out := store.Outcome{Model: w.ModelName, Branch: branchName}

	// A PR of an earlier run that is still open takes the next commit.
	pr, previousSummary, err := w.previous(ctx)
	if err != nil {
		return err
	}
	from := req.defaultBranch
	if pr != nil {
		from = branchName
		out.PRNumber = pr.GetNumber()
		if req.replyTo == 0 {
			req.replyTo = pr.GetNumber()
		}
	}
	tip, err := branchHead(ctx, w.gh, req.repo, from)
	if err != nil {
		return err
	}
	maxBytes := w.MaxRepoBytes
	if maxBytes <= 0 {
		maxBytes = workspace.DefaultMaxRepoBytes
	}
	snap, err := snapshot(ctx, w.gh, w.Download, req.repo, tip.CommitSHA, maxBytes)
	if errors.Is(err, workspace.ErrRepoTooLarge) {
		return w.fail(ctx, out, fmt.Sprintf("the repository is larger than the %d MB LifeOS may hold in memory for a run", maxBytes>>20), err)
	}
	if err != nil {
		return err
	}
	pol, clamps, err := w.loadPolicy(ctx, snap, from == req.defaultBranch)
	var broken *brokenPolicy
	if errors.As(err, &broken) {
		w.decide(ctx, policy.Decision{Rule: "policy.file", Reason: oneLine(err.Error())})
		out.Status, out.Error = store.StatusDenied, err.Error()
		w.conclude(out)
		w.tell(ctx, w.gh, req.repo, req.replyTo, policyProblem(err))
		return nil
	}
	if err != nil {
		return err
	}
	for _, d := range clamps {
		w.decide(ctx, d)
	}
	if d, ok := w.mayRun(ctx, pol); !ok {
		out.Status, out.Error = store.StatusDenied, d.Reason
		w.conclude(out)
		if d.Rule != "trigger.label" {
			w.tell(ctx, w.gh, req.repo, req.replyTo, fmt.Sprintf("LifeOS did not start: %s.", d.Reason))
		}
		return nil
	}
	limits := w.Limits
	if pol.MaxTurns > 0 && (limits.MaxTurns == 0 || pol.MaxTurns < limits.MaxTurns) {
		limits.MaxTurns = pol.MaxTurns
	}
	modelName, refusal, err := w.budgetGate(ctx, pol)
	if err != nil {
		return err
	}
	if refusal != nil {
		out.Status, out.Error = store.StatusDenied, refusal.reason
		w.conclude(out)
		w.tell(ctx, w.gh, req.repo, req.replyTo, refusal.comment)
		return nil
	}
	if modelName == "" {
		modelName = w.ModelName
	}
	out.Model = modelName
	before, err := w.spent(ctx)
	if err != nil {
		return err
	}
	defer w.budgetNotices(context.WithoutCancel(ctx), pol, before)

	// Rung 2: a person's request gets a plan first; code follows only
	// after /lifeos approve.
	awaitingApproval := false
	if policy.NeedsPlanApproval(pol) && !req.planOnly && (req.trigger == "label" || req.trigger == "retry") {
		req.planOnly, awaitingApproval = true, true
		w.decide(ctx, policy.Decision{Allow: true, Rule: "autonomy", Reason: "rung 2: the agent posts a plan; code follows /lifeos approve"})
	}

	comments, err := w.trustedComments(ctx)
	if err != nil {
		return err
	}
	comments = append(comments, req.comments...)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w.track(w.run.ID, cancel)
	defer w.untrack(w.run.ID)

	ws := workspace.New(snap)
	seq := 0
	var violations []policy.Violation
	var runCost policy.Money
	a := &agent.Agent{
		Model: w.Model, ModelName: modelName, Limits: limits, Log: w.log,
		// The change set is checked against the policy before anything is
		// pushed; the agent gets one chance to repair a violation.
		Review: func(changes []workspace.Change) string {
			violations = policy.CheckChanges(pol, changeStats(snap, changes))
			for _, v := range violations {
				w.decide(ctx, policy.Decision{Rule: v.Rule, Reason: v.Path + ": " + v.Reason})
			}
			if len(violations) == 0 {
				return ""
			}
			return "The change breaks the repository's policy. Undo or change these and call finish again:\n" + policy.FormatViolations(violations)
		},
		OnCall: func(ctx context.Context, u agent.Usage) error {
			seq++
			if err := w.Store.RecordCall(ctx, store.ModelCall{RunID: w.run.ID, Seq: seq, Model: u.Model,
				PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}); err != nil {
				w.log.Error().Err(err).Msg("Could not record model usage")
			}
			cost := w.Prices.Cost(u.Model, u.PromptTokens, u.CompletionTokens)
			if err := w.Store.Charge(ctx, store.Charge{RunID: w.run.ID, Seq: seq, Repo: req.repo.String(),
				InstallationID: req.job.args.InstallationID, Model: u.Model, CostMicros: int64(cost)}); err != nil {
				return fmt.Errorf("record the cost of a model call: %w", err) // never spend off the books
			}
			runCost += cost
			if policy.RunCapReached(runCost, pol.MaxCostPerRun) {
				w.decide(ctx, policy.Decision{Rule: "limits.max_cost_per_run",
					Reason: fmt.Sprintf("the run spent %s, its cap is %s", runCost, pol.MaxCostPerRun)})
				return errCostCap
			}
			// A stop asked on another replica reaches this one here.
			if stop, err := w.Store.CancelRequested(ctx, w.run.ID); err == nil && stop {
				return errStopped
			}
			return nil
		},
	}
	res, runErr := a.Run(ctx, agent.Task{
		Repo:            req.repo.String(),
		Issue:           agent.Issue{Number: number, Title: req.issue.GetTitle(), Body: req.issue.GetBody(), Author: req.issue.GetUser().GetLogin()},
		Comments:        comments,
		Instructions:    req.instructions,
		PreviousSummary: previousSummary,
		PlanOnly:        req.planOnly,
		MayPropose:      policy.MayPropose(pol),
	}, ws)
	out.Turns, out.TotalTokens, out.Summary = res.Turns, res.Tokens, res.Summary
	for _, c := range res.Calls {
		out.PromptTokens += c.PromptTokens
		out.CompletionTokens += c.CompletionTokens
	}
	if t, err := json.Marshal(res.Transcript); err == nil {
		out.Transcript = string(t)
	}
	if errors.Is(runErr, errStopped) || errors.Is(context.Cause(ctx), errStopped) {
		out.Status = store.StatusCancelled
		out.Error = errStopped.Error()
		w.conclude(out)
		w.tell(ctx, w.gh, req.repo, req.replyTo, fmt.Sprintf("LifeOS stopped run %d as asked, after %d turns; nothing was pushed.", w.run.ID, res.Turns))
		return nil
	}
	if errors.Is(runErr, errCostCap) {
		return w.fail(ctx, out, fmt.Sprintf("it reached this repository's cap of %s for one run (%s spent)", pol.MaxCostPerRun, runCost), runErr)
	}
	if errors.Is(runErr, agent.ErrRejected) {
		return w.fail(ctx, out, "its change still broke the repository's policy after one repair:\n\n"+policy.FormatViolations(violations), runErr)
	}
	if runErr != nil {
		if ctx.Err() != nil {
			// Shutdown or timeout: nothing was pushed; leave the run to the
			// job's retry.
			return fmt.Errorf("run %d interrupted: %w", w.run.ID, runErr)
		}
		return w.fail(ctx, out, describeStop(res, runErr), runErr)
	}
	w.openProposals(ctx, res.Proposals)
	if req.planOnly {
		out.Status = store.StatusPlanned
		w.conclude(out)
		next := "Comment `/lifeos retry` to have it carried out."
		if awaitingApproval || policy.NeedsPlanApproval(pol) {
			next = "This repository asks for approval before code: a maintainer comments `/lifeos approve` to have it carried out."
		}
		w.tell(ctx, w.gh, req.repo, req.replyTo, fmt.Sprintf("**LifeOS plan** (run %d, no code changed):\n\n%s\n\n%s", w.run.ID, strings.TrimSpace(res.Summary), next))
		return nil
	}
	if len(res.Changes) == 0 {
		out.Status = store.StatusNoChange
		w.conclude(out)
		w.tell(ctx, w.gh, req.repo, req.replyTo, fmt.Sprintf("LifeOS looked at this and made no change.\n\n%s", quote(res.Summary)))
		return nil
	}

	// The last guard: nothing that breaks the policy is pushed, whatever
	// path the agent took to finish.
	stats := changeStats(snap, res.Changes)
	// The snapshot (the whole repository) is not needed past here: let the
	// collector have it before the writes, which ten runs may do at once.
	snap, ws, a = nil, nil, nil
	if vs := policy.CheckChanges(pol, stats); len(vs) > 0 {
		return w.fail(ctx, out, "its change broke the repository's policy:\n\n"+policy.FormatViolations(vs), errors.New("policy violations"))
	}

	// From here the run writes to GitHub: neither a shutdown nor a stop
	// interrupts the writes, so a branch never points at half a result.
	ctx, cancelWrite := context.WithTimeout(context.WithoutCancel(ctx), writeBackTimeout)
	defer cancelWrite()
	sha, err := commitChanges(ctx, w.gh, req.repo, tip, res.Changes, commitMessage(req.issue, req.trigger, res.Summary))
	if err != nil {
		return w.fail(ctx, out, "GitHub refused the commit", err)
	}
	out.CommitSHA = sha
	var recorded []store.FileChange
	for _, st := range stats {
		recorded = append(recorded, store.FileChange{Path: st.Path, Deleted: st.Delete, Added: st.Added, Removed: st.Removed})
	}
	if err := w.Store.RecordChanges(ctx, w.run.ID, recorded); err != nil {
		w.log.Error().Err(err).Msg("Could not record the run's changes")
	}
	if pr != nil {
		if err := advanceBranch(ctx, w.gh, req.repo, branchName, sha, false); err != nil {
			return w.fail(ctx, out, fmt.Sprintf("the branch `%s` gained commits while LifeOS worked; ask again to retry on top of them", branchName), err)
		}
		out.Status = store.StatusSucceeded
		w.conclude(out)
		w.tell(ctx, w.gh, req.repo, req.replyTo, fmt.Sprintf("LifeOS pushed %s to #%d.\n\n%s", sha[:7], pr.GetNumber(), quote(res.Summary)))
		return nil
	}

	if err := w.pushNewBranch(ctx, branchName, sha); err != nil {
		return w.fail(ctx, out, fmt.Sprintf("could not write the branch `%s`", branchName), err)
	}
	pr, err = w.openPR(ctx, branchName, res)
	if err != nil {
		return w.fail(ctx, out, "GitHub refused the pull request", err)
	}
	out.PRNumber = pr.GetNumber()
	out.Status = store.StatusSucceeded
	w.conclude(out)
	w.tell(ctx, w.gh, req.repo, req.replyTo, fmt.Sprintf("LifeOS opened #%d for this issue.\n\n%s", pr.GetNumber(), quote(res.Summary)))
	return nil
}

// openProposals opens the agent's proposed follow-up issues, best effort.
func (w *work) openProposals(ctx context.Context, proposals []agent.Proposal) {
	for _, p := range proposals {
		body := fmt.Sprintf("%s\n\n<sub>Proposed by LifeOS in run %d while working on #%d. Add the `%s` label to have LifeOS do it, or close it.</sub>",
			p.Body, w.run.ID, w.req.issueNumber, names.TriggerLabel)
		issue, _, err := w.gh.Issues.Create(ctx, w.req.repo.Owner, w.req.repo.Name, &github.IssueRequest{
			Title: github.Ptr(p.Title), Body: github.Ptr(body), Labels: &[]string{names.ProposalLabel},
		})
		if err != nil {
			w.log.Error().Err(err).Str("title", p.Title).Msg("Could not open a proposed issue")
			continue
		}
		w.decide(ctx, policy.Decision{Allow: true, Rule: "autonomy", Reason: fmt.Sprintf("rung 4: proposed #%d %q", issue.GetNumber(), p.Title)})
	}
}

// mayRun applies the policy's trigger rules: the label the repository
// asked for, the minimum permission and the allowlists.
func (w *work) mayRun(ctx context.Context, pol policy.Policy) (policy.Decision, bool) {
	req := w.req
	if d := policy.LabelDecision(pol.TriggerLabel, w.Ceilings); !d.Allow {
		w.decide(ctx, d) // the policy's label is unreachable: say so, whatever started the run
		return d, false
	}
	if req.trigger == "label" && req.label != pol.TriggerLabel {
		d := policy.Decision{Rule: "trigger.label", Reason: fmt.Sprintf("this repository's trigger label is %q, not %q", pol.TriggerLabel, req.label)}
		w.decide(ctx, d)
		return d, false
	}
	if req.actorRole == "" {
		return policy.Decision{Allow: true}, true // not started by a person (CI)
	}
	var teams []string
	if len(pol.Teams) > 0 {
		var err error
		if teams, err = teamsOf(ctx, w.gh, pol.Teams, req.actor); err != nil {
			w.log.Warn().Err(err).Msg("Could not read team memberships")
		}
	}
	d := policy.CanTriggerWith(pol, req.actor, req.actorRole, teams)
	w.decide(ctx, d)
	return d, d.Allow
}

// previous returns the open PR of this issue, if any, and the summary of
// the issue's latest run that had one. The store remembers PRs, so a first
// run costs no request here.
func (w *work) previous(ctx context.Context) (*github.PullRequest, string, error) {
	runs, err := w.Store.IssueRuns(ctx, w.req.repo.String(), w.req.issueNumber)
	if err != nil {
		return nil, "", err
	}
	number, summary := w.req.prNumber, ""
	for _, run := range runs {
		if run.ID == w.run.ID {
			continue
		}
		if run.PRNumber > 0 && w.req.prNumber == 0 {
			number = run.PRNumber
		}
		if run.Summary != "" {
			summary = run.Summary
		}
	}
	if number == 0 {
		return nil, summary, nil
	}
	pr, _, err := w.gh.PullRequests.Get(ctx, w.req.repo.Owner, w.req.repo.Name, number)
	if err != nil {
		return nil, "", fmt.Errorf("get pull request %s#%d: %w", w.req.repo, number, err)
	}
	if pr.GetState() != "open" || pr.GetHead().GetRef() != names.Branch(w.req.issueNumber) {
		return nil, summary, nil
	}
	return pr, summary, nil
}

// pushNewBranch creates the issue's branch at sha. A leftover branch of an
// earlier, closed attempt is overwritten; one with an open PR LifeOS has no
// record of is left alone.
func (w *work) pushNewBranch(ctx context.Context, name, sha string) error {
	err := createBranch(ctx, w.gh, w.req.repo, name, sha)
	if !errors.Is(err, errBranchExists) {
		return err
	}
	open, lerr := openPull(ctx, w.gh, w.req.repo, name, w.req.defaultBranch)
	if lerr != nil {
		return lerr
	}
	if open != nil {
		return fmt.Errorf("branch %s already has open pull request #%d that LifeOS did not record: %w", name, open.GetNumber(), errBranchExists)
	}
	w.log.Info().Str("branch", name).Msg("Overwriting a stale branch with no open pull request")
	return advanceBranch(ctx, w.gh, w.req.repo, name, sha, true)
}

func (w *work) openPR(ctx context.Context, name string, res *agent.Result) (*github.PullRequest, error) {
	pr, resp, err := w.gh.PullRequests.Create(ctx, w.req.repo.Owner, w.req.repo.Name, &github.NewPullRequest{
		Title: github.Ptr(w.req.issue.GetTitle()),
		Head:  github.Ptr(name),
		Base:  github.Ptr(w.req.defaultBranch),
		Body:  github.Ptr(prBody(w.req.issueNumber, w.run.ID, res)),
	})
	if err == nil {
		return pr, nil
	}
	if resp != nil && resp.StatusCode == http.StatusUnprocessableEntity {
		// GitHub refuses a second PR for the same head and base: use it.
		if open, lerr := openPull(ctx, w.gh, w.req.repo, name, w.req.defaultBranch); lerr == nil && open != nil {
			return open, nil
		}
	}
	return nil, fmt.Errorf("create pull request for %s#%d: %w", w.req.repo, w.req.issueNumber, err)
}

// trustedComments returns the issue's comments by users with write access:
// only their words reach the prompt.
func (w *work) trustedComments(ctx context.Context) ([]agent.Comment, error) {
	if w.req.issue.Comments != nil && w.req.issue.GetComments() == 0 {
		return nil, nil // the trigger's payload says there are none
	}
	trusted := newTrust(w.gh, w.req.repo, w.req.actor, w.req.actorRole)
	var out []agent.Comment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; page < maxCommentPages; page++ {
		cs, resp, err := w.gh.Issues.ListComments(ctx, w.req.repo.Owner, w.req.repo.Name, w.req.issueNumber, opts)
		if err != nil {
			return nil, fmt.Errorf("list comments of %s#%d: %w", w.req.repo, w.req.issueNumber, err)
		}
		for _, c := range cs {
			ok, err := trusted.user(ctx, c.GetUser())
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, agent.Comment{Author: c.GetUser().GetLogin(), Body: c.GetBody()})
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return out, nil
}

// trust remembers the roles of the users of one run, so that each costs
// GitHub at most one question.
type trust struct {
	gh    *github.Client
	repo  repoRef
	roles map[string]string
}

// newTrust starts with the actor's role when it was checked before the run
// started; a run that no person started (CI) trusts nobody in advance.
func newTrust(gh *github.Client, repo repoRef, actor, actorRole string) *trust {
	t := &trust{gh: gh, repo: repo, roles: map[string]string{}}
	if actor != "" && actorRole != "" {
		t.roles[actor] = actorRole
	}
	return t
}

// user reports whether u's words may reach the prompt: a human with write
// access. Bots, the App included, never are.
func (t *trust) user(ctx context.Context, u *github.User) (bool, error) {
	if u.GetType() == "Bot" {
		return false, nil
	}
	login := u.GetLogin()
	r, ok := t.roles[login]
	if !ok {
		var err error
		if r, err = role(ctx, t.gh, t.repo, login); err != nil {
			return false, err
		}
		t.roles[login] = r
	}
	return policy.IsTrusted(r), nil
}

// issueText settles the task's title and body. A trigger that carries the
// issue (a label, a command on the issue, both by a user with write
// access) records its text; every other run takes the recorded text, so an
// edit made after the trigger, perhaps by someone without access, never
// reaches the prompt. An issue with no record (work asked for before this
// was kept) is read once from GitHub and recorded.
func (w *work) issueText(ctx context.Context) error {
	req := w.req
	repo := req.repo.String()
	if req.issue == nil {
		t, err := w.Store.IssueTextOf(ctx, repo, req.issueNumber)
		if err != nil {
			return err
		}
		if t != nil {
			req.issue = &github.Issue{Number: github.Ptr(req.issueNumber), Title: github.Ptr(t.Title), Body: github.Ptr(t.Body),
				User: &github.User{Login: github.Ptr(t.Author)}}
			return nil
		}
		issue, _, err := w.gh.Issues.Get(ctx, req.repo.Owner, req.repo.Name, req.issueNumber)
		if err != nil {
			return fmt.Errorf("get issue %s#%d: %w", req.repo, req.issueNumber, err)
		}
		req.issue = issue
	}
	return w.Store.SaveIssueText(ctx, repo, req.issueNumber, store.IssueText{
		Title: req.issue.GetTitle(), Body: req.issue.GetBody(), Author: req.issue.GetUser().GetLogin()})
}

// maxCommentPages bounds how much of a long thread is read (100 a page).
const maxCommentPages = 5

// fail records a failed run and says so on the issue. The job itself
// succeeds: a retry would spend the model again on the same failure.
func (w *work) fail(ctx context.Context, out store.Outcome, why string, err error) error {
	w.log.Error().Err(err).Msg("Run failed")
	out.Status = store.StatusFailed
	out.Error = err.Error()
	w.conclude(out)
	w.tell(ctx, w.gh, w.req.repo, w.req.replyTo, fmt.Sprintf("LifeOS could not finish: %s.\n\nRun %d stopped after %d turns and %d tokens.",
		why, w.run.ID, out.Turns, out.TotalTokens))
	return nil
}
