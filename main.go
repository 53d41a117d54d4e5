// Command lifeos is a self-hosted GitHub App that turns a labelled issue into
// a reviewed pull request. Run `lifeos serve` (the default) to start it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/recipes"
	"github.com/lifeos/lifeos/runner"
	"github.com/lifeos/lifeos/runscli"
	"github.com/lifeos/lifeos/server"
	"github.com/lifeos/lifeos/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(getenv, stderr)
	case "policy":
		return policyCommand(args, getenv, stdout, stderr)
	case "runs":
		return runsCommand(args, getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, buildVersion())
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "lifeos: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

const usage = `Usage: lifeos [command]

Commands:
  serve                 run the GitHub App server (the default); configured by environment variables, see README.md
  policy check [file]   validate a policy file (default .github/lifeos.yml) and print the effective
                        policy with the server's ceilings (LIFEOS_* variables) applied; fails if
                        no run could start under it (a trigger label the server never acts on, or
                        a model without a price in LIFEOS_PRICES)
  runs                  list the newest runs from the configured database (DATABASE_URL or
                        LIFEOS_DATA_DIR, as serve reads them; no App settings needed); read-only.
                        Flags: --repo OWNER/NAME, --status STATUS, --limit N, --json (JSON lines)
  runs show ID          one run: trigger, decisions with reasons, model calls and costs, files,
                        commit, PR, outcome, and the transcript summarised (--transcript: whole)
  runs export --since YYYY-MM-DD [--until YYYY-MM-DD]
                        runs created in those days (UTC), as JSON lines for audit
  version               print the version
`

func serve(getenv func(string) string, stderr io.Writer) int {
	cfg, err := config.Load(getenv)
	unregistered := errors.Is(err, config.ErrNoApp)
	if err != nil && !unregistered {
		fmt.Fprintf(stderr, "lifeos: %v\n", err)
		return 2
	}
	cfg.Version = buildVersion()
	setMemoryLimit(cfg.MemoryLimit)
	logOut := server.NewLogWriter(stderr, server.LogSecrets(cfg)...)
	defer func() { logOut.Close() }()
	log := server.NewLogger(logOut, cfg)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		log.Error().Err(err).Msg("Listen failed")
		return 1
	}
	if unregistered {
		setupOut := logOut
		if cfg, logOut, log, err = registerFirst(ctx, cfg, getenv, ln, log, stderr); err != nil {
			logOut = setupOut
			if errors.Is(err, context.Canceled) {
				return 0 // stopped before an App was registered
			}
			log.Error().Err(err).Msg("Set-up failed")
			return 1
		}
		setupOut.Close()
	}
	srv, err := server.New(ctx, cfg, log, server.Options{
		Leases:        runner.LeaseTimes{Renew: cfg.LeaseRenew, TTL: cfg.LeaseTTL},
		SweepInterval: cfg.SweepInterval,
	})
	if err != nil {
		ln.Close()
		log.Error().Err(err).Msg("Start-up failed")
		return 1
	}
	if err := srv.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		log.Error().Err(err).Msg("Server stopped with an error")
		return 1
	}
	return 0
}

// DefaultMemoryLimit is the Go heap's soft limit when GOMEMLIMIT is unset:
// sized for the smallest Fly machine (256 MB) with ten runs on 10 MB
// repositories. Without it the heap may grow to twice what is live before
// the collector runs. Set GOMEMLIMIT (e.g. 1GiB) for more workers or
// larger repositories; the limit is soft, so exceeding it costs CPU, not a
// crash.
const DefaultMemoryLimit = 160 << 20

func setMemoryLimit(gomemlimit string) {
	if gomemlimit == "" {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// policyCommand runs `lifeos policy check [file]`: it exits 0 and prints the
// effective policy, or exits 1 and prints each problem with its line, the
// problems of the file and those that would make the server refuse every
// run under it (see policy.Refusals).
func policyCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" || len(args) > 2 {
		fmt.Fprintf(stderr, "lifeos: usage: lifeos policy check [file]\n")
		return 2
	}
	path := policy.FilePath
	if len(args) == 2 {
		path = args[1]
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "lifeos: %v\n", err)
		return 2
	}
	ceilings, err := config.LoadCeilings(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "lifeos: %v\n", err)
		return 2
	}
	prices, err := config.LoadPrices(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "lifeos: %v\n", err)
		return 2
	}
	out, ok := policy.CheckCommand(data, ceilings, prices, recipes.Known(recipesBeside(path)))
	if !ok {
		fmt.Fprintf(stderr, "%s: ", path)
		fmt.Fprint(stderr, out)
		return 1
	}
	fmt.Fprint(stdout, out)
	return 0
}

// recipesBeside reads the repository recipes next to a policy file at
// DIR/.github/lifeos.yml: DIR/.github/lifeos/recipes/<name>.md.
func recipesBeside(policyPath string) recipes.Files {
	root := filepath.Dir(filepath.Dir(policyPath))
	return func(p string) ([]byte, bool) {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		return data, err == nil
	}
}

// runsCommand runs `lifeos runs ...` (see runscli) on the database the
// settings name, opened read-only; it needs none of the App's settings.
func runsCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	dbc, err := config.LoadDatabase(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "lifeos: %v\n", err)
		return 2
	}
	open := func(ctx context.Context) (*store.Store, func() error, error) {
		db, err := store.OpenReadOnly(ctx, dbc.URL, dbc.DataDir)
		if err != nil {
			return nil, nil, err
		}
		return store.New(db, nil), db.Close, nil
	}
	cmd := runscli.Command{Open: open, Now: time.Now, Stdout: stdout, Stderr: stderr}
	return cmd.Run(context.Background(), args)
}
