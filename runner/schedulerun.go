package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/recipes"
	"github.com/lifeos/lifeos/secrets"
)

// This file is what a schedule's firing changes in a run's pipeline: its
// branch and PR are the schedule's (one of each, never a second), its
// task is a recipe's or the policy's words, and its recipe's bounds narrow
// the policy.

// branch is the branch the run writes: the schedule's, or the issue's.
func (w *work) branch() string {
	if w.req.schedule != nil {
		return names.ScheduleBranch(w.req.schedule.Name)
	}
	return names.Branch(w.req.issueNumber)
}

// scheduleName is the name of the schedule a run fires for, or "".
func (req *request) scheduleName() string {
	if req.schedule == nil {
		return ""
	}
	return req.schedule.Name
}

// ownsPull reports whether pr is LifeOS's own for this run's issue or
// schedule: the App's, from the base repository's branch of it.
func (w *work) ownsPull(pr gh.Pull) bool {
	origin := names.PullOrigin{Author: pr.Author, HeadRef: pr.HeadRef, HeadRepo: pr.HeadRepo, BaseRepo: w.req.repo.FullName()}
	if w.req.schedule != nil {
		name, _ := names.ScheduleOfPull(w.AppSlug, origin)
		return name == w.req.schedule.Name
	}
	issue, _ := w.ownPull(w.req.repo, pr)
	return issue == w.req.issueNumber
}

// applyRecipe narrows a schedule's run to its recipe: the recipe is read
// from the default branch (the repository's own file, or the one shipped
// with LifeOS), its task becomes the run's, and its allowed paths and
// limits join the policy. A recipe that is gone or broken ends the run.
func (w *work) applyRecipe(ctx context.Context) (bool, error) {
	sc := w.req.schedule
	if sc == nil || sc.Recipe == "" {
		return false, nil
	}
	files, err := w.defaultBranchFiles(ctx)
	if err != nil {
		return false, err
	}
	rec, ok, err := recipes.Lookup(sc.Recipe, files)
	if err != nil || !ok {
		why := fmt.Sprintf("schedule %s names recipe %q, which is neither shipped with LifeOS nor in %s", sc.Name, sc.Recipe, recipes.RepoDir)
		if err != nil {
			why = fmt.Sprintf("schedule %s's recipe is broken: %v", sc.Name, err)
		}
		w.decide(ctx, policy.Decision{Rule: "schedules.recipe", Reason: why})
		w.deny(ctx, why, "LifeOS did not fire: "+why+".")
		return true, nil
	}
	if rec.ReadOnly && !policy.MayPropose(w.state.pol) {
		d := policy.Decision{Rule: "autonomy", Reason: fmt.Sprintf("recipe %s only proposes issues, which needs autonomy rung %d; this repository is at rung %d", rec.Name, policy.RungPropose, w.state.pol.Autonomy)}
		w.decide(ctx, d)
		w.deny(ctx, d.Reason, "")
		return true, nil
	}
	pol, ds := policy.WithRecipe(w.state.pol, rec.Bounds())
	for _, d := range ds {
		w.decide(ctx, d)
	}
	w.state.pol = pol
	task := rec.Task
	if rec.ReadOnly && policy.MayPropose(pol) {
		task += fmt.Sprintf("\n\nPropose at most %d issues.", pol.MaxProposals)
	}
	w.req.issue.Title, w.req.issue.Body = fmt.Sprintf("%s (recipe %s v%d)", rec.Description, rec.Name, rec.Version), task
	return false, nil
}

// defaultBranchFiles reads files as the default branch has them: from the
// snapshot when the run starts there, else from GitHub. Like the policy,
// a recipe is never read from a branch LifeOS writes.
func (w *work) defaultBranchFiles(ctx context.Context) (recipes.Files, error) {
	if w.state.from == w.req.repo.DefaultBranch && w.state.snap != nil {
		return w.state.snap.File, nil
	}
	path := recipes.RepoPath(w.req.schedule.Recipe)
	data, err := w.req.gh.File(ctx, path, w.req.repo.DefaultBranch)
	if err != nil {
		return nil, fmt.Errorf("read %s from %s: %w", path, w.req.repo.DefaultBranch, err)
	}
	return func(p string) ([]byte, bool) { return data, p == path && data != nil }, nil
}

// commitMessage is the message of the run's commit.
func (w *work) commitMessage(summary string) string {
	if sc := w.req.schedule; sc != nil {
		msg := fmt.Sprintf("schedule %s: %s", sc.Name, w.req.issue.Title)
		if s := strings.TrimSpace(summary); s != "" {
			msg += "\n\n" + s
		}
		return secrets.Scrub(msg) + "\n\n" + runTrailer(w.run.ID)
	}
	return commitMessage(w.req.issue.Title, w.req.issueNumber, w.req.trigger, summary, w.run.ID)
}

// prTitle is the title of the run's new PR.
func (w *work) prTitle() string {
	if sc := w.req.schedule; sc != nil {
		what := sc.Recipe
		if what == "" {
			what = oneLine(sc.Task)
		}
		return fmt.Sprintf("LifeOS schedule %s: %s", sc.Name, what)
	}
	return w.req.issue.Title
}

// prBody is the body of the run's new PR.
func (w *work) prBody(wr written) string {
	sc := w.req.schedule
	if sc == nil {
		return prBody(w.req.issueNumber, w.run.ID, wr)
	}
	var b strings.Builder
	if s := strings.TrimSpace(wr.summary); s != "" {
		b.WriteString(s + "\n\n")
	}
	what := "its task"
	if sc.Recipe != "" {
		what = "the recipe `" + sc.Recipe + "`"
	}
	fmt.Fprintf(&b, "Opened by the schedule `%s` (`%s`, %s). Later firings add their commits to this PR while it is open.\n\n", sc.Name, sc.Cron, what)
	fmt.Fprintf(&b, "<sub>LifeOS run %d: %d turns, %d tokens, %d files changed. Review it like any other PR; nothing merges without you.</sub>\n",
		w.run.ID, wr.turns, wr.tokens, wr.files)
	return secrets.Scrub(b.String())
}
