package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
)

// flags is one command's flag set and how it explains itself.
type flags struct {
	*flag.FlagSet
	cmd     command
	maxArgs int // the most arguments the command takes after its flags
}

// newFlags makes the flag set of the named command, taking at most
// maxArgs arguments.
func newFlags(name string, maxArgs int) *flags {
	fs := flag.NewFlagSet("lifeos "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, cmd := range commands() {
		if cmd.name == name {
			return &flags{FlagSet: fs, cmd: cmd, maxArgs: maxArgs}
		}
	}
	panic("no command " + name)
}

// parse parses args. It returns the arguments and ok; when not ok, code is
// the exit code: 0 for --help (the usage on stdout), 2 for a flag it does
// not know or an argument too many (the error and the usage on stderr).
func (f *flags) parse(c *cli, args []string) (rest []string, code int, ok bool) {
	err := f.Parse(args)
	if err == nil && slices.ContainsFunc(f.Args(), isHelp) {
		err = flag.ErrHelp
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.usage(c.stdout)
		return nil, 0, false
	case err != nil:
		return nil, f.fail(c, "%v", err), false
	case len(f.Args()) > f.maxArgs:
		return nil, f.fail(c, "unexpected argument %q", f.Args()[f.maxArgs]), false
	}
	return f.Args(), 0, true
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// fail reports bad input with the usage on stderr and returns 2.
func (f *flags) fail(c *cli, format string, args ...any) int {
	fmt.Fprintf(c.stderr, "lifeos %s: %s\n\n", f.cmd.name, fmt.Sprintf(format, args...))
	f.usage(c.stderr)
	return 2
}

// usage writes the command's usage line, summary and flags.
func (f *flags) usage(w io.Writer) {
	fmt.Fprint(w, "Usage:\n")
	for _, form := range f.cmd.forms() {
		fmt.Fprintf(w, "  lifeos %s\n", form)
	}
	fmt.Fprintf(w, "\n%s\n", f.cmd.summary)
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		f.SetOutput(w)
		f.PrintDefaults()
		f.SetOutput(io.Discard)
	}
}
