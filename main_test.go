package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/store"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// A missing setting stops serve with one line naming it. With no App
// credentials at all, serve would start in set-up mode, so the first
// missing setting is the model's key; with some App credentials, the rest.
func TestServeStopsOnMissingSettingWithOneLine(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "OPENAI_API_KEY"},
		{map[string]string{"GITHUB_APP_INTEGRATION_ID": "42", "OPENAI_API_KEY": "sk"}, "GITHUB_APP_PRIVATE_KEY"},
	} {
		var out, errOut bytes.Buffer
		code := run([]string{"serve"}, env(tt.env), &out, &errOut)
		if code != 2 {
			t.Fatalf("exit %d, want 2", code)
		}
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
			t.Errorf("stderr = %q, want one line naming %s", errOut.String(), tt.want)
		}
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

func TestPolicyCheckRefusesWhatCanNeverRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	outside := write("outside.yml", "trigger:\n  label: ai-do\n")
	unpriced := write("unpriced.yml", "model: my-model\n")
	tests := []struct {
		name string
		file string
		env  map[string]string
		code int
		want []string // substrings of stdout (exit 0) or stderr
	}{
		{"a label outside the namespace", outside, nil, 1,
			[]string{"outside.yml: 2:10: trigger.label:", `"ai-do" can never start a run`, `"lifeos:do"`, `"lifeos:"`}},
		{"the server's own label", outside, map[string]string{"LIFEOS_TRIGGER_LABEL": "ai-do"}, 0,
			[]string{"label: ai-do"}},
		{"the server's label is the default", write("empty.yml", ""), map[string]string{"LIFEOS_TRIGGER_LABEL": "lifeos:go"}, 0,
			[]string{"label: lifeos:go"}},
		{"an unpriced model", unpriced, nil, 1,
			[]string{"1:8: model:", `"my-model" has no price`, `LIFEOS_PRICES="my-model=2.5:10"`}},
		{"a priced model", unpriced, map[string]string{"LIFEOS_PRICES": "my-model=2.5:10"}, 0,
			[]string{"model: my-model"}},
		{"a model marked free", unpriced, map[string]string{"LIFEOS_PRICES": "my-model=free"}, 0,
			[]string{"model: my-model"}},
		{"a bad price", unpriced, map[string]string{"LIFEOS_PRICES": "my-model=lots"}, 2,
			[]string{"LIFEOS_PRICES"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run([]string{"policy", "check", tt.file}, env(tt.env), &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errOut.String())
			}
			got := out.String()
			if code != 0 {
				got = errOut.String()
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestRunsCommand: `lifeos runs` reads the database LIFEOS_DATA_DIR names
// with no App settings, and an unknown run is a clear error with exit 2.
func TestRunsCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.New(db, nil).StartRun(ctx, store.NewRun{Repo: "o/r", IssueNumber: 4, DeliveryID: "d",
		Trigger: "label", Actor: "alice", Status: store.StatusDenied}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	e := env(map[string]string{"LIFEOS_DATA_DIR": dir})

	var out, errOut bytes.Buffer
	if code := run([]string{"runs", "--json"}, e, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var line struct {
		ID    int64  `json:"id"`
		Repo  string `json:"repo"`
		Issue int    `json:"issue"`
	}
	if err := json.Unmarshal(out.Bytes(), &line); err != nil || line.ID != 1 || line.Repo != "o/r" || line.Issue != 4 {
		t.Fatalf("runs --json = %q (%v)", out.String(), err)
	}

	out.Reset()
	if code := run([]string{"runs", "show", "42"}, e, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "no run 42") {
		t.Errorf("unknown run: exit %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"runs"}, env(map[string]string{"DATABASE_URL": "mysql://x"}), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "DATABASE_URL") {
		t.Errorf("bad DATABASE_URL: exit %d, stderr %q", code, errOut.String())
	}
	out.Reset()
	if code := run([]string{"help"}, e, &out, &errOut); code != 0 || !strings.Contains(out.String(), "runs export --since") {
		t.Errorf("help does not list the runs commands:\n%s", out.String())
	}
}
