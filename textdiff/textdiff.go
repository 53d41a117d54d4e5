// Package textdiff renders the change to a file as a unified diff for a
// terminal: what `lifeos demo` and `lifeos run` print of a run's commit.
// It is for reading, not for patch(1): hunks are exact, but a file too
// large to compare line by line is summarised in one line.
package textdiff

import (
	"fmt"
	"strings"
)

// Context is how many unchanged lines surround each change.
const Context = 3

// maxCells bounds the line-by-line comparison (old lines × new lines), so
// a generated file cannot make the diff take quadratic memory.
const maxCells = 4 << 20

// op is one line of the edit script: ' ' kept, '-' removed, '+' added.
type op struct {
	kind byte
	line string
}

// Unified is the diff of path from old to new ("" for a file that did not
// exist, or no longer does), with --- and +++ headers; "" if they are equal.
func Unified(path, old, new string) string {
	if old == new {
		return ""
	}
	from, to := "a/"+path, "b/"+path
	if old == "" {
		from = "/dev/null"
	}
	if new == "" {
		to = "/dev/null"
	}
	a, b := lines(old), lines(new)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", from, to)
	if len(a)*len(b) > maxCells {
		fmt.Fprintf(&sb, "@@ %d lines → %d lines (too large to compare line by line) @@\n", len(a), len(b))
		return sb.String()
	}
	writeHunks(&sb, script(a, b))
	return sb.String()
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

// script is the shortest edit script from a to b (longest common
// subsequence, by dynamic programming from the ends).
func script(a, b []string) []op {
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', a[i]})
			i++
		default:
			ops = append(ops, op{'+', b[j]})
			j++
		}
	}
	return ops
}

// writeHunks writes the changed lines of ops with Context lines around
// them, each hunk under its @@ header.
func writeHunks(sb *strings.Builder, ops []op) {
	for start := 0; start < len(ops); {
		first := start
		for first < len(ops) && ops[first].kind == ' ' {
			first++
		}
		if first == len(ops) {
			return
		}
		lo, hi := max(first-Context, 0), first
		for kept := 0; hi < len(ops) && kept <= 2*Context; hi++ {
			if ops[hi].kind == ' ' {
				kept++
			} else {
				kept = 0
			}
		}
		hi = min(hi, len(ops))
		for hi > first && ops[hi-1].kind == ' ' && trailing(ops[first:hi]) > Context {
			hi--
		}
		writeHunk(sb, ops, lo, hi)
		start = hi
	}
}

// trailing counts the unchanged lines at the end of ops.
func trailing(ops []op) int {
	n := 0
	for i := len(ops) - 1; i >= 0 && ops[i].kind == ' '; i-- {
		n++
	}
	return n
}

// writeHunk writes ops[lo:hi] under a header giving its line ranges.
func writeHunk(sb *strings.Builder, ops []op, lo, hi int) {
	aLine, bLine := 1, 1
	for _, o := range ops[:lo] {
		if o.kind != '+' {
			aLine++
		}
		if o.kind != '-' {
			bLine++
		}
	}
	var aN, bN int
	for _, o := range ops[lo:hi] {
		if o.kind != '+' {
			aN++
		}
		if o.kind != '-' {
			bN++
		}
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", span(aLine, aN), span(bLine, bN))
	for _, o := range ops[lo:hi] {
		sb.WriteByte(o.kind)
		sb.WriteString(o.line)
		if !strings.HasSuffix(o.line, "\n") {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// span is a hunk header's range: start,count, with start 0 for none.
func span(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start-1)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
