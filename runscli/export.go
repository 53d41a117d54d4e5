package runscli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// dateLayout is how --since and --until are written.
const dateLayout = "2006-01-02"

// ExportLine is one run as `lifeos runs export` writes it: the run, its
// decisions, its model calls with their costs and the files it changed.
type ExportLine struct {
	RunLine
	Summary   string           `json:"summary,omitempty"`
	Decisions []ExportDecision `json:"decisions"`
	Calls     []ExportCall     `json:"calls"`
	Changes   []ExportChange   `json:"changes"`
}

// ExportDecision is one policy decision of an exported run.
type ExportDecision struct {
	Seq    int       `json:"seq"`
	Allow  bool      `json:"allow"`
	Rule   string    `json:"rule"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// ExportCall is one model call of an exported run, with what it cost.
type ExportCall struct {
	Seq              int       `json:"seq"`
	Model            string    `json:"model"`
	PromptTokens     int64     `json:"prompt_tokens"`
	CompletionTokens int64     `json:"completion_tokens"`
	TotalTokens      int64     `json:"total_tokens"`
	CostMicros       int64     `json:"cost_micros"`
	Cost             string    `json:"cost_usd"`
	At               time.Time `json:"at"`
}

// ExportChange is one file an exported run changed; Bytes is -1 when the
// size was not recorded.
type ExportChange struct {
	Path    string `json:"path"`
	Deleted bool   `json:"deleted"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Bytes   int    `json:"bytes"`
}

// export runs `lifeos runs export --since DATE [--until DATE]`: the runs
// created from the start of since to the end of until (UTC), oldest first.
func (c Command) export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("runs export", flag.ContinueOnError)
	sinceArg := fs.String("since", "", "first day, YYYY-MM-DD (UTC), required")
	untilArg := fs.String("until", "", "last day, YYYY-MM-DD (UTC), included; default: no end")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return badInput("runs export takes no arguments, got %q\n%s", rest[0], Usage)
	}
	f, err := exportWindow(*sinceArg, *untilArg)
	if err != nil {
		return err
	}
	return c.withStore(ctx, func(s *store.Store) error {
		rows, err := s.RunList(ctx, f)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(c.Stdout)
		for i := len(rows) - 1; i >= 0; i-- {
			line, err := exportLine(ctx, s, rows[i])
			if err != nil {
				return err
			}
			if err := enc.Encode(line); err != nil {
				return fmt.Errorf("write run %d: %w", rows[i].ID, err)
			}
		}
		return nil
	})
}

// exportWindow turns --since and --until into a filter; a date that is not
// YYYY-MM-DD, or an until before since, is bad input.
func exportWindow(sinceArg, untilArg string) (store.RunFilter, error) {
	if sinceArg == "" {
		return store.RunFilter{}, badInput("runs export needs --since YYYY-MM-DD\n%s", Usage)
	}
	since, err := time.Parse(dateLayout, sinceArg)
	if err != nil {
		return store.RunFilter{}, badInput("--since %q: want a date as YYYY-MM-DD", sinceArg)
	}
	f := store.RunFilter{Since: since}
	if untilArg != "" {
		until, err := time.Parse(dateLayout, untilArg)
		if err != nil {
			return store.RunFilter{}, badInput("--until %q: want a date as YYYY-MM-DD", untilArg)
		}
		if until.Before(since) {
			return store.RunFilter{}, badInput("--until %s is before --since %s", untilArg, sinceArg)
		}
		f.Until = until.AddDate(0, 0, 1)
	}
	return f, nil
}

// exportLine reads one run's decisions, calls and changes into its line.
func exportLine(ctx context.Context, s *store.Store, row store.RunCostRow) (ExportLine, error) {
	d, err := loadDetails(ctx, s, row.Run)
	if err != nil {
		return ExportLine{}, err
	}
	line := ExportLine{RunLine: runLine(row), Summary: row.Summary,
		Decisions: []ExportDecision{}, Calls: []ExportCall{}, Changes: []ExportChange{}}
	for _, dec := range d.decisions {
		line.Decisions = append(line.Decisions, ExportDecision{Seq: dec.Seq, Allow: dec.Allow, Rule: dec.Rule,
			Reason: dec.Reason, At: dec.CreatedAt.UTC()})
	}
	for _, call := range d.calls {
		line.Calls = append(line.Calls, ExportCall{Seq: call.Seq, Model: call.Model, PromptTokens: call.PromptTokens,
			CompletionTokens: call.CompletionTokens, TotalTokens: call.TotalTokens, CostMicros: call.CostMicros,
			Cost: policy.Money(call.CostMicros).Decimal(), At: call.CreatedAt.UTC()})
	}
	for _, ch := range d.changes {
		line.Changes = append(line.Changes, ExportChange{Path: ch.Path, Deleted: ch.Deleted, Added: ch.Added,
			Removed: ch.Removed, Bytes: ch.Bytes})
	}
	return line, nil
}
