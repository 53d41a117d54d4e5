package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestServeStopsOnMissingSettingWithOneLine(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"serve"}, env(nil), &out, &errOut)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "GITHUB_APP_INTEGRATION_ID") {
		t.Errorf("stderr = %q", errOut.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"frob"}, env(nil), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "unknown command") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestPolicyCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	os.WriteFile(good, []byte("limits:\n  max_turns: 80\nautonomy: 2\n"), 0o600)
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("limits:\n  max_turns: 5\n  colour: blue\n"), 0o600)

	var out, errOut bytes.Buffer
	if code := run([]string{"policy", "check", good}, env(map[string]string{"LIFEOS_MAX_TURNS": "20"}), &out, &errOut); code != 0 {
		t.Fatalf("good file: exit %d, %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "max_turns: 20") || !strings.Contains(out.String(), "limits.max_turns") {
		t.Errorf("effective policy does not show the ceiling:\n%s", out.String())
	}

	out.Reset()
	errOut.Reset()
	if code := run([]string{"policy", "check", bad}, env(nil), &out, &errOut); code != 1 {
		t.Fatalf("bad file: exit %d", code)
	}
	if !strings.Contains(errOut.String(), "3:") || !strings.Contains(errOut.String(), "colour") {
		t.Errorf("problems = %q", errOut.String())
	}

	if code := run([]string{"policy", "check", filepath.Join(dir, "missing.yml")}, env(nil), &out, &errOut); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
	if code := run([]string{"policy", "check", good}, env(map[string]string{"LIFEOS_MAX_COST_PER_RUN": "lots"}), &out, &errOut); code != 2 {
		t.Errorf("bad ceiling: exit %d", code)
	}
}
