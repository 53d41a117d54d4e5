package agent

import (
	"testing"
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
		MaxSearchResults: DefaultMaxSearchResults, MaxListFiles: DefaultMaxListFiles}
	if got != want {
		t.Errorf("withDefaults = %+v, want %+v", got, want)
	}
}
