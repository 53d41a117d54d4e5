package agent

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/modelfake"
)

// bigFile is a Go file of about 3 KB, over FoldMinBytes.
func bigFile(name string) string {
	var b strings.Builder
	b.WriteString("package " + name + "\n\n")
	for i := range 80 {
		b.WriteString("func f" + name + string(rune('a'+i%26)) + "() int { return 1 } // line\n")
	}
	return b.String()
}

var foldFiles = map[string]string{"a.go": bigFile("a"), "b.go": bigFile("b"), "c.go": bigFile("c"), "small.go": "package small\n"}

// toolResultsOf maps tool_call_id to content in one recorded request.
func toolResultsOf(req modelfake.Request) map[string]string {
	out := map[string]string{}
	for _, m := range req.Messages {
		if m.Role == "tool" {
			out[m.ToolCallID] = m.Content
		}
	}
	return out
}

// foldScript reads a, b and c, searches, edits a, reads b again, reads
// small, then pads the run with small reads so the search grows old.
func foldScript() []modelfake.Reply {
	r := func(id, name string, args map[string]any) modelfake.Reply {
		return modelfake.Calls(call(id, name, args))
	}
	return []modelfake.Reply{
		r("ra", "read_file", map[string]any{"path": "a.go"}),
		r("rb", "read_file", map[string]any{"path": "b.go"}),
		r("rc", "read_file", map[string]any{"path": "c.go"}),
		r("s1", "search", map[string]any{"query": "func"}),
		r("ea", "edit_file", map[string]any{"path": "a.go", "old": "package a", "new": "package aa"}),
		r("rb2", "read_file", map[string]any{"path": "./b.go"}),
		r("rbpart", "read_file", map[string]any{"path": "b.go", "start_line": 1, "end_line": 3}),
		r("rs", "read_file", map[string]any{"path": "small.go"}),
		r("rs2", "list_files", map[string]any{"path": "small.go"}),
		r("rs3", "read_file", map[string]any{"path": "small.go", "start_line": 1}),
		modelfake.Finish("done"),
	}
}

func TestFoldSupersededResults(t *testing.T) {
	h := newHarness(t)
	if _, _, err := h.run(t, foldFiles, foldScript()...); err != nil {
		t.Fatal(err)
	}
	reqs := h.srv.Requests()
	last := toolResultsOf(reqs[len(reqs)-1])
	for id, want := range map[string]string{
		"ra": `the file was changed after this read. Call read_file with {"path":"a.go"}`,
		"rb": `the file was read again later. Call read_file with {"path":"b.go"}`,
		"s1": `search result`,
	} {
		if got := last[id]; !strings.HasPrefix(got, "[folded to save tokens") || !strings.Contains(got, want) {
			t.Errorf("%s in the last request = %.200q, want a stub with %q", id, got, want)
		}
	}
	if !strings.Contains(last["s1"], `{"query":"func"}`) {
		t.Errorf("the search stub does not say how to search again: %q", last["s1"])
	}
	// The latest reads of files not changed since stay whole, and so do
	// small results and a part read that does not cover an earlier whole.
	for id, want := range map[string]string{"rc": "c.go (82 lines)", "rb2": "b.go (82 lines)", "rbpart": "b.go (82 lines)\n1\t", "rs": "small.go"} {
		if got := last[id]; !strings.HasPrefix(got, want) {
			t.Errorf("%s in the last request = %.80q, want it in full (%q)", id, got, want)
		}
	}
	// Before the edit, a.go's read was sent in full.
	if got := toolResultsOf(reqs[4])["ra"]; !strings.HasPrefix(got, "a.go (82 lines)") {
		t.Errorf("a.go's read before the edit = %.80q", got)
	}
}

func TestKeepToolResultsFoldsNothing(t *testing.T) {
	h := newHarness(t)
	h.agent.KeepToolResults = true
	if _, _, err := h.run(t, foldFiles, foldScript()...); err != nil {
		t.Fatal(err)
	}
	reqs := h.srv.Requests()
	for id, c := range toolResultsOf(reqs[len(reqs)-1]) {
		if strings.HasPrefix(c, "[folded") {
			t.Errorf("%s was folded with KeepToolResults", id)
		}
	}
}

// requestMessages splits a recorded request's body into its messages'
// raw JSON, and returns its tools' raw JSON.
func requestMessages(t *testing.T, req modelfake.Request) ([]json.RawMessage, json.RawMessage) {
	t.Helper()
	var body struct {
		Messages []json.RawMessage `json:"messages"`
		Tools    json.RawMessage   `json:"tools"`
	}
	if err := json.Unmarshal(req.Body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Messages, body.Tools
}

// TestPromptPrefixIsByteStable: every request starts with the same bytes
// (tools, system prompt, the task with the repository's instructions), and
// each request repeats the one before byte for byte, message by message,
// except for results folded in between, so a provider's prompt cache
// serves all of it. Without folding, each request extends the last.
func TestPromptPrefixIsByteStable(t *testing.T) {
	for _, keep := range []bool{false, true} {
		h := newHarness(t)
		h.agent.KeepToolResults = keep
		if _, _, err := h.run(t, foldFiles, foldScript()...); err != nil {
			t.Fatal(err)
		}
		reqs := h.srv.Requests()
		first, tools := requestMessages(t, reqs[0])
		if len(first) != 2 || !strings.Contains(string(first[1]), "Keep it small.") {
			t.Fatalf("the first request is not the system prompt and the task: %s", first)
		}
		prev := first
		for n, req := range reqs[1:] {
			msgs, tl := requestMessages(t, req)
			if string(tl) != string(tools) {
				t.Errorf("keep=%v: request %d offers other tools", keep, n+2)
			}
			if len(msgs) <= len(prev) {
				t.Fatalf("keep=%v: request %d is not longer than the one before", keep, n+2)
			}
			for i, m := range prev {
				if string(msgs[i]) == string(m) {
					continue
				}
				if keep || i < 2 || !strings.Contains(string(msgs[i]), `[folded to save tokens`) {
					t.Errorf("keep=%v: request %d changed message %d:\n%s\nwas\n%s", keep, n+2, i, msgs[i], m)
				}
			}
			prev = msgs
		}
	}
}

func TestUsageReadsCachedTokens(t *testing.T) {
	h := newHarness(t)
	res, _, err := h.run(t, nil,
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("finish", map[string]string{"summary": "done"})}, PromptTokens: 300, CachedTokens: 256})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Calls[0]; got.PromptTokens != 300 || got.CachedPromptTokens != 256 {
		t.Errorf("usage = %+v, want 300 prompt tokens of which 256 cached", got)
	}
}

// TestFoldKeepsTheLatestReadOfAChangedFile: a file the run changed keeps
// its latest read however old; one it only read is folded once unused for
// FoldReadAfterTurns turns, and kept while in use.
func TestFoldKeepsTheLatestReadOfAChangedFile(t *testing.T) {
	h := newHarness(t)
	replies := []modelfake.Reply{
		modelfake.Calls(call("ra", "read_file", map[string]any{"path": "a.go"})),
		modelfake.Calls(call("ea", "edit_file", map[string]any{"path": "a.go", "old": "package a", "new": "package aa"})),
		modelfake.Calls(call("ra2", "read_file", map[string]any{"path": "a.go"})),
		modelfake.Calls(call("rc", "read_file", map[string]any{"path": "c.go"})),
		modelfake.Calls(call("rb", "read_file", map[string]any{"path": "b.go"})),
	}
	for i := range FoldReadAfterTurns + 2 {
		p := []string{"small.go", "go.mod"}[i%2]
		if i == 3 {
			p = "b.go" // b.go stays in use
		}
		replies = append(replies, modelfake.Calls(call("pad"+string(rune('a'+i)), "list_files", map[string]any{"path": p})))
	}
	replies = append(replies, modelfake.Finish("done"))
	files := map[string]string{"a.go": foldFiles["a.go"], "b.go": foldFiles["b.go"], "c.go": foldFiles["c.go"], "small.go": "package small\n", "go.mod": "module x\n"}
	if _, _, err := h.run(t, files, replies...); err != nil {
		t.Fatal(err)
	}
	reqs := h.srv.Requests()
	last := toolResultsOf(reqs[len(reqs)-1])
	if got := last["ra2"]; !strings.HasPrefix(got, "a.go (82 lines)") {
		t.Errorf("the latest read of the changed a.go was folded: %.120q", got)
	}
	if got := last["rc"]; !strings.Contains(got, "the file has not been used for") || !strings.Contains(got, `{"path":"c.go"}`) {
		t.Errorf("c.go's read, unused for %d turns = %.200q, want a stub", FoldReadAfterTurns+2, got)
	}
	if got := last["rb"]; !strings.HasPrefix(got, "b.go (82 lines)") {
		t.Errorf("b.go, still in use, was folded: %.120q", got)
	}
}
