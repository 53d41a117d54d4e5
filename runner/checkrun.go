package runner

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/secrets"
	"github.com/lifeos/lifeos/store"
)

// reportCheck puts the LifeOS check run on the run's commit: what the run
// was asked, the files it changed, its turns, tokens and cost, and its
// policy decisions, linked to the run's page. It is recorded as a step; a
// resumed run first looks for the App's check run on the commit, so a
// commit never gets two. Best effort: the commit and its PR matter more.
func (w *work) reportCheck(ctx context.Context, wr written) {
	if w.state.steps[store.StepCheck] != "" {
		return
	}
	g := w.req.gh
	if w.state.resumed {
		id, err := g.OwnCheckRun(ctx, wr.sha, names.CheckRun)
		if err != nil {
			w.log.Warn().Err(err).Msg("Could not look for the commit's LifeOS check run")
			return
		}
		if id != 0 {
			w.recordStep(ctx, store.StepCheck, strconv.FormatInt(id, 10))
			return
		}
	}
	id, err := g.CreateCheckRun(ctx, w.checkRun(ctx, wr))
	if err != nil {
		w.log.Warn().Err(err).Msg("Could not create the commit's LifeOS check run")
		return
	}
	w.recordStep(ctx, store.StepCheck, strconv.FormatInt(id, 10))
}

// checkRun is the check run reporting the run on its commit.
func (w *work) checkRun(ctx context.Context, wr written) gh.CheckRun {
	cost := "unknown"
	if micros, err := w.Store.RunCost(ctx, w.run.ID); err == nil {
		cost = policy.Money(micros).String()
	}
	decisions, err := w.Store.Decisions(ctx, w.run.ID)
	if err != nil {
		w.log.Warn().Err(err).Msg("Could not read the run's decisions for its check run")
	}
	files := fmt.Sprintf("%d files changed", wr.files)
	if wr.files == 1 {
		files = "1 file changed"
	}
	return gh.CheckRun{
		Name: names.CheckRun, HeadSHA: wr.sha, Conclusion: "success", DetailsURL: w.runPage(w.run.ID),
		Title:   fmt.Sprintf("Run %d: %s, %d turns, %s", w.run.ID, files, wr.turns, cost),
		Summary: secrets.Scrub(checkSummary(w.req.issueNumber, w.req.issue.Title, w.req.trigger, files, wr, cost, decisions)),
	}
}

// checkSummary is the check run's summary, in markdown.
func checkSummary(issue int, title, trigger, files string, wr written, cost string, decisions []store.Decision) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Task:** #%d %s (%s)\n\n", issue, oneLine(title), trigger)
	fmt.Fprintf(&b, "**Files changed:** %s  \n**Turns:** %d  \n**Tokens:** %d  \n**Cost:** %s\n\n", strings.TrimSuffix(files, " changed"), wr.turns, wr.tokens, cost)
	if len(decisions) == 0 {
		return b.String()
	}
	b.WriteString("**Policy decisions**\n\n| | Rule | Reason |\n|---|---|---|\n")
	for _, d := range decisions {
		mark := "denied"
		if d.Allow {
			mark = "allowed"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", mark, d.Rule, strings.ReplaceAll(oneLine(d.Reason), "|", "\\|"))
	}
	return b.String()
}
