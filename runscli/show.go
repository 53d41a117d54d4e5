package runscli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// FoldWidth is how many characters of a long value the transcript summary
// keeps: enough to recognise a message or a tool call on one line.
const FoldWidth = 100

// details is everything `lifeos runs show` and `lifeos runs export` tell
// about one run.
type details struct {
	run       *store.Run
	cost      int64
	decisions []store.Decision
	calls     []store.CallCost
	changes   []store.FileChange
}

// loadDetails reads a run's decisions, calls with their costs and changes.
func loadDetails(ctx context.Context, s *store.Store, r *store.Run) (*details, error) {
	d := &details{run: r}
	var err error
	if d.decisions, err = s.Decisions(ctx, r.ID); err != nil {
		return nil, err
	}
	if d.calls, err = s.CallCosts(ctx, r.ID); err != nil {
		return nil, err
	}
	if d.changes, err = s.RunChanges(ctx, r.ID); err != nil {
		return nil, err
	}
	if d.cost, err = s.RunCost(ctx, r.ID); err != nil {
		return nil, err
	}
	return d, nil
}

// show runs `lifeos runs show ID [--transcript]`.
func (c Command) show(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("runs show", flag.ContinueOnError)
	whole := fs.Bool("transcript", false, "print the transcript whole")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return badInput("runs show takes one run id\n%s", Usage)
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || id < 1 {
		return badInput("run id %q: want a number, as lifeos runs lists", rest[0])
	}
	return c.withStore(ctx, func(s *store.Store) error {
		r, err := getRun(ctx, s, id)
		if err != nil {
			return err
		}
		d, err := loadDetails(ctx, s, r)
		if err != nil {
			return err
		}
		c.printDetails(d)
		printTranscript(c.Stdout, r.Transcript, *whole)
		return nil
	})
}

// printDetails prints the run's record, decisions, calls and files.
func (c Command) printDetails(d *details) {
	r, w := d.run, c.Stdout
	fmt.Fprintf(w, "Run %d: %s, %s\n", r.ID, subject(r.Repo, r.IssueNumber, r.Branch), r.Status)
	fmt.Fprintf(w, "Trigger:  %s by %s\n", cleanText(r.Trigger), cleanText(r.Actor))
	fmt.Fprintf(w, "Created:  %s (%s ago)\n", r.CreatedAt.UTC().Format(time.RFC3339), age(c.Now().Sub(r.CreatedAt)))
	if r.FinishedAt != nil {
		fmt.Fprintf(w, "Finished: %s\n", r.FinishedAt.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(w, "Model:    %s, %d turns, %d tokens (%d prompt, %d completion), %s\n", orDash(r.Model), r.Turns,
		r.TotalTokens, r.PromptTokens, r.CompletionTokens, policy.Money(d.cost))
	fmt.Fprintf(w, "Branch:   %s\nCommit:   %s\n", orDash(r.Branch), orDash(r.CommitSHA))
	if r.PRNumber > 0 {
		fmt.Fprintf(w, "PR:       #%d\n", r.PRNumber)
	} else {
		fmt.Fprintln(w, "PR:       -")
	}
	if r.Error != "" {
		fmt.Fprintf(w, "Error:    %s\n", cleanText(r.Error))
	}
	if r.Summary != "" {
		fmt.Fprintf(w, "Summary:  %s\n", fold(r.Summary, 4*FoldWidth))
	}
	fmt.Fprintf(w, "\nDecisions (%d):\n", len(d.decisions))
	for _, dec := range d.decisions {
		verdict := "allow"
		if !dec.Allow {
			verdict = "deny "
		}
		fmt.Fprintf(w, "  %2d %s %s: %s\n", dec.Seq, verdict, cleanText(dec.Rule), cleanText(dec.Reason))
	}
	fmt.Fprintf(w, "\nModel calls (%d):\n", len(d.calls))
	for _, call := range d.calls {
		fmt.Fprintf(w, "  %2d %s: %d prompt + %d completion = %d tokens, %s\n", call.Seq, cleanText(call.Model),
			call.PromptTokens, call.CompletionTokens, call.TotalTokens, policy.Money(call.CostMicros))
	}
	fmt.Fprintf(w, "\nFiles changed (%d):\n", len(d.changes))
	for _, ch := range d.changes {
		fmt.Fprintf(w, "  %s\n", changeLine(ch))
	}
}

func changeLine(ch store.FileChange) string {
	if ch.Deleted {
		return cleanText(ch.Path) + " (deleted)"
	}
	size := "size unknown"
	if ch.Bytes >= 0 {
		size = fmt.Sprintf("%d bytes", ch.Bytes)
	}
	return fmt.Sprintf("%s +%d -%d, %s", cleanText(ch.Path), ch.Added, ch.Removed, size)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return cleanText(s)
}

// printTranscript prints a stored transcript (a JSON array of agent
// entries): one folded line per entry, or with whole every entry in full.
// A transcript that is not such an array is printed as stored.
func printTranscript(w io.Writer, stored string, whole bool) {
	if stored == "" {
		fmt.Fprintln(w, "\nTranscript: none recorded")
		return
	}
	var entries []agent.Entry
	if err := json.Unmarshal([]byte(stored), &entries); err != nil {
		fmt.Fprintf(w, "\nTranscript (not in the agent's format, as stored):\n%s\n", cleanText(stored))
		return
	}
	turns := 0
	for _, e := range entries {
		turns = max(turns, e.Turn)
	}
	if !whole {
		fmt.Fprintf(w, "\nTranscript (%d entries, %d turns; --transcript prints it whole):\n", len(entries), turns)
		for _, e := range entries {
			fmt.Fprintf(w, "  %s\n", entryLine(e))
		}
		return
	}
	fmt.Fprintf(w, "\nTranscript (%d entries, %d turns):\n", len(entries), turns)
	for _, e := range entries {
		fmt.Fprintf(w, "\n--- turn %d, %s%s\n", e.Turn, e.Role, toolName(e))
		if e.Content != "" {
			fmt.Fprintln(w, cleanText(e.Content))
		}
		if e.Tool != "" {
			fmt.Fprintf(w, "args: %s\nresult: %s\n", cleanText(e.Args), cleanText(e.Result))
		}
	}
}

func toolName(e agent.Entry) string {
	if e.Tool == "" {
		return ""
	}
	return ": " + cleanText(e.Tool)
}

// entryLine is one transcript entry on one line, long values folded.
func entryLine(e agent.Entry) string {
	head := fmt.Sprintf("turn %d %s", e.Turn, e.Role)
	if e.Tool != "" {
		return fmt.Sprintf("%s: %s(%s) -> %s", head, cleanText(e.Tool), fold(e.Args, FoldWidth), fold(e.Result, FoldWidth))
	}
	return head + ": " + fold(e.Content, FoldWidth)
}

// fold puts s on one line and keeps its first n characters, saying how
// many it left out.
func fold(s string, n int) string {
	s = strings.Join(strings.Fields(cleanText(s)), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return fmt.Sprintf("%s… (%d more characters)", string(r[:n]), len(r)-n)
}
