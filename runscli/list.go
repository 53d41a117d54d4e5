package runscli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// statuses are the run statuses --status accepts.
var statuses = []string{"queued", store.StatusRunning, store.StatusSucceeded, store.StatusNoChange,
	store.StatusFailed, store.StatusDenied, store.StatusPlanned}

// RunLine is one run as `lifeos runs --json` and `lifeos runs export` print
// it. Cost is in US dollars as a decimal string, exact.
type RunLine struct {
	ID               int64      `json:"id"`
	Repo             string     `json:"repo"`
	Issue            int        `json:"issue"`
	Trigger          string     `json:"trigger"`
	Actor            string     `json:"actor"`
	Status           string     `json:"status"`
	Model            string     `json:"model"`
	Turns            int        `json:"turns"`
	PromptTokens     int64      `json:"prompt_tokens"`
	CompletionTokens int64      `json:"completion_tokens"`
	TotalTokens      int64      `json:"total_tokens"`
	CostMicros       int64      `json:"cost_micros"`
	Cost             string     `json:"cost_usd"`
	Branch           string     `json:"branch,omitempty"`
	Commit           string     `json:"commit,omitempty"`
	PR               int        `json:"pr,omitempty"`
	Error            string     `json:"error,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	FinishedAt       *time.Time `json:"finished_at,omitempty"`
}

func runLine(r store.RunCostRow) RunLine {
	return RunLine{ID: r.ID, Repo: r.Repo, Issue: r.IssueNumber, Trigger: r.Trigger, Actor: r.Actor,
		Status: r.Status, Model: r.Model, Turns: r.Turns, PromptTokens: r.PromptTokens,
		CompletionTokens: r.CompletionTokens, TotalTokens: r.TotalTokens, CostMicros: r.CostMicros,
		Cost: policy.Money(r.CostMicros).Decimal(), Branch: r.Branch, Commit: r.CommitSHA, PR: r.PRNumber,
		Error: r.Error, CreatedAt: r.CreatedAt.UTC(), FinishedAt: utc(r.FinishedAt)}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// list runs `lifeos runs [--repo R] [--status S] [--limit N] [--json]`.
func (c Command) list(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("runs", flag.ContinueOnError)
	repo := fs.String("repo", "", "only runs on this repository (owner/name)")
	status := fs.String("status", "", "only runs with this status")
	limit := fs.Int("limit", DefaultLimit, "how many runs, newest first")
	asJSON := fs.Bool("json", false, "print JSON lines")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return badInput("unexpected argument %q (commands: show, export)\n%s", rest[0], Usage)
	}
	if *repo != "" && strings.Count(*repo, "/") != 1 {
		return badInput("--repo %q: want owner/name", *repo)
	}
	if *status != "" && !known(*status) {
		return badInput("--status %q: want one of %s", *status, strings.Join(statuses, ", "))
	}
	if *limit < 1 {
		return badInput("--limit %d: want a number of runs, 1 or more", *limit)
	}
	return c.withStore(ctx, func(s *store.Store) error {
		rows, err := s.RunList(ctx, store.RunFilter{Repo: *repo, Status: *status, Limit: *limit})
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSONLines(rows)
		}
		return c.printTable(rows)
	})
}

func known(status string) bool {
	for _, s := range statuses {
		if s == status {
			return true
		}
	}
	return false
}

func (c Command) printJSONLines(rows []store.RunCostRow) error {
	enc := json.NewEncoder(c.Stdout)
	for _, r := range rows {
		if err := enc.Encode(runLine(r)); err != nil {
			return fmt.Errorf("write run %d: %w", r.ID, err)
		}
	}
	return nil
}

// printTable prints one aligned line per run, under a header.
func (c Command) printTable(rows []store.RunCostRow) error {
	if len(rows) == 0 {
		fmt.Fprintln(c.Stdout, "No runs.")
		return nil
	}
	tw := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tISSUE\tTRIGGER\tSTATUS\tTURNS\tTOKENS\tCOST\tPR\tAGE")
	now := c.Now()
	for _, r := range rows {
		pr := "-"
		if r.PRNumber > 0 {
			pr = fmt.Sprintf("#%d", r.PRNumber)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r.ID, subject(r.Repo, r.IssueNumber, r.Branch),
			cleanText(r.Trigger+" by "+r.Actor), r.Status, r.Turns, r.TotalTokens, policy.Money(r.CostMicros), pr,
			age(now.Sub(r.CreatedAt)))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write runs: %w", err)
	}
	return nil
}

// age renders a duration the way a table of recent runs wants it: "40s",
// "12m", "5h", "3d".
func age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	default:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
}

// subject is what a run was about, as the tables show it: "octo/app#7",
// or for a schedule's run (names.ScheduleSubject) its branch.
func subject(repo string, issue int, branch string) string {
	if names.IsScheduleSubject(issue) {
		return cleanText(repo + " " + branch)
	}
	return fmt.Sprintf("%s#%d", cleanText(repo), issue)
}
