// Folding: large tool results that later calls superseded are replaced,
// in the requests that follow, by a short stub saying how to get them back.

package agent

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/openai/openai-go"

	"github.com/lifeos/lifeos/workspace"
)

// Folding's thresholds.
const (
	// FoldMinBytes is the smallest tool result worth folding: a stub costs
	// about a hundred bytes, and small results are cheap to keep.
	FoldMinBytes = 1024
	// FoldListingAfterTurns is how many turns a search or list_files
	// result is kept in full: long enough to act on its matches, after
	// which the model has read what it needed and can search again.
	FoldListingAfterTurns = 4
	// FoldReadAfterTurns is how many turns the latest read of a file the
	// run has not changed is kept after the file was last used (read,
	// listed or searched by path): context the model read and moved on
	// from. The latest read of a file the run changed is always kept.
	FoldReadAfterTurns = 8
)

// toolResult is what folding knows of one tool message of the run.
type toolResult struct {
	idx    int // its index in run.msgs
	id     string
	turn   int
	name   string
	path   string // the file (read, write, edit, delete) or directory (search, list)
	query  string
	from   int // read_file's first line; 0 for the whole file
	to     int // read_file's last line; 0 for the end
	size   int
	failed bool
	folded bool
}

// note remembers the tool message about to be appended to r.msgs.
func (r *run) note(turn int, id, name, args, out string) {
	var a struct {
		Path  string `json:"path"`
		Query string `json:"query"`
		Start int    `json:"start_line"`
		End   int    `json:"end_line"`
	}
	_ = json.Unmarshal([]byte(args), &a)
	p, _ := workspace.CleanPath(a.Path)
	r.results = append(r.results, toolResult{
		idx: len(r.msgs), id: id, turn: turn, name: name, path: p, query: a.Query,
		from: a.Start, to: a.End, size: len(out), failed: strings.HasPrefix(out, errorPrefix),
	})
}

// fold replaces, before the model call of turn, every large result that a
// later call superseded by its stub. A folded result stays folded, so what
// was sent before the first newly folded message is sent again byte for
// byte and stays in the provider's prompt cache.
func (r *run) fold(turn int) {
	if r.a.KeepToolResults {
		return
	}
	for i := range r.results {
		t := &r.results[i]
		if t.folded || t.failed || t.size < FoldMinBytes {
			continue
		}
		why := r.superseded(i, turn)
		if why == "" {
			continue
		}
		t.folded = true
		r.msgs[t.idx] = openai.ToolMessage(stub(t, why), t.id)
	}
}

// superseded says why the result at i is no longer needed in full, or ""
// if it is.
func (r *run) superseded(i, turn int) string {
	t := r.results[i]
	switch t.name {
	case toolReadFile:
		return r.staleRead(i, turn)
	case toolSearch, toolListFiles:
		for _, later := range r.results[i+1:] {
			if later.name == t.name && later.query == t.query && later.path == t.path && !later.failed {
				return "the same call was made again later"
			}
		}
		if turn-t.turn > FoldListingAfterTurns {
			return fmt.Sprintf("it is more than %d turns old", FoldListingAfterTurns)
		}
	}
	return ""
}

// staleRead says why the read at i is no longer needed in full: the file
// was changed or read again after it, or the run has not changed the file
// and not used it for FoldReadAfterTurns turns. The latest read of a file
// the run changed is never folded.
func (r *run) staleRead(i, turn int) string {
	t := r.results[i]
	lastUse, changed := t.turn, false
	for j, other := range r.results {
		if other.failed || other.path != t.path {
			continue
		}
		writes := other.name == toolWriteFile || other.name == toolEditFile || other.name == toolDeleteFile
		changed = changed || writes
		if j <= i {
			continue
		}
		lastUse = max(lastUse, other.turn)
		switch {
		case writes:
			return "the file was changed after this read"
		case other.name == toolReadFile && covers(other, t):
			return "the file was read again later"
		}
	}
	if !changed && turn-lastUse > FoldReadAfterTurns {
		return fmt.Sprintf("the file has not been used for %d turns", turn-lastUse)
	}
	return ""
}

// covers reports whether read a shows at least the lines read b showed.
func covers(a, b toolResult) bool {
	aFrom, bFrom := max(a.from, 1), max(b.from, 1)
	if aFrom > bFrom {
		return false
	}
	return a.to == 0 || (b.to != 0 && a.to >= b.to)
}

// stub is what a folded result becomes: what it was, why it was folded,
// and the call that gets it back.
func stub(t *toolResult, why string) string {
	switch t.name {
	case toolReadFile:
		args := map[string]any{"path": t.path}
		lines := "the whole file"
		if t.from > 0 || t.to > 0 {
			lines = fmt.Sprintf("lines %d to %s", max(t.from, 1), endText(t.to))
		}
		return fmt.Sprintf("[folded to save tokens: this read_file of %s (%s, %d bytes) is not shown again because %s. "+
			"Call read_file with %s to see the file as it is now.]", t.path, lines, t.size, why, argsText(args))
	default:
		args := map[string]any{}
		if t.query != "" {
			args["query"] = t.query
		}
		if t.path != "" {
			args["path"] = t.path
		}
		return fmt.Sprintf("[folded to save tokens: this %s result (%d bytes) is not shown again because %s. "+
			"Call %s with %s to get it again.]", t.name, t.size, why, t.name, argsText(args))
	}
}

func endText(to int) string {
	if to == 0 {
		return "the end"
	}
	return fmt.Sprint(to)
}

func argsText(args map[string]any) string {
	b, _ := json.Marshal(args)
	return string(b)
}
