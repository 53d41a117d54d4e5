package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/runner"
	"github.com/lifeos/lifeos/server"
	"github.com/lifeos/lifeos/store"
)

// runCommand runs `lifeos run --repo OWNER/NAME --issue N [--dry-run]`:
// the agent once on an issue, from a terminal, with the App's settings as
// serve reads them. Progress goes to stderr as readable log lines; the
// commit's diff and the outcome to stdout. A dry run holds back every
// write to GitHub, printing it instead, and records its run in a
// throwaway database rather than the configured one.
func runCommand(c *cli, args []string) int {
	f := newFlags("run", 0)
	repo := f.String("repo", "", "the repository, OWNER/NAME (the App must be installed on it)")
	issue := f.Int("issue", 0, "the issue's number")
	dry := f.Bool("dry-run", false, "push nothing: print each write to GitHub instead (the model is still called, and paid for)")
	if _, code, ok := f.parse(c, args); !ok {
		return code
	}
	owner, name, ok := strings.Cut(*repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") || *issue <= 0 {
		return f.fail(c, "--repo OWNER/NAME and --issue N are required")
	}
	cfg, err := config.Load(c.getenv)
	if err != nil {
		fmt.Fprintf(c.stderr, "lifeos: %v\n", err)
		return 2
	}
	cfg.Version, _ = server.Version(version)
	cfg.LogFormat = config.LogConsole
	if *dry {
		dir, err := os.MkdirTemp("", "lifeos-dry-run-")
		if err != nil {
			fmt.Fprintf(c.stderr, "lifeos: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		cfg.DatabaseURL, cfg.DataDir = "", dir
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logOut := server.NewLogWriter(c.stderr, server.LogSecrets(cfg)...)
	defer logOut.Close()
	return terminalRun(ctx, c, cfg, server.NewLogger(logOut, cfg), owner, name, *issue, *dry)
}

// terminalRun works the run and reports it.
func terminalRun(ctx context.Context, c *cli, cfg *config.Config, log zerolog.Logger, owner, name string, issue int, dry bool) int {
	var held *runner.DryRun
	wrap := func(g runner.GitHub) runner.GitHub { return &runner.Showing{GitHub: g, Out: c.stdout} }
	if dry {
		wrap = func(g runner.GitHub) runner.GitHub {
			held = &runner.DryRun{Real: g, Out: c.stdout}
			return held
		}
	}
	o, err := server.NewOneOff(ctx, cfg, log, owner, name, wrap)
	if err != nil {
		fmt.Fprintf(c.stderr, "lifeos run: %v\n", err)
		return 1
	}
	defer o.Close()
	run, err := o.Runner.RunIssue(log.WithContext(ctx), o.Repo, issue)
	if run == nil {
		fmt.Fprintf(c.stderr, "lifeos run: %v\n", err)
		return 1
	}
	fmt.Fprintf(c.stdout, "run %d on %s#%d ended %s after %d turns and %d tokens", run.ID, o.Repo.FullName(), issue, run.Status, run.Turns, run.TotalTokens)
	switch {
	case dry:
		fmt.Fprintf(c.stdout, "; dry run: %d writes to GitHub held back, nothing pushed\n", held.Writes())
	case run.PRNumber != 0:
		fmt.Fprintf(c.stdout, ": pull request #%d, commit %s\n", run.PRNumber, run.CommitSHA)
	default:
		fmt.Fprintln(c.stdout)
	}
	if run.Error != "" {
		fmt.Fprintf(c.stdout, "why: %s\n", run.Error)
	}
	if run.Status != store.StatusSucceeded && run.Status != store.StatusNoChange && run.Status != store.StatusPlanned {
		return 1
	}
	return 0
}
