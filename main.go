// Command lifeos is a self-hosted GitHub App that turns a labelled issue into
// a reviewed pull request. Run `lifeos serve` (the default) to start it,
// `lifeos demo` to watch it work with no credentials, `lifeos help` for the
// rest.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// cli is what every command is given: the environment (read only through
// package config) and where to print.
type cli struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

// command is one `lifeos` command. Its run gets the arguments after its
// name and returns the exit code: 0 done, 1 failed, 2 bad input (with the
// usage on stderr).
type command struct {
	name     string
	synopsis string // the arguments, for the usage line; one line per form
	summary  string // what it does, for `lifeos help` and its --help
	run      func(c *cli, args []string) int
}

// commands are the `lifeos` commands, in the order help lists them.
func commands() []command {
	return []command{
		{"serve", "", "run the GitHub App server (the default); configured by environment variables (lifeos help lists them)", serveCommand},
		{"demo", "[--once] [--addr ADDR] [--data-dir DIR]", "watch a labelled issue become a pull request: the real server against local doubles of GitHub and the model; no credentials, no network", demoCommand},
		{"run", "--repo OWNER/NAME --issue N [--dry-run]", "run the agent once on an issue from a terminal, with the App's settings as serve reads them; prints progress and the diff (--dry-run: pushes nothing, prints what it would have written)", runCommand},
		{"policy", "check [FILE]", "validate a policy file (default .github/lifeos.yml; none: the defaults) and print the effective policy under the server's ceilings", policyCommand},
		{"runs", "[--repo OWNER/NAME] [--status STATUS] [--limit N] [--json]\nshow ID [--transcript]\nexport --since YYYY-MM-DD [--until YYYY-MM-DD]",
			"the runs in the configured database (DATABASE_URL or LIFEOS_DATA_DIR; no App settings needed), read-only: a list, one run with its decisions, calls and transcript, or JSON lines for audit", runsCommand},
		{"healthcheck", "", "GET /api/health on the configured PORT of this machine: exit 0 if healthy, 1 if not (for a container HEALTHCHECK)", healthcheckCommand},
		{"version", "", "print the version, the VCS revision and the Go version", versionCommand},
		{"help", "", "print this help and every setting with its default", helpCommand},
	}
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c := &cli{getenv: getenv, stdout: stdout, stderr: stderr}
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	case "-v", "-version", "--version":
		name = "version"
	}
	for _, cmd := range commands() {
		if cmd.name == name {
			return cmd.run(c, args)
		}
	}
	fmt.Fprintf(stderr, "lifeos: unknown command %q\n\n", name)
	writeUsage(stderr)
	return 2
}

// writeUsage writes the list of commands.
func writeUsage(w io.Writer) {
	fmt.Fprint(w, "Usage: lifeos COMMAND [flags]\n\nCommands:\n")
	for _, cmd := range commands() {
		for _, form := range cmd.forms() {
			fmt.Fprintf(w, "  %s\n", form)
		}
		fmt.Fprintf(w, "      %s\n", cmd.summary)
	}
	fmt.Fprint(w, "\nRun lifeos COMMAND --help for a command's flags.\n")
}

// forms are the command's usage lines, without "lifeos ".
func (cmd command) forms() []string {
	var out []string
	for _, s := range strings.Split(cmd.synopsis, "\n") {
		out = append(out, strings.TrimSpace(cmd.name+" "+s))
	}
	return out
}
