package textdiff

import (
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	long := func(from, to int, mark map[int]string) string {
		var sb strings.Builder
		for i := from; i <= to; i++ {
			if m, ok := mark[i]; ok {
				sb.WriteString(m + "\n")
				continue
			}
			sb.WriteString("line " + string(rune('a'+i%26)) + "\n")
		}
		return sb.String()
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"equal", "a\n", "a\n", ""},
		{"one line changed", "# Hi\n\nHello, wrold!\n", "# Hi\n\nHello, world!\n",
			"--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n # Hi\n \n-Hello, wrold!\n+Hello, world!\n"},
		{"added file", "", "x\ny\n", "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n"},
		{"removed file", "x\n", "", "--- a/f\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n"},
		{"no newline at end", "a\n", "a\nb", "--- a/f\n+++ b/f\n@@ -1,1 +1,2 @@\n a\n+b\n\\ No newline at end of file\n"},
		{"two hunks far apart", long(0, 20, nil), long(0, 20, map[int]string{1: "ONE", 18: "EIGHTEEN"}),
			"--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n line a\n-line b\n+ONE\n line c\n line d\n line e\n" +
				"@@ -16,6 +16,6 @@\n line p\n line q\n line r\n-line s\n+EIGHTEEN\n line t\n line u\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Unified("f", tt.old, tt.new); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
