package policy

// maxEditScript is the most line edits CountLines searches for exactly.
// Myers' algorithm costs about D² steps for D edits, so this bounds it to a
// few milliseconds; a file with more changed lines than this is far past any
// sensible max_lines, and is then counted as fully rewritten.
const maxEditScript = 4096

// CountLines counts the lines added and removed between two versions of a
// file, as git diff --numstat would: a minimal line diff (Myers), where a
// last line without a newline differs from the same line with one. A nil or
// empty old is a creation (every line added), an empty new a deletion (every
// line removed). Changes bigger than maxEditScript edits are counted as every
// differing line removed and re-added, which errs high, never low.
func CountLines(oldData, newData []byte) (added, removed int) {
	a, b := splitLines(oldData), splitLines(newData)

	// Common head and tail lines are never part of a minimal diff; trimming
	// them makes typical small edits to big files cheap.
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(a) == 0 || len(b) == 0 {
		return len(b), len(a)
	}

	// Compare lines as small integers rather than strings.
	ids := map[string]int{}
	intern := func(lines []string) []int {
		out := make([]int, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	x, y := intern(a), intern(b)

	d, ok := myersDistance(x, y, maxEditScript)
	if !ok {
		return len(b), len(a)
	}
	// d = added + removed and len(b) - len(a) = added - removed.
	return (d + len(b) - len(a)) / 2, (d - len(b) + len(a)) / 2
}

// splitLines cuts data after each newline, keeping the newline so that a
// final line without one is a different line.
func splitLines(data []byte) []string {
	var lines []string
	start := 0
	for i, c := range data {
		if c == '\n' {
			lines = append(lines, string(data[start:i+1]))
			start = i + 1
		}
	}
	if start < len(data) {
		lines = append(lines, string(data[start:]))
	}
	return lines
}

// myersDistance is the length of the shortest insert/delete script turning a
// into b (Myers 1986, forward greedy search, O((N+M)D) time, O(limit)
// space), or false if it is longer than limit.
func myersDistance(a, b []int, limit int) (int, bool) {
	n, m := len(a), len(b)
	if diff := n - m; diff > limit || -diff > limit {
		return 0, false
	}
	limit = min(limit, n+m)
	off := limit + 1
	v := make([]int, 2*limit+3) // v[off+k]: furthest x on diagonal k
	for d := 0; d <= limit; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // step down: insert b[y]
			} else {
				x = v[off+k-1] + 1 // step right: delete a[x]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return d, true
			}
		}
	}
	return 0, false
}
