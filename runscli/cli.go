// Package runscli is the operator's view of runs, read from the local
// database: `lifeos runs` lists them, `lifeos runs show ID` tells one run's
// story (its decisions, model calls, files, PR and transcript), and
// `lifeos runs export` writes runs as JSON lines for audit. It only reads.
package runscli

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lifeos/lifeos/store"
)

// Usage is the help of the runs commands.
const Usage = `Usage:
  lifeos runs [--repo OWNER/NAME] [--status STATUS] [--limit N] [--json]
  lifeos runs show ID [--transcript]
  lifeos runs export --since YYYY-MM-DD [--until YYYY-MM-DD]
`

// DefaultLimit is how many runs `lifeos runs` lists unless --limit says:
// a screenful.
const DefaultLimit = 20

// Command runs the runs commands against the store Open returns.
type Command struct {
	// Open opens the store to read, and returns how to close it.
	Open func(ctx context.Context) (*store.Store, func() error, error)
	// Now is the clock ages are measured against.
	Now            func() time.Time
	Stdout, Stderr io.Writer
}

// usageError is bad input: a flag, an argument or a run that is not there.
// It exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func badInput(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// Run runs `lifeos runs` with args (what follows "runs") and returns the
// exit code: 0 done, 1 the database could not be read, 2 bad input.
func (c Command) Run(ctx context.Context, args []string) int {
	err := c.dispatch(ctx, args)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(c.Stdout, Usage)
		return 0
	}
	fmt.Fprintf(c.Stderr, "lifeos: runs: %v\n", err)
	var ue *usageError
	switch {
	case errors.As(err, &ue), errors.Is(err, store.ErrNoDatabase):
		return 2
	default:
		return 1
	}
}

func (c Command) dispatch(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "show":
			return c.show(ctx, args[1:])
		case "export":
			return c.export(ctx, args[1:])
		case "help":
			fmt.Fprint(c.Stdout, Usage)
			return nil
		}
	}
	return c.list(ctx, args)
}

// withStore opens the store, hands it to f and closes it.
func (c Command) withStore(ctx context.Context, f func(*store.Store) error) error {
	s, closeStore, err := c.Open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	return f(s)
}

// parse parses args with fs, flags and arguments in any order, and returns
// the arguments. A flag error is bad input.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, flag.ErrHelp
			}
			return nil, badInput("%v\n%s", err, Usage)
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// getRun returns the run with id, or bad input naming it when there is none.
func getRun(ctx context.Context, s *store.Store, id int64) (*store.Run, error) {
	r, err := s.Run(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, badInput("no run %d in this database (lifeos runs lists them)", id)
	}
	return r, err
}

// cleanText replaces control characters, other than newlines and tabs,
// so that text the model or an issue wrote cannot move the terminal's
// cursor or change its colours.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return '\uFFFD'
		}
		return r
	}, s)
}
