package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/config"
)

// TestCLIManners: --help prints help and starts nothing, unknown flags and
// extra arguments are errors with the usage on stderr, and each command
// exits as documented.
func TestCLIManners(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	if err := os.WriteFile(good, []byte("limits:\n  max_turns: 10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring of stdout ("" for none expected)
		stderr string // a substring of stderr
	}{
		{"serve --help starts nothing", []string{"serve", "--help"}, 0, "Usage:\n  lifeos serve\n", ""},
		{"serve -h", []string{"serve", "-h"}, 0, "lifeos help lists them", ""},
		{"serve with an unknown flag", []string{"serve", "--port", "9"}, 2, "", "flag provided but not defined: -port\n\nUsage:\n  lifeos serve"},
		{"serve with an argument", []string{"serve", "now"}, 2, "", `unexpected argument "now"`},
		{"demo --help", []string{"demo", "--help"}, 0, "-once", ""},
		{"demo with an unknown flag", []string{"demo", "--fast"}, 2, "", "Usage:\n  lifeos demo [--once]"},
		{"demo with an argument", []string{"demo", "please"}, 2, "", `unexpected argument "please"`},
		{"policy --help", []string{"policy", "--help"}, 0, "lifeos policy check [FILE]", ""},
		{"policy check --help", []string{"policy", "check", "--help"}, 0, "lifeos policy check [FILE]", ""},
		{"policy check FILE --help", []string{"policy", "check", good, "--help"}, 0, "lifeos policy check [FILE]", ""},
		{"policy without check", []string{"policy"}, 2, "", "the one subcommand is check"},
		{"policy lint", []string{"policy", "lint"}, 2, "", "the one subcommand is check"},
		{"policy check with two files", []string{"policy", "check", good, good}, 2, "", "unexpected argument"},
		{"policy check a file", []string{"policy", "check", good}, 0, "max_turns: 10", ""},
		{"version", []string{"version"}, 0, "lifeos ", ""},
		{"--version", []string{"--version"}, 0, "lifeos ", ""},
		{"version with an argument", []string{"version", "x"}, 2, "", "unexpected argument"},
		{"help", []string{"help"}, 0, "  demo [--once]", ""},
		{"--help", []string{"--help"}, 0, "Settings (environment variables", ""},
		{"an unknown command", []string{"frob"}, 2, "", "unknown command \"frob\"\n\nUsage: lifeos COMMAND"},
		{"a flag where the command goes", []string{"--port"}, 2, "", "unknown command \"--port\""},
		{"runs --help", []string{"runs", "--help"}, 0, "lifeos runs show ID", ""},
		{"runs show --help", []string{"runs", "show", "--help"}, 0, "lifeos runs export", ""},
		{"run --help", []string{"run", "--help"}, 0, "-dry-run", ""},
		{"run with an argument", []string{"run", "--repo", "a/b", "--issue", "1", "now"}, 2, "", `unexpected argument "now"`},
		{"healthcheck --help", []string{"healthcheck", "--help"}, 0, "HEALTHCHECK", ""},
		{"healthcheck with an argument", []string{"healthcheck", "x"}, 2, "", "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, env(nil), &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("stdout:\n%s\nstderr:\n%s\nwant %q on stdout and %q on stderr", out.String(), errOut.String(), tt.stdout, tt.stderr)
			}
			if tt.code == 0 && errOut.Len() > 0 {
				t.Errorf("stderr on success: %s", errOut.String())
			}
			if tt.code == 2 && out.Len() > 0 {
				t.Errorf("stdout on a usage error: %s", out.String())
			}
		})
	}
}

// TestHelpListsEverySetting: `lifeos help` lists each of config.Settings
// with its default, on one line.
func TestHelpListsEverySetting(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"help"}, env(nil), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(out.String(), "\n")
	for _, s := range config.Settings() {
		found := false
		for _, l := range lines {
			if f := strings.Fields(l); len(f) > 1 && f[0] == s.Name && strings.Contains(l, " "+s.Default+" ") {
				found = true
			}
		}
		if !found {
			t.Errorf("help has no line for %s with its default %q", s.Name, s.Default)
		}
	}
}

// TestPolicyCheckWithoutAFile: with no file named and no
// .github/lifeos.yml, policy check prints the defaults under the ceilings.
func TestPolicyCheckWithoutAFile(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errOut bytes.Buffer
	if code := run([]string{"policy", "check"}, env(map[string]string{"LIFEOS_MAX_TURNS": "12"}), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "max_turns: 12") || !strings.Contains(out.String(), "label: lifeos:do") {
		t.Errorf("defaults:\n%s", out.String())
	}
}

// TestHealthcheck: exit 0 when /api/health on PORT answers 200, 1 when it
// answers otherwise or nothing listens.
func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/health" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	closed := freePort(t)
	tests := []struct {
		name   string
		port   string
		status int
		code   int
	}{
		{"healthy", port, http.StatusOK, 0},
		{"draining or unavailable (503; degraded answers 200)", port, http.StatusServiceUnavailable, 1},
		{"nothing listening", closed, http.StatusOK, 1},
		{"a bad PORT", "http", http.StatusOK, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status = tt.status
			var out, errOut bytes.Buffer
			if code := run([]string{"healthcheck"}, env(map[string]string{"PORT": tt.port}), &out, &errOut); code != tt.code {
				t.Errorf("exit %d, want %d (%s)", code, tt.code, errOut.String())
			}
		})
	}
}

// freePort is a port nothing listens on.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return strconv.Itoa(port)
}
