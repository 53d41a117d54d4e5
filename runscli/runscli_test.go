package runscli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/store"
)

var testNow = time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)

// seed writes three runs into a SQLite database in a temporary directory
// and returns the directory: run 1 on o/a (denied, 2024-03-01), run 2 on
// o/b (succeeded with decisions, two charged calls, files and a
// transcript, 2024-03-02) and run 3 on o/a (failed, 2024-03-04).
func seed(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	s := store.New(db, func() time.Time { return clock })
	start := func(repo string, issue int, status string) int64 {
		r, err := s.StartRun(ctx, store.NewRun{Repo: repo, InstallationID: 1, IssueNumber: issue,
			DeliveryID: clock.String(), Trigger: "label", Actor: "alice", Status: status})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	denied := start("o/a", 1, store.StatusDenied)
	must(t, s.RecordDecision(ctx, denied, false, "trigger.role", "alice has read access; write is needed"))
	clock = time.Date(2024, 3, 2, 10, 0, 0, 0, time.UTC)
	ok := start("o/b", 7, store.StatusRunning)
	must(t, s.RecordDecision(ctx, ok, true, "trigger.role", "alice can write"))
	must(t, s.RecordDecision(ctx, ok, true, "budget.run", "$0.50 left of $2.00"))
	for seq, cost := range []int64{1500, 2500} {
		must(t, s.RecordCall(ctx, store.ModelCall{RunID: ok, Seq: seq + 1, Model: "gpt-x", PromptTokens: 100, CompletionTokens: 20, TotalTokens: 120}))
		_, err := s.Charge(ctx, store.Charge{RunID: ok, Seq: seq + 1, Repo: "o/b", InstallationID: 1, Model: "gpt-x", CostMicros: cost})
		must(t, err)
	}
	must(t, s.RecordChanges(ctx, ok, []store.FileChange{{Path: "main.go", Added: 3, Removed: 1, Bytes: 420}}))
	transcript := `[{"turn":0,"role":"user","content":"Fix the bug\nin main"},` +
		`{"turn":1,"role":"tool","tool":"read_file","tool_call_id":"c1","args":"{\"path\":\"main.go\"}","result":"` +
		strings.Repeat("x", 300) + `"},{"turn":2,"role":"assistant","content":"done \u001b[31mred"}]`
	must(t, s.FinishRun(ctx, ok, store.Outcome{Status: store.StatusSucceeded, Model: "gpt-x", Turns: 2,
		PromptTokens: 200, CompletionTokens: 40, TotalTokens: 240, Branch: "lifeos/issue-7", CommitSHA: "abc123",
		PRNumber: 8, Summary: "Fixed it", Transcript: transcript}))
	clock = time.Date(2024, 3, 4, 23, 30, 0, 0, time.UTC)
	failed := start("o/a", 2, store.StatusRunning)
	must(t, s.FinishRun(ctx, failed, store.Outcome{Status: store.StatusFailed, Error: "model: 500"}))
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// runCLI runs the runs command on the database in dir.
func runCLI(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := Command{
		Open: func(ctx context.Context) (*store.Store, func() error, error) {
			db, err := store.OpenReadOnly(ctx, "", dir)
			if err != nil {
				return nil, nil, err
			}
			return store.New(db, nil), db.Close, nil
		},
		Now: func() time.Time { return testNow }, Stdout: &out, Stderr: &errOut,
	}
	code = c.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

func TestListTable(t *testing.T) {
	dir := seed(t)
	code, out, errOut := runCLI(t, dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	want := [][]string{
		{"ID", "ISSUE", "TRIGGER", "STATUS", "TURNS", "TOKENS", "COST", "PR", "AGE"},
		{"3", "o/a#2", "label", "by", "alice", "failed", "0", "0", "$0.00", "-", "12h"},
		{"2", "o/b#7", "label", "by", "alice", "succeeded", "2", "240", "$0.004", "#8", "3d"},
		{"1", "o/a#1", "label", "by", "alice", "denied", "0", "0", "$0.00", "-", "4d"},
	}
	if len(lines) != len(want) {
		t.Fatalf("table:\n%s", out)
	}
	for i, w := range want {
		if got := strings.Fields(lines[i]); strings.Join(got, " ") != strings.Join(w, " ") {
			t.Errorf("line %d = %q, want fields %q", i, lines[i], w)
		}
	}
	// The columns line up: every row's STATUS starts where the header's does.
	col := strings.Index(lines[0], "STATUS")
	for _, l := range lines[1:] {
		if l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("misaligned row %q", l)
		}
	}
}

func TestListJSONAndFilters(t *testing.T) {
	dir := seed(t)
	tests := []struct {
		args []string
		ids  []int64
	}{
		{[]string{"--json"}, []int64{3, 2, 1}},
		{[]string{"--json", "--repo", "o/a"}, []int64{3, 1}},
		{[]string{"--status", "succeeded", "--json"}, []int64{2}},
		{[]string{"--json", "--limit", "2"}, []int64{3, 2}},
		{[]string{"--json", "--repo", "o/none"}, nil},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, dir, tt.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errOut)
		}
		var got []RunLine
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if l == "" {
				continue
			}
			var r RunLine
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%v: line %q: %v", tt.args, l, err)
			}
			got = append(got, r)
		}
		if len(got) != len(tt.ids) {
			t.Fatalf("%v: %d runs, want %v:\n%s", tt.args, len(got), tt.ids, out)
		}
		for i, r := range got {
			if r.ID != tt.ids[i] {
				t.Errorf("%v: run %d is %d, want %d", tt.args, i, r.ID, tt.ids[i])
			}
			if r.ID == 2 && (r.Cost != "0.004" || r.CostMicros != 4000 || r.PR != 8 || r.Actor != "alice" || r.TotalTokens != 240 || r.Commit != "abc123") {
				t.Errorf("run 2 = %+v", r)
			}
		}
	}
	if _, out, _ := runCLI(t, dir, "--repo", "o/none"); out != "No runs.\n" {
		t.Errorf("empty table = %q", out)
	}
}

func TestShow(t *testing.T) {
	dir := seed(t)
	code, out, errOut := runCLI(t, dir, "show", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Run 2: o/b#7, succeeded", "Trigger:  label by alice", "Created:  2024-03-02T10:00:00Z (3d ago)",
		"gpt-x, 2 turns, 240 tokens (200 prompt, 40 completion), $0.004", "Commit:   abc123", "PR:       #8",
		"Decisions (2):", " 1 allow trigger.role: alice can write", " 2 allow budget.run: $0.50 left of $2.00",
		"Model calls (2):", " 1 gpt-x: 100 prompt + 20 completion = 120 tokens, $0.0015", " 2 gpt-x: 100 prompt + 20 completion = 120 tokens, $0.0025",
		"main.go +3 -1, 420 bytes",
		"Transcript (3 entries, 2 turns; --transcript prints it whole):", "turn 0 user: Fix the bug in main",
		`turn 1 tool: read_file({"path":"main.go"}) -> ` + strings.Repeat("x", FoldWidth) + "… (200 more characters)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("show printed a terminal escape:\n%q", out)
	}

	_, whole, _ := runCLI(t, dir, "show", "--transcript", "2")
	if !strings.Contains(whole, strings.Repeat("x", 300)) || !strings.Contains(whole, "Fix the bug\nin main") {
		t.Errorf("--transcript did not print the transcript whole:\n%s", whole)
	}

	_, denied, _ := runCLI(t, dir, "show", "1")
	for _, want := range []string{" 1 deny  trigger.role: alice has read access; write is needed", "Transcript: none recorded", "PR:       -"} {
		if !strings.Contains(denied, want) {
			t.Errorf("show 1 lacks %q:\n%s", want, denied)
		}
	}
	_, failed, _ := runCLI(t, dir, "show", "3")
	if !strings.Contains(failed, "Error:    model: 500") {
		t.Errorf("show 3 lacks the error:\n%s", failed)
	}
}

func TestExport(t *testing.T) {
	dir := seed(t)
	code, out, errOut := runCLI(t, dir, "export", "--since", "2024-03-02", "--until", "2024-03-04")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want runs 2 and 3 (until includes its day):\n%s", out)
	}
	var first, second ExportLine
	must(t, json.Unmarshal([]byte(lines[0]), &first))
	must(t, json.Unmarshal([]byte(lines[1]), &second))
	if first.ID != 2 || second.ID != 3 {
		t.Fatalf("ids %d, %d; want 2, 3 oldest first", first.ID, second.ID)
	}
	if len(first.Decisions) != 2 || first.Decisions[1].Rule != "budget.run" || !first.Decisions[1].Allow ||
		len(first.Calls) != 2 || first.Calls[1].CostMicros != 2500 || first.Calls[1].Cost != "0.0025" ||
		first.Cost != "0.004" || len(first.Changes) != 1 || first.Changes[0].Bytes != 420 || first.Summary != "Fixed it" {
		t.Errorf("run 2 = %+v", first)
	}
	if second.Error != "model: 500" || second.Decisions == nil || second.Calls == nil {
		t.Errorf("run 3 = %+v", second)
	}

	_, out, _ = runCLI(t, dir, "export", "--since", "2024-03-01")
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("since alone: %d runs, want 3", n)
	}
}

// TestBadInput: each mistake exits 2 with a message saying what is wrong.
func TestBadInput(t *testing.T) {
	dir := seed(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"show", "99"}, "no run 99"},
		{[]string{"show", "abc"}, `run id "abc"`},
		{[]string{"show"}, "one run id"},
		{[]string{"--limit", "0"}, "--limit 0"},
		{[]string{"--limit", "many"}, "invalid value"},
		{[]string{"--status", "exploded"}, `--status "exploded"`},
		{[]string{"--repo", "noslash"}, "owner/name"},
		{[]string{"--colour"}, "flag provided but not defined: -colour"},
		{[]string{"frob"}, `unexpected argument "frob"`},
		{[]string{"export"}, "needs --since"},
		{[]string{"export", "--since", "2024-13-01"}, `--since "2024-13-01": want a date as YYYY-MM-DD`},
		{[]string{"export", "--since", "yesterday"}, "want a date as YYYY-MM-DD"},
		{[]string{"export", "--since", "2024-03-02", "--until", "03/04/2024"}, `--until "03/04/2024"`},
		{[]string{"export", "--since", "2024-03-02", "--until", "2024-03-01"}, "is before --since"},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, dir, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 2 and %q", tt.args, code, errOut, out, tt.want)
		}
	}
	if code, _, errOut := runCLI(t, t.TempDir()); code != 2 || !strings.Contains(errOut, "no LifeOS database") {
		t.Errorf("no database: exit %d, %q", code, errOut)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{-time.Second: "0s", 40 * time.Second: "40s",
		12 * time.Minute: "12m", 5 * time.Hour: "5h", 47 * time.Hour: "47h", 72 * time.Hour: "3d"} {
		if got := age(d); got != want {
			t.Errorf("age(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSubjectOfAScheduleRun(t *testing.T) {
	if got := subject("octo/app", 7, "lifeos/issue-7"); got != "octo/app#7" {
		t.Errorf("issue run: %q", got)
	}
	if got := subject("octo/app", -3, "lifeos/schedule-nightly-docs"); got != "octo/app lifeos/schedule-nightly-docs" {
		t.Errorf("schedule run: %q", got)
	}
}
