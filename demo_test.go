package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/modelfake"
)

// TestDemoOnce: `lifeos demo --once` shows a labelled issue becoming a
// pull request with its diff, and exits 0, in seconds.
func TestDemoOnce(t *testing.T) {
	var out, errOut bytes.Buffer
	began := time.Now()
	code := run([]string{"demo", "--once", "--addr", "127.0.0.1:0"}, env(nil), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	if took := time.Since(began); took > 30*time.Second {
		t.Errorf("the demo took %s", took)
	}
	for _, want := range []string{
		"issues.labeled",                        // the delivery
		"policy ✓ allow  trigger.permission",    // a policy decision
		"agent turn 2: calls edit_file",         // the agent's turns
		"commit ",                               // the commit
		"pull request #2 opened by lifeos[bot]", // the PR
		"-Hello, wrold!\n+Hello, world!\n",      // with its diff
		"comment on #1 by lifeos[bot]",          // the comment on the issue
		"✓ issue #1 became pull request #2.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDemoWithAModelEndpoint: with OPENAI_BASE_URL and LIFEOS_MODEL set,
// the demo talks to that endpoint (here a local double standing in for
// Ollama) with that model, priced free.
func TestDemoWithAModelEndpoint(t *testing.T) {
	m := modelfake.New()
	defer m.Close()
	m.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{
			"path": "README.md", "old": "Hello, wrold!", "new": "Hello, world!"})}},
		modelfake.Finish("Fixed the greeting."),
	)
	var out, errOut bytes.Buffer
	e := env(map[string]string{"OPENAI_BASE_URL": m.URL(), "OPENAI_API_KEY": "sk-local", "LIFEOS_MODEL": "llama3.1"})
	if code := run([]string{"demo", "--once", "--addr", "127.0.0.1:0"}, e, &out, &errOut); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	reqs := m.Requests()
	if len(reqs) != 2 || reqs[0].Model != "llama3.1" {
		t.Errorf("the endpoint got %d requests (%+v)", len(reqs), reqs)
	}
	if !strings.Contains(out.String(), "llama3.1 at "+m.URL()) || !strings.Contains(out.String(), "+Hello, world!") {
		t.Errorf("output:\n%s", out.String())
	}
}
