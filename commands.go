package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/recipes"
	"github.com/lifeos/lifeos/runscli"
	"github.com/lifeos/lifeos/server"
	"github.com/lifeos/lifeos/store"
)

// helpCommand runs `lifeos help`: the commands, then every setting with its
// default from config.Settings (which a test holds to README's table).
func helpCommand(c *cli, args []string) int {
	if _, code, ok := newFlags("help", 0).parse(c, args); !ok {
		return code
	}
	writeUsage(c.stdout)
	fmt.Fprint(c.stdout, "\nSettings (environment variables; README.md's settings table says more):\n")
	tw := tabwriter.NewWriter(c.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  VARIABLE\tDEFAULT\tMEANING")
	for _, s := range config.Settings() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Name, s.Default, s.Summary)
	}
	tw.Flush()
	return 0
}

// versionCommand runs `lifeos version`.
func versionCommand(c *cli, args []string) int {
	if _, code, ok := newFlags("version", 0).parse(c, args); !ok {
		return code
	}
	_, desc := server.Version(version)
	fmt.Fprint(c.stdout, desc)
	return 0
}

// healthcheckTimeout bounds `lifeos healthcheck`; container runtimes kill
// a check that outlives their own timeout (Docker's default is 30s).
const healthcheckTimeout = 5 * time.Second

// healthcheckCommand runs `lifeos healthcheck`: GET /api/health on this
// machine's PORT, exit 0 on 200 and 1 otherwise, for a HEALTHCHECK in an
// image without curl.
func healthcheckCommand(c *cli, args []string) int {
	if _, code, ok := newFlags("healthcheck", 0).parse(c, args); !ok {
		return code
	}
	port, err := config.LoadPort(c.getenv)
	if err != nil {
		fmt.Fprintf(c.stderr, "lifeos: %v\n", err)
		return 2
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/api/health", port)
	resp, err := (&http.Client{Timeout: healthcheckTimeout}).Get(url)
	if err != nil {
		fmt.Fprintf(c.stderr, "lifeos healthcheck: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(c.stderr, "lifeos healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	return 0
}

// policyCommand runs `lifeos policy check [file]`: it exits 0 and prints the
// effective policy, or exits 1 and prints each problem as file:line:col,
// the problems of the file and those that would make the server refuse
// every run under it (see policy.Refusals). With no file and no
// .github/lifeos.yml, it prints the defaults under the server's ceilings.
func policyCommand(c *cli, args []string) int {
	f := newFlags("policy", 2)
	rest, code, ok := f.parse(c, args)
	if !ok {
		return code
	}
	if len(rest) == 0 || rest[0] != "check" {
		return f.fail(c, "the one subcommand is check")
	}
	path, data, err := policyFile(rest[1:])
	if err != nil {
		fmt.Fprintf(c.stderr, "lifeos: %v\n", err)
		return 2
	}
	ceilings, err := config.LoadCeilings(c.getenv)
	if err != nil {
		fmt.Fprintf(c.stderr, "lifeos: %v\n", err)
		return 2
	}
	prices, err := config.LoadPrices(c.getenv)
	if err != nil {
		fmt.Fprintf(c.stderr, "lifeos: %v\n", err)
		return 2
	}
	out, ok := policy.CheckCommand(path, data, ceilings, prices, recipes.Known(recipesBeside(path)))
	if !ok {
		fmt.Fprint(c.stderr, out)
		return 1
	}
	fmt.Fprint(c.stdout, out)
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

// policyFile reads the named policy file, or .github/lifeos.yml when none
// is named; when that does not exist either, the policy is the defaults
// (an empty file).
func policyFile(args []string) (string, []byte, error) {
	if len(args) == 1 {
		data, err := os.ReadFile(args[0])
		return args[0], data, err
	}
	data, err := os.ReadFile(policy.FilePath)
	if os.IsNotExist(err) {
		return policy.FilePath, nil, nil
	}
	return policy.FilePath, data, err
}

// runsCommand runs `lifeos runs ...` (see runscli) on the database the
// settings name, opened read-only; it needs none of the App's settings.
func runsCommand(c *cli, args []string) int {
	dbc, err := config.LoadDatabase(c.getenv)
	if err != nil {
		fmt.Fprintf(c.stderr, "lifeos: %v\n", err)
		return 2
	}
	open := func(ctx context.Context) (*store.Store, func() error, error) {
		db, err := store.OpenReadOnly(ctx, dbc.URL, dbc.DataDir)
		if err != nil {
			return nil, nil, err
		}
		return store.New(db, nil), db.Close, nil
	}
	cmd := runscli.Command{Open: open, Now: time.Now, Stdout: c.stdout, Stderr: c.stderr}
	return cmd.Run(context.Background(), args)
}
