package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/option"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/workspace"
)

const testModel = "gpt-test"

// harness is one fake endpoint and an Agent talking to it through openai-go.
type harness struct {
	srv   *modelfake.Server
	agent *Agent
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	srv := modelfake.New()
	t.Cleanup(srv.Close)
	m := NewOpenAIModel(srv.URL(), "sk-test")
	m.Retry = Retry{} // no retries unless a test asks for them
	return &harness{srv: srv, agent: &Agent{
		Model:     m,
		ModelName: testModel,
		Log:       zerolog.New(zerolog.NewTestWriter(t)),
	}}
}

var testTask = Task{
	Repo:  "octo/hello",
	Issue: Issue{Number: 7, Title: "Greeting is misspelled", Body: "It says helo.", Author: "mona"},
	Comments: []Comment{
		{Author: "hubot", AuthorRole: "maintain", Body: "Fix it in greet()."},
		{Author: "hubot", AuthorRole: "maintain", Body: "nit", Path: "main.go", Line: 3},
	},
	Instructions:    "Keep it small.",
	PreviousSummary: "Earlier attempt renamed nothing.",
}

func (h *harness) run(t *testing.T, files map[string]string, replies ...modelfake.Reply) (*Result, *workspace.Workspace, error) {
	t.Helper()
	return h.runTask(t, testTask, files, replies...)
}

func (h *harness) runTask(t *testing.T, task Task, files map[string]string, replies ...modelfake.Reply) (*Result, *workspace.Workspace, error) {
	t.Helper()
	snap := map[string][]byte{}
	for p, c := range files {
		snap[p] = []byte(c)
	}
	ws := workspace.New(workspace.NewSnapshot(snap))
	h.srv.Script(replies...)
	res, err := h.agent.Run(context.Background(), task, ws)
	if res == nil {
		t.Fatal("Run returned a nil Result")
	}
	if _, jerr := json.Marshal(res); jerr != nil {
		t.Errorf("Result is not JSON-serialisable: %v", jerr)
	}
	return res, ws, err
}

// call makes a tool call with a fixed id, so tests can find its result.
func call(id, name string, args any) modelfake.ToolCall {
	tc := modelfake.Call(name, args)
	tc.ID = id
	return tc
}

// results maps tool_call_id to the tool result recorded in the transcript.
func results(res *Result) map[string]string {
	out := map[string]string{}
	for _, e := range res.Transcript {
		if e.Role == "tool" {
			out[e.ToolCallID] = e.Result
		}
	}
	return out
}

const mainGo = "package main\n\nfunc greet() string { return \"helo\" }\n"

func TestRunHappyPath(t *testing.T) {
	h := newHarness(t)
	res, _, err := h.run(t, map[string]string{"main.go": mainGo, "go.mod": "module x\n", "cmd/tool/main.go": "package main\n"},
		modelfake.Calls(call("r1", "read_file", map[string]any{"path": "main.go"})),
		modelfake.Calls(call("e1", "edit_file", map[string]any{"path": "./main.go", "old": `"helo"`, "new": `"hello"`})),
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("finish", map[string]string{"summary": "Fix the greeting typo."})}, PromptTokens: 300, CompletionTokens: 50},
	)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Stop != StopFinished || res.Summary != "Fix the greeting typo." || res.Turns != 3 {
		t.Errorf("result = stop %q summary %q turns %d", res.Stop, res.Summary, res.Turns)
	}
	want := []workspace.Change{{Path: "main.go", Content: []byte("package main\n\nfunc greet() string { return \"hello\" }\n"), Mode: workspace.ModeFile}}
	if !reflect.DeepEqual(res.Changes, want) {
		t.Errorf("Changes = %+v, want %+v", res.Changes, want)
	}
	wantCalls := []Usage{
		{Model: testModel, PromptTokens: 100, CompletionTokens: 20, TotalTokens: 120},
		{Model: testModel, PromptTokens: 100, CompletionTokens: 20, TotalTokens: 120},
		{Model: testModel, PromptTokens: 300, CompletionTokens: 50, TotalTokens: 350},
	}
	if !reflect.DeepEqual(res.Calls, wantCalls) || res.Tokens != 590 {
		t.Errorf("Calls = %+v, Tokens = %d", res.Calls, res.Tokens)
	}

	reqs := h.srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("requests = %d, want 3", len(reqs))
	}
	first := reqs[0]
	if first.Model != testModel {
		t.Errorf("model = %q", first.Model)
	}
	wantTools := []string{"list_files", "read_file", "search", "write_file", "edit_file", "delete_file", "finish"}
	if !reflect.DeepEqual(first.Tools, wantTools) {
		t.Errorf("tools = %v, want %v", first.Tools, wantTools)
	}
	if len(first.Messages) != 2 || first.Messages[0].Role != "system" || first.Messages[1].Role != "user" {
		t.Fatalf("opening messages = %+v", first.Messages)
	}
	if !strings.Contains(first.Messages[0].Content, "call finish") {
		t.Errorf("system prompt does not explain finish: %q", first.Messages[0].Content)
	}
	user := first.Messages[1].Content
	for _, want := range []string{"octo/hello", "Issue #7: Greeting is misspelled", "It says helo.", "@mona",
		"[comment, by @hubot (maintain access).", "> Fix it in greet().", "[review comment on main.go line 3, by @hubot (maintain access).", "> nit",
		"Keep it small.", "> Earlier attempt renamed nothing.", "Opened by @mona (access not checked",
		"cmd/\ngo.mod\nmain.go\n"} {
		if !strings.Contains(user, want) {
			t.Errorf("first user message lacks %q:\n%s", want, user)
		}
	}
	if strings.Contains(user, "package main") {
		t.Error("first user message contains file contents")
	}
	if got := reqs[1].ToolResults()["r1"]; !strings.Contains(got, "3\tfunc greet() string { return \"helo\" }") {
		t.Errorf("read_file result sent = %q", got)
	}
	if got := reqs[2].ToolResults()["e1"]; got != "edited main.go" {
		t.Errorf("edit_file result sent = %q", got)
	}
	last := res.Transcript[len(res.Transcript)-1]
	if last.Role != "tool" || last.Tool != "finish" || last.Turn != 3 || !strings.Contains(last.Args, "greeting typo") {
		t.Errorf("last transcript entry = %+v", last)
	}
}

func TestRunWriteDeleteSemantics(t *testing.T) {
	h := newHarness(t)
	files := map[string]string{"keep.txt": "same\n", "old.txt": "bye\n", "main.go": mainGo}
	res, ws, err := h.run(t, files,
		modelfake.Calls(
			call("w1", "write_file", map[string]any{"path": "docs/new.md", "content": "# New\n"}),
			call("w2", "write_file", map[string]any{"path": "keep.txt", "content": "same\n"}),
			call("w3", "write_file", map[string]any{"path": "tmp.txt", "content": "scratch"}),
			call("d1", "delete_file", map[string]any{"path": "tmp.txt"}),
			call("d2", "delete_file", map[string]any{"path": "old.txt"}),
			call("l1", "list_files", map[string]any{}),
		),
		modelfake.Calls(call("r1", "read_file", map[string]any{"path": "old.txt"})),
		modelfake.Finish("Add docs, drop old.txt."),
	)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []workspace.Change{
		{Path: "docs/new.md", Content: []byte("# New\n"), Mode: workspace.ModeFile},
		{Path: "old.txt", Delete: true, Mode: workspace.ModeFile},
	}
	if !reflect.DeepEqual(res.Changes, want) || !reflect.DeepEqual(ws.Changes(), want) {
		t.Errorf("Changes = %+v, want %+v", res.Changes, want)
	}
	got := results(res)
	wantResults := map[string]string{
		"w1": "created docs/new.md (6 bytes)",
		"w2": "wrote keep.txt (5 bytes)",
		"d1": "deleted tmp.txt",
		"d2": "deleted old.txt",
		"l1": "docs/new.md\nkeep.txt\nmain.go\n",
		"r1": "error: old.txt does not exist (use list_files or search to find files)",
	}
	for id, want := range wantResults {
		if got[id] != want {
			t.Errorf("result %s = %q, want %q", id, got[id], want)
		}
	}
}

func TestToolOutputs(t *testing.T) {
	var long strings.Builder
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&long, "line %03d of the long file\n", i)
	}
	files := map[string]string{
		"README.md":        "# Demo\nTODO: write docs\n",
		"src/a.go":         "package src\n\n// TODO: speed up\nfunc A() {}\n",
		"src/b.go":         "package src\n\nfunc B() { todo() }\n",
		"src/sub/c.go":     "package sub\n",
		"srcfoo/x.go":      "package srcfoo // TODO\n",
		"long.txt":         long.String(),
		"image.png":        "\x89PNG\x00\x00TODO",
		"empty.txt":        "",
		"crlf.txt":         "one TODO\r\ntwo\r\n",
		"minified.js":      strings.Repeat("x", 300) + "TODO",
		"nested/deep/f.md": "f\n",
	}
	tests := []struct {
		name, tool string
		args       any
		limits     Limits
		want       string // exact result, unless wantHas is set
		wantHas    []string
		wantNot    []string
	}{
		{name: "list root", tool: "list_files", args: map[string]any{},
			want: "README.md\ncrlf.txt\nempty.txt\nimage.png\nlong.txt\nminified.js\nnested/deep/f.md\nsrc/a.go\nsrc/b.go\nsrc/sub/c.go\nsrcfoo/x.go\n"},
		{name: "list dir is a directory boundary", tool: "list_files", args: map[string]any{"path": "src/"},
			want: "src/a.go\nsrc/b.go\nsrc/sub/c.go\n"},
		{name: "list dot is root", tool: "list_files", args: map[string]any{"path": "."}, wantHas: []string{"README.md\n", "srcfoo/x.go\n"}},
		{name: "list capped", tool: "list_files", args: map[string]any{"path": "src"}, limits: Limits{MaxListFiles: 2},
			want: "src/a.go\nsrc/b.go\n... 1 more (list a subdirectory to see them)\n"},
		{name: "list missing dir", tool: "list_files", args: map[string]any{"path": "nope"}, want: "error: no files under nope"},
		{name: "read whole", tool: "read_file", args: map[string]any{"path": "src/a.go"},
			want: "src/a.go (4 lines)\n1\tpackage src\n2\t\n3\t// TODO: speed up\n4\tfunc A() {}\n"},
		{name: "read range", tool: "read_file", args: map[string]any{"path": "long.txt", "start_line": 10, "end_line": 12},
			want: "long.txt (200 lines)\n10\tline 010 of the long file\n11\tline 011 of the long file\n12\tline 012 of the long file\n"},
		{name: "read end past eof is clamped", tool: "read_file", args: map[string]any{"path": "src/a.go", "start_line": 4, "end_line": 99},
			want: "src/a.go (4 lines)\n4\tfunc A() {}\n"},
		{name: "read capped", tool: "read_file", args: map[string]any{"path": "long.txt"}, limits: Limits{MaxReadBytes: 100},
			wantHas: []string{"1\tline 001", "2\tline 002", "output cut at 100 bytes after line 2 of 200; use start_line and end_line"},
			wantNot: []string{"3\tline 003"}},
		{name: "read one huge line", tool: "read_file", args: map[string]any{"path": "minified.js"}, limits: Limits{MaxReadBytes: 100},
			wantHas: []string{"1\txxx", "…\n", "after line 1 of 1"}},
		{name: "read start past end", tool: "read_file", args: map[string]any{"path": "src/a.go", "start_line": 9},
			want: "error: start_line 9 is past the end of src/a.go (4 lines)"},
		{name: "read inverted range", tool: "read_file", args: map[string]any{"path": "long.txt", "start_line": 9, "end_line": 3},
			want: "error: end_line 3 is before start_line 9"},
		{name: "read binary", tool: "read_file", args: map[string]any{"path": "image.png"}, want: "error: image.png is a binary file (10 bytes)"},
		{name: "read directory", tool: "read_file", args: map[string]any{"path": "src"}, want: "error: src is a directory; use list_files to see its files"},
		{name: "read empty", tool: "read_file", args: map[string]any{"path": "empty.txt"}, want: "empty.txt is empty"},
		{name: "search literal skips binary", tool: "search", args: map[string]any{"query": "TODO"},
			want: "README.md:2: TODO: write docs\ncrlf.txt:1: one TODO\nminified.js:1: " + strings.Repeat("x", maxSearchLineBytes-len("…")) + "…\nsrc/a.go:3: // TODO: speed up\nsrcfoo/x.go:1: package srcfoo // TODO\n"},
		{name: "search under path", tool: "search", args: map[string]any{"query": "TODO", "path": "src"},
			want: "src/a.go:3: // TODO: speed up\n"},
		{name: "search regex case-insensitive", tool: "search", args: map[string]any{"query": `(?i)\btodo\(`, "regex": true, "path": "./src"},
			want: "src/b.go:3: func B() { todo() }\n"},
		{name: "search capped", tool: "search", args: map[string]any{"query": "line 1"}, limits: Limits{MaxSearchResults: 2},
			want: "long.txt:100: line 100 of the long file\nlong.txt:101: line 101 of the long file\n... 98 more matches; narrow the query or the path\n"},
		{name: "search none", tool: "search", args: map[string]any{"query": "zzz"}, want: "no matches"},
		{name: "search bad regex", tool: "search", args: map[string]any{"query": "(", "regex": true}, wantHas: []string{"error: invalid regular expression"}},
		{name: "search empty query", tool: "search", args: map[string]any{"query": ""}, want: "error: query must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.agent.Limits = tt.limits
			res, _, err := h.run(t, files, modelfake.Calls(call("c", tt.tool, tt.args)), modelfake.Finish("done"))
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			got := h.srv.Requests()[1].ToolResults()["c"]
			if got != results(res)["c"] && len(got) < TranscriptFieldCap {
				t.Errorf("transcript result differs from what the model got")
			}
			if tt.wantHas == nil && got != tt.want {
				t.Errorf("result =\n%q\nwant\n%q", got, tt.want)
			}
			for _, s := range tt.wantHas {
				if !strings.Contains(got, s) {
					t.Errorf("result lacks %q:\n%s", s, got)
				}
			}
			for _, s := range tt.wantNot {
				if strings.Contains(got, s) {
					t.Errorf("result has %q:\n%s", s, got)
				}
			}
		})
	}
}

func TestUntrustedToolCalls(t *testing.T) {
	files := map[string]string{"main.go": mainGo, "dup.txt": "x x\n", "README.md": "hi\n"}
	tests := []struct {
		id   string
		tc   modelfake.ToolCall
		want string // substring of the error
	}{
		{"malformed", modelfake.ToolCall{Name: "read_file", Arguments: `{"path": `}, "invalid arguments"},
		{"not an object", modelfake.ToolCall{Name: "read_file", Arguments: `["main.go"]`}, "invalid arguments"},
		{"trailing data", modelfake.ToolCall{Name: "read_file", Arguments: `{"path":"main.go"} {}`}, "after the JSON object"},
		{"unknown field", call("", "read_file", map[string]any{"path": "main.go", "mode": "rw"}), "unknown field"},
		{"unknown tool", call("", "rm_rf", map[string]any{"path": "."}), `unknown tool "rm_rf"`},
		{"dotdot", call("", "read_file", map[string]any{"path": "../x"}), "leaves the repository"},
		{"absolute", call("", "read_file", map[string]any{"path": "/etc/passwd"}), "absolute"},
		{"git config", call("", "write_file", map[string]any{"path": ".git/config", "content": "x"}), ".git"},
		{"nested git", call("", "write_file", map[string]any{"path": "a/.git/x", "content": "x"}), ".git"},
		{"backslash", call("", "write_file", map[string]any{"path": `a\b.txt`, "content": "x"}), "backslash"},
		{"empty path", call("", "write_file", map[string]any{"path": "", "content": "x"}), "empty path"},
		{"nul path", call("", "write_file", map[string]any{"path": "a\x00b", "content": "x"}), "control character"},
		{"nul content", call("", "write_file", map[string]any{"path": "a.bin", "content": "a\x00b"}), "NUL"},
		{"oversized", call("", "write_file", map[string]any{"path": "big.txt", "content": strings.Repeat("y", 65)}), "65 bytes, over the limit of 64"},
		{"oversized edit", call("", "edit_file", map[string]any{"path": "README.md", "old": "hi", "new": strings.Repeat("y", 65)}), "over the limit of 64"},
		{"missing content", call("", "write_file", map[string]any{"path": "a.txt"}), "content is required"},
		{"edit no match", call("", "edit_file", map[string]any{"path": "main.go", "old": "nope", "new": "x"}), "(0 matches)"},
		{"edit two matches", call("", "edit_file", map[string]any{"path": "dup.txt", "old": "x", "new": "y"}), "(2 matches)"},
		{"edit empty old", call("", "edit_file", map[string]any{"path": "main.go", "old": "", "new": "x"}), "old must not be empty"},
		{"edit missing new", call("", "edit_file", map[string]any{"path": "main.go", "old": "main"}), "new is required"},
		{"delete missing", call("", "delete_file", map[string]any{"path": "nope.txt"}), "does not exist"},
		{"delete dotdot", call("", "delete_file", map[string]any{"path": "a/../../main.go"}), "leaves the repository"},
		{"list dotdot", call("", "list_files", map[string]any{"path": ".."}), "leaves the repository"},
		{"finish without summary", call("", "finish", map[string]any{"summary": " "}), "summary must not be empty"},
	}
	h := newHarness(t)
	h.agent.Limits = Limits{MaxWriteBytes: 64}
	var calls []modelfake.ToolCall
	for _, tt := range tests {
		tc := tt.tc
		tc.ID = tt.id
		calls = append(calls, tc)
	}
	calls = append(calls, call("ok", "read_file", map[string]any{"path": "./README.md"}))
	// All bad calls come in one response, then one per turn, then finish.
	replies := []modelfake.Reply{modelfake.Calls(calls...)}
	replies = append(replies, modelfake.Calls(modelfake.ToolCall{ID: "alone", Name: "write_file", Arguments: "{{{"}))
	replies = append(replies, modelfake.Finish("nothing to do"))
	res, _, err := h.run(t, files, replies...)
	if err != nil {
		t.Fatalf("Run: %v (the run must survive bad tool calls)", err)
	}
	if res.Stop != StopFinished || res.Turns != 3 || len(res.Changes) != 0 {
		t.Errorf("result = stop %q turns %d changes %+v", res.Stop, res.Turns, res.Changes)
	}
	sent := h.srv.Requests()[1].ToolResults()
	for _, tt := range tests {
		got := sent[tt.id]
		if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: result = %q, want error containing %q", tt.id, got, tt.want)
		}
	}
	if got := sent["ok"]; got != "README.md (1 lines)\n1\thi\n" {
		t.Errorf("normalised read = %q", got)
	}
	if got := h.srv.Requests()[2].ToolResults()["alone"]; !strings.HasPrefix(got, "error: invalid arguments") {
		t.Errorf("malformed alone = %q", got)
	}
}

func TestFinishMustBeLast(t *testing.T) {
	h := newHarness(t)
	res, _, err := h.run(t, nil,
		modelfake.Calls(
			call("f1", "finish", map[string]string{"summary": "too early"}),
			call("w1", "write_file", map[string]any{"path": "a.txt", "content": "a"}),
		),
		modelfake.Finish("Added a.txt."),
	)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	r := results(res)
	if !strings.HasPrefix(r["f1"], "error: finish must be the last") || r["w1"] != "created a.txt (1 bytes)" {
		t.Errorf("results = %v", r)
	}
	if res.Summary != "Added a.txt." || len(res.Changes) != 1 {
		t.Errorf("summary %q changes %+v", res.Summary, res.Changes)
	}
}

func TestRunStops(t *testing.T) {
	list := modelfake.Calls(modelfake.Call("list_files", map[string]any{}))
	readme := modelfake.Calls(modelfake.Call("read_file", map[string]any{"path": "README.md"}))
	errBudget := errors.New("over budget")
	tests := []struct {
		name      string
		setup     func(h *harness)
		replies   []modelfake.Reply
		wantErr   error
		wantStop  StopReason
		wantTurns int
		wantReqs  int
		wantInErr []string
	}{
		{
			name:    "turn limit",
			setup:   func(h *harness) { h.agent.Limits.MaxTurns = 3 },
			replies: []modelfake.Reply{list, list, list, list, list},
			wantErr: ErrTurnLimit, wantStop: StopMaxTurns, wantTurns: 3, wantReqs: 3,
		},
		{
			name:  "token limit stops before the next call",
			setup: func(h *harness) { h.agent.Limits.MaxTokens = 250 },
			// 120 tokens per call: 120, 240, then 360 is over 250.
			replies: []modelfake.Reply{list, list, list, list},
			wantErr: ErrTokenLimit, wantStop: StopMaxTokens, wantTurns: 3, wantReqs: 3,
			wantInErr: []string{"360 tokens used of 250"},
		},
		{
			name:    "model 500",
			replies: []modelfake.Reply{list, modelfake.Error(500, "the engine exploded")},
			wantErr: ErrModel, wantStop: StopModelError, wantTurns: 1, wantReqs: 2,
			wantInErr: []string{"HTTP 500", "the engine exploded", "turn 2"},
		},
		{
			name:    "model 401",
			replies: []modelfake.Reply{modelfake.Error(401, "Incorrect API key provided")},
			wantErr: ErrModel, wantStop: StopModelError, wantTurns: 0, wantReqs: 1,
			wantInErr: []string{"HTTP 401", "Incorrect API key"},
		},
		{
			name:    "no finish after nudge",
			replies: []modelfake.Reply{modelfake.Text("I would change main.go."), modelfake.Text("Done, I think.")},
			wantErr: ErrNoFinish, wantStop: StopNoFinish, wantTurns: 2, wantReqs: 2,
		},
		{
			name: "OnCall error stops the run",
			setup: func(h *harness) {
				n := 0
				h.agent.OnCall = func(_ context.Context, u Usage) error {
					if n++; n == 2 {
						return fmt.Errorf("spent %d tokens: %w", u.TotalTokens, errBudget)
					}
					return nil
				}
			},
			replies: []modelfake.Reply{list, list, list},
			wantErr: errBudget, wantStop: StopOnCall, wantTurns: 2, wantReqs: 2,
		},
		{
			name:    "the same call four times in a row",
			replies: []modelfake.Reply{readme, readme, modelfake.Calls(modelfake.Call("read_file", map[string]any{"path": "README.md"}), modelfake.Call("read_file", map[string]any{"path": "README.md"})), list},
			wantErr: ErrRepeating, wantStop: StopRepeating, wantTurns: 3, wantReqs: 3,
			wantInErr: []string{"read_file README.md 4 times in a row"},
		},
		{
			name:    "repeats counted per arguments",
			setup:   func(h *harness) { h.agent.Limits.MaxRepeats = 2 },
			replies: []modelfake.Reply{readme, list, readme, modelfake.Calls(modelfake.Call("read_file", map[string]any{"path": "main.go"})), readme, readme},
			wantErr: ErrRepeating, wantStop: StopRepeating, wantTurns: 6, wantReqs: 6,
		},
		{
			name: "wall-clock limit stops before the next call",
			setup: func(h *harness) {
				now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
				h.agent.Now = func() time.Time { return now }
				h.agent.OnCall = func(context.Context, Usage) error { now = now.Add(7 * time.Minute); return nil }
			},
			// 7, 14, then 21 minutes is past DefaultMaxDuration.
			replies: []modelfake.Reply{list, readme, list, list},
			wantErr: ErrTimeLimit, wantStop: StopMaxTime, wantTurns: 3, wantReqs: 3,
			wantInErr: []string{"20m0s"},
		},
		{
			name:    "wall-clock limit cuts off a call under way",
			setup:   func(h *harness) { h.agent.Limits.MaxDuration = 50 * time.Millisecond },
			replies: []modelfake.Reply{{Delay: time.Minute}, list},
			wantErr: ErrTimeLimit, wantStop: StopMaxTime, wantTurns: 0, wantReqs: 1,
			wantInErr: []string{"during turn 1"},
		},
		{
			name:    "review rejects twice",
			setup:   func(h *harness) { h.agent.Review = func([]workspace.Change) string { return "no tests changed" } },
			replies: []modelfake.Reply{modelfake.Finish("v1"), modelfake.Finish("v2")},
			wantErr: ErrRejected, wantStop: StopRejected, wantTurns: 2, wantReqs: 2,
			wantInErr: []string{"no tests changed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			res, _, err := h.run(t, map[string]string{"main.go": mainGo}, tt.replies...)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			for _, s := range tt.wantInErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("err %q lacks %q", err, s)
				}
			}
			if res.Stop != tt.wantStop || res.Turns != tt.wantTurns || len(res.Calls) != tt.wantTurns {
				t.Errorf("stop %q turns %d calls %d; want %q %d", res.Stop, res.Turns, len(res.Calls), tt.wantStop, tt.wantTurns)
			}
			if n := len(h.srv.Requests()); n != tt.wantReqs {
				t.Errorf("requests = %d, want %d", n, tt.wantReqs)
			}
		})
	}
}

func TestNoFinishNudge(t *testing.T) {
	h := newHarness(t)
	res, _, err := h.run(t, nil,
		modelfake.Text("Let me think."),
		modelfake.Calls(modelfake.Call("list_files", map[string]any{})),
		modelfake.Text("Still thinking."), // the nudge is per streak of text answers
		modelfake.Finish("Nothing to change."),
	)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Summary != "Nothing to change." || res.Turns != 4 {
		t.Errorf("summary %q turns %d", res.Summary, res.Turns)
	}
	reqs := h.srv.Requests()
	if got := reqs[1].LastUser(); got != nudgeMessage {
		t.Errorf("nudge = %q", got)
	}
	if m := reqs[1].Messages; m[len(m)-2].Role != "assistant" || m[len(m)-2].Content != "Let me think." {
		t.Errorf("assistant text not kept in the conversation: %+v", m)
	}
}

func TestReviewRejectsOnceThenAccepts(t *testing.T) {
	h := newHarness(t)
	var seen [][]workspace.Change
	h.agent.Review = func(changes []workspace.Change) string {
		seen = append(seen, changes)
		if len(changes) < 2 {
			return "also update the changelog"
		}
		return ""
	}
	res, _, err := h.run(t, map[string]string{"main.go": mainGo, "CHANGELOG.md": "# Changes\n"},
		modelfake.Calls(call("e1", "edit_file", map[string]any{"path": "main.go", "old": "helo", "new": "hello"})),
		modelfake.Calls(call("f1", "finish", map[string]string{"summary": "Fix typo."})),
		modelfake.Calls(call("e2", "edit_file", map[string]any{"path": "CHANGELOG.md", "old": "# Changes\n", "new": "# Changes\n- Fix typo\n"})),
		modelfake.Finish("Fix typo and note it."),
	)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(seen) != 2 || len(seen[0]) != 1 || len(seen[1]) != 2 {
		t.Errorf("Review saw %d change sets: %+v", len(seen), seen)
	}
	if got := results(res)["f1"]; !strings.HasPrefix(got, "error: ") || !strings.Contains(got, "also update the changelog") {
		t.Errorf("first finish result = %q", got)
	}
	if res.Stop != StopFinished || res.Summary != "Fix typo and note it." || len(res.Changes) != 2 {
		t.Errorf("stop %q summary %q changes %d", res.Stop, res.Summary, len(res.Changes))
	}
}

func TestPlanOnly(t *testing.T) {
	h := newHarness(t)
	h.agent.Review = func([]workspace.Change) string { return "must not be called in plan-only runs" }
	task := testTask
	task.PlanOnly = true
	res, _, err := h.runTask(t, task, map[string]string{"main.go": mainGo},
		modelfake.Calls(
			call("w1", "write_file", map[string]any{"path": "x.txt", "content": "x"}),
			call("e1", "edit_file", map[string]any{"path": "main.go", "old": "helo", "new": "hello"}),
			call("d1", "delete_file", map[string]any{"path": "main.go"}),
			call("r1", "read_file", map[string]any{"path": "main.go"}),
		),
		modelfake.Finish("Plan: change helo to hello in main.go."),
	)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.Changes) != 0 || res.Summary != "Plan: change helo to hello in main.go." {
		t.Errorf("changes %+v summary %q", res.Changes, res.Summary)
	}
	r := results(res)
	for _, id := range []string{"w1", "e1", "d1"} {
		if !strings.HasPrefix(r[id], "error: ") || !strings.Contains(r[id], "plan-only") {
			t.Errorf("%s = %q, want a plan-only refusal", id, r[id])
		}
	}
	if !strings.Contains(r["r1"], "helo") {
		t.Errorf("read in plan-only run = %q", r["r1"])
	}
	req := h.srv.Requests()[0]
	if want := []string{"list_files", "read_file", "search", "finish"}; !reflect.DeepEqual(req.Tools, want) {
		t.Errorf("tools offered = %v, want %v", req.Tools, want)
	}
	if !strings.Contains(req.Messages[0].Content, "plan-only") {
		t.Error("system prompt does not mention plan-only mode")
	}
}

func TestCancellation(t *testing.T) {
	t.Run("during a model call", func(t *testing.T) {
		h := newHarness(t)
		ws := workspace.New(workspace.NewSnapshot(map[string][]byte{"main.go": []byte(mainGo)}))
		h.srv.Script(
			modelfake.Calls(call("w1", "write_file", map[string]any{"path": "a.txt", "content": "a"})),
			modelfake.Reply{Content: "never", Delay: 10 * time.Second},
		)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		res, err := h.agent.Run(ctx, testTask, ws)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if time.Since(start) > 3*time.Second {
			t.Errorf("cancellation took %v", time.Since(start))
		}
		if res.Stop != StopCancelled || res.Turns != 1 || len(res.Changes) != 1 {
			t.Errorf("stop %q turns %d changes %d; want the partial result", res.Stop, res.Turns, len(res.Changes))
		}
	})
	t.Run("before the first call", func(t *testing.T) {
		h := newHarness(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res, err := h.agent.Run(ctx, testTask, nil)
		if !errors.Is(err, context.Canceled) || res.Stop != StopCancelled || len(h.srv.Requests()) != 0 {
			t.Errorf("err %v stop %q requests %d", err, res.Stop, len(h.srv.Requests()))
		}
	})
}

func TestTranscriptCapped(t *testing.T) {
	h := newHarness(t)
	big := strings.Repeat("z", 3*TranscriptFieldCap)
	res, _, err := h.run(t, map[string]string{"big.txt": big},
		modelfake.Calls(call("r1", "read_file", map[string]any{"path": "big.txt"})),
		modelfake.Finish("done"),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Transcript {
		if len(e.Content) > TranscriptFieldCap || len(e.Args) > TranscriptFieldCap || len(e.Result) > TranscriptFieldCap {
			t.Errorf("entry over the cap: %s/%s %d/%d/%d", e.Role, e.Tool, len(e.Content), len(e.Args), len(e.Result))
		}
	}
	if got := h.srv.Requests()[1].ToolResults()["r1"]; len(got) <= TranscriptFieldCap {
		t.Errorf("the model got only %d bytes; the cap is for the transcript, not the model", len(got))
	}
}

// TestConcurrentRuns drives several runs at once through one endpoint, each
// keyed by its issue, as the runner's workers will.
func TestConcurrentRuns(t *testing.T) {
	srv := modelfake.New()
	defer srv.Close()
	srv.HandleFunc(func(req modelfake.Request) modelfake.Reply {
		var n int
		if _, err := fmt.Sscanf(req.Messages[1].Content[strings.Index(req.Messages[1].Content, "Issue #"):], "Issue #%d", &n); err != nil {
			return modelfake.Error(400, "no issue number")
		}
		if len(req.Messages) == 2 {
			return modelfake.Calls(modelfake.Call("write_file", map[string]any{"path": fmt.Sprintf("issue-%d.txt", n), "content": fmt.Sprint(n)}))
		}
		return modelfake.Finish(fmt.Sprintf("Fixed #%d.", n))
	})
	a := &Agent{Model: NewOpenAIModel(srv.URL(), "sk-test", option.WithMaxRetries(0)), ModelName: testModel}
	var wg sync.WaitGroup
	for n := 1; n <= 6; n++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			task := Task{Repo: "octo/hello", Issue: Issue{Number: n, Title: "t"}}
			res, err := a.Run(context.Background(), task, workspace.New(nil))
			if err != nil {
				t.Errorf("issue %d: %v", n, err)
				return
			}
			want := []workspace.Change{{Path: fmt.Sprintf("issue-%d.txt", n), Content: []byte(fmt.Sprint(n)), Mode: workspace.ModeFile}}
			if !reflect.DeepEqual(res.Changes, want) || res.Summary != fmt.Sprintf("Fixed #%d.", n) {
				t.Errorf("issue %d: changes %+v summary %q", n, res.Changes, res.Summary)
			}
		}()
	}
	wg.Wait()
}

func TestProposals(t *testing.T) {
	propose := func(id, title string) modelfake.ToolCall {
		return call(id, "propose_issue", map[string]any{"title": title, "body": "Because."})
	}
	// Not offered, and refused, unless the task may propose.
	h := newHarness(t)
	res, _, err := h.run(t, map[string]string{"main.go": mainGo}, modelfake.Calls(propose("p0", "Idea")), modelfake.Finish("done"))
	if err != nil {
		t.Fatal(err)
	}
	if r := results(res)["p0"]; !strings.HasPrefix(r, "error: ") || len(res.Proposals) != 0 {
		t.Errorf("propose without MayPropose: %q, %+v", r, res.Proposals)
	}
	for _, tool := range h.srv.Requests()[0].Tools {
		if tool == "propose_issue" {
			t.Error("propose_issue offered without MayPropose")
		}
	}

	h = newHarness(t)
	task := testTask
	task.MayPropose = true
	res, _, err = h.runTask(t, task, map[string]string{"main.go": mainGo},
		modelfake.Calls(propose("p1", "One"), propose("p2", "Two"), propose("p3", "Three"), propose("p4", "Four"),
			call("p5", "propose_issue", map[string]any{"title": "", "body": "x"})),
		modelfake.Finish("done"),
	)
	if err != nil {
		t.Fatal(err)
	}
	r := results(res)
	if len(res.Proposals) != MaxProposals || res.Proposals[0].Title != "One" || res.Proposals[2].Title != "Three" {
		t.Errorf("proposals = %+v", res.Proposals)
	}
	if !strings.HasPrefix(r["p4"], "error: ") || !strings.HasPrefix(r["p5"], "error: ") {
		t.Errorf("over the cap or untitled: %q, %q", r["p4"], r["p5"])
	}
}
