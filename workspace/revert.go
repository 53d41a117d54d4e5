package workspace

import (
	"bytes"
	"sort"
)

// Inverse is the change that undoes a merged change: for each path the
// change touched, the content it had before (or its deletion, for a file
// the change added), applied to now. A path whose content in now is not
// what the change left (someone changed it since) is a conflict: the
// inverse would undo their work too, so it is listed and nothing is
// changed. Paths come back sorted.
func Inverse(paths []string, before, after, now *Snapshot) (changes []Change, conflicts []string) {
	seen := map[string]bool{}
	sorted := append([]string(nil), paths...)
	sort.Strings(sorted)
	for _, p := range sorted {
		if seen[p] {
			continue
		}
		seen[p] = true
		left, inAfter := after.File(p)
		current, inNow := now.File(p)
		if inAfter != inNow || !bytes.Equal(left, current) || (inNow && after.Mode(p) != now.Mode(p)) {
			conflicts = append(conflicts, p)
			continue
		}
		old, inBefore := before.File(p)
		switch {
		case inBefore:
			changes = append(changes, Change{Path: p, Content: old, Mode: before.Mode(p)})
		case inNow:
			changes = append(changes, Change{Path: p, Delete: true, Mode: now.Mode(p)})
		}
	}
	if len(conflicts) > 0 {
		return nil, conflicts
	}
	return changes, nil
}
