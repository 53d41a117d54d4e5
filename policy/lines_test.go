package policy

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

func TestCountLines(t *testing.T) {
	tests := []struct {
		name           string
		old, new       string
		added, removed int
	}{
		{"both empty", "", "", 0, 0},
		{"identical", "a\nb\nc\n", "a\nb\nc\n", 0, 0},
		{"creation", "", "a\nb\nc\n", 3, 0},
		{"creation without final newline", "", "a\nb", 2, 0},
		{"deletion", "a\nb\nc\n", "", 0, 3},
		{"append a line", "a\nb\n", "a\nb\nc\n", 1, 0},
		{"prepend a line", "b\nc\n", "a\nb\nc\n", 1, 0},
		{"change one line", "a\nb\nc\n", "a\nB\nc\n", 1, 1},
		{"remove a middle line", "a\nb\nc\n", "a\nc\n", 0, 1},
		{"add a final newline", "a\nb", "a\nb\n", 1, 1},
		{"swap two lines", "a\nb\n", "b\na\n", 1, 1},
		{"rewrite", "a\nb\nc\n", "x\ny\n", 2, 3},
		{"repeated lines", "x\nx\nx\n", "x\nx\n", 0, 1},
		{"interleaved", "a\nb\nc\nd\ne\n", "a\nx\nc\ny\ne\nz\n", 3, 2},
		{"crlf is part of the line", "a\r\nb\r\n", "a\nb\r\n", 1, 1},
		{"classic abcabba/cbabac", "a\nb\nc\na\nb\nb\na\n", "c\nb\na\nb\na\nc\n", 2, 3}, // D = 5, as in Myers' paper
	}
	for _, tt := range tests {
		added, removed := CountLines([]byte(tt.old), []byte(tt.new))
		if added != tt.added || removed != tt.removed {
			t.Errorf("%s: CountLines = +%d -%d, want +%d -%d", tt.name, added, removed, tt.added, tt.removed)
		}
	}
}

// lcsCount is the obviously right O(N*M) answer, to check CountLines against.
func lcsCount(a, b []string) (added, removed int) {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return len(b) - dp[0][0], len(a) - dp[0][0]
}

func TestCountLinesMatchesLCS(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	gen := func(n int) string {
		var b strings.Builder
		for range n {
			fmt.Fprintf(&b, "%c\n", 'a'+rng.Intn(4))
		}
		if rng.Intn(4) == 0 {
			b.WriteString("tail") // no final newline
		}
		return b.String()
	}
	for i := range 2000 {
		old, new := gen(rng.Intn(30)), gen(rng.Intn(30))
		added, removed := CountLines([]byte(old), []byte(new))
		wa, wr := lcsCount(splitLines([]byte(old)), splitLines([]byte(new)))
		if added != wa || removed != wr {
			t.Fatalf("case %d: CountLines(%q, %q) = +%d -%d, want +%d -%d", i, old, new, added, removed, wa, wr)
		}
	}
}

func numbered(n int, prefix string) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("%s line %d\n", prefix, i)
	}
	return lines
}

func TestCountLinesLargeInputs(t *testing.T) {
	// A few scattered edits in a big file: exact and quick.
	old := numbered(50_000, "x")
	new := append([]string(nil), old...)
	for i := 100; i < len(new); i += 5000 {
		new[i] = "changed\n"
	}
	start := time.Now()
	added, removed := CountLines([]byte(strings.Join(old, "")), []byte(strings.Join(new, "")))
	if added != 10 || removed != 10 {
		t.Errorf("scattered edits: +%d -%d, want +10 -10", added, removed)
	}

	// Two unrelated big files: past the exact search, counted as a rewrite.
	a, b := numbered(20_000, "a"), numbered(30_000, "b")
	added, removed = CountLines([]byte(strings.Join(a, "")), []byte(strings.Join(b, "")))
	if added != 30_000 || removed != 20_000 {
		t.Errorf("rewrite: +%d -%d, want +30000 -20000", added, removed)
	}

	// Interleaved so that common lines exist but the diff is huge: the
	// fallback must still err high, never low.
	c := make([]string, 0, 20_000)
	for i := range 10_000 {
		c = append(c, a[i], fmt.Sprintf("new %d\n", i))
	}
	added, removed = CountLines([]byte(strings.Join(a[:10_000], "")), []byte(strings.Join(c, "")))
	if added < 10_000 || removed < 0 {
		t.Errorf("interleaved: +%d -%d, want at least +10000", added, removed)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("large inputs took %v", d)
	}
}

func BenchmarkCountLinesWorstCase(b *testing.B) {
	x := []byte(strings.Join(numbered(20_000, "a"), ""))
	y := []byte(strings.Join(numbered(20_000, "b"), ""))
	// Shared lines every so often keep the trimming and the no-common-line
	// shortcut from helping.
	for b.Loop() {
		CountLines(x, append(y, x[:100]...))
	}
}
