package agent

import (
	"strings"
	"testing"

	"github.com/lifeos/lifeos/workspace"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello world", 8, "hello…"},
		{"ééééé", 7, "éé…"},
		{"ééééé", 6, "é…"}, // 3 bytes would split the second é
		{"abc", 1, "…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestTopLevel(t *testing.T) {
	tests := []struct {
		paths []string
		max   int
		want  string
	}{
		{nil, 5, "(the repository is empty)\n"},
		{[]string{"README.md", "go.mod", "src/a.go", "src/b/c.go"}, 5, "README.md\ngo.mod\nsrc/\n"},
		{[]string{"a", "b", "c/d", "e"}, 2, "a\nb\n... 2 more\n"},
	}
	for _, tt := range tests {
		if got := topLevel(tt.paths, tt.max); got != tt.want {
			t.Errorf("topLevel(%v, %d) = %q, want %q", tt.paths, tt.max, got, tt.want)
		}
	}
}

func TestLimitsDefaults(t *testing.T) {
	got := Limits{MaxTurns: 3, MaxReadBytes: -1}.withDefaults()
	want := Limits{MaxTurns: 3, MaxTokens: DefaultMaxTokens, MaxReadBytes: DefaultMaxReadBytes, MaxWriteBytes: DefaultMaxWriteBytes,
		MaxSearchResults: DefaultMaxSearchResults, MaxListFiles: DefaultMaxListFiles, MaxRepeats: DefaultMaxRepeats, MaxDuration: DefaultMaxDuration}
	if got != want {
		t.Errorf("withDefaults = %+v, want %+v", got, want)
	}
}

func TestSecretFilesAreNotShown(t *testing.T) {
	const key = "FAKE-KEY-0123456789"
	ws := workspace.New(workspace.NewSnapshot(map[string][]byte{
		".env":    []byte("API_KEY=" + key + "\n"),
		"main.go": []byte("package main // reads API_KEY\n"),
	}))
	tb := newToolbox(ws, Limits{}.withDefaults(), false, false, func(p string) bool { return p == ".env" })
	tests := []struct {
		tool, args string
		want       string // the result must contain this
	}{
		{toolListFiles, `{}`, ".env (secret: may not be read)\nmain.go\n"},
		{toolReadFile, `{"path":".env"}`, "error: reading .env is refused"},
		{toolReadFile, `{"path":"./.env"}`, "error: reading .env is refused"},
		{toolEditFile, `{"path":".env","old":"API_KEY","new":"X"}`, "error: reading .env is refused"},
		{toolSearch, `{"query":"API_KEY"}`, "main.go:1:"},
		{toolSearch, `{"query":"FAKE-KEY"}`, "no matches"},
		{toolReadFile, `{"path":"main.go"}`, "reads API_KEY"},
	}
	for _, tt := range tests {
		got := tb.call(tt.tool, tt.args)
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s %s = %q, want it to contain %q", tt.tool, tt.args, got, tt.want)
		}
		if strings.Contains(got, key) {
			t.Errorf("%s %s showed the secret: %q", tt.tool, tt.args, got)
		}
	}
}
