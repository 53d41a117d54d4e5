// The tools' implementations: list, read, search, write, edit and delete files, propose issues, finish.

package agent

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/lifeos/lifeos/workspace"
)

// MaxProposals bounds the issues one run may propose: a few good ideas, not
// a flood of tickets for a human to triage.
const MaxProposals = 3

// maxSearchLineBytes cuts a matching line in search output: minified files
// have megabyte lines, and the path:line is what the model needs to go on.
const maxSearchLineBytes = 200

// Proposal is an issue the agent proposes as follow-up work.
type Proposal struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

func (tb *toolbox) propose(args string) (string, error) {
	var a struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return "", err
	}
	a.Title, a.Body = strings.TrimSpace(a.Title), strings.TrimSpace(a.Body)
	switch {
	case a.Title == "" || len(a.Title) > 256:
		return "", fmt.Errorf("title must be 1 to 256 characters")
	case len(a.Body) > tb.lim.MaxWriteBytes:
		return "", fmt.Errorf("body is over %d bytes", tb.lim.MaxWriteBytes)
	case len(tb.proposals) >= MaxProposals:
		return "", fmt.Errorf("this run has proposed %d issues already, the most it may", MaxProposals)
	}
	tb.proposals = append(tb.proposals, Proposal{Title: a.Title, Body: a.Body})
	return fmt.Sprintf("proposal %d recorded; it becomes an issue when the run ends", len(tb.proposals)), nil
}

// dirPrefix cleans an optional directory argument; "" means the root.
func dirPrefix(p *string) (string, error) {
	if p == nil || *p == "" || *p == "." || *p == "./" {
		return "", nil
	}
	return workspace.CleanPath(*p)
}

// under reports whether path is dir itself or inside it ("" is the root).
func under(path, dir string) bool {
	return dir == "" || path == dir || strings.HasPrefix(path, dir+"/")
}

func (tb *toolbox) listFiles(args string) (string, error) {
	var a struct {
		Path *string `json:"path"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return "", err
	}
	dir, err := dirPrefix(a.Path)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	n := 0
	for _, p := range tb.ws.Paths() {
		if !under(p, dir) {
			continue
		}
		n++
		if n <= tb.lim.MaxListFiles {
			b.WriteString(p)
			if tb.isSecret(p) {
				b.WriteString(secretMark)
			}
			b.WriteByte('\n')
		}
	}
	switch {
	case n == 0 && dir == "":
		return "(the repository has no files)", nil
	case n == 0:
		return "", fmt.Errorf("no files under %s", dir)
	case n > tb.lim.MaxListFiles:
		fmt.Fprintf(&b, "... %d more (list a subdirectory to see them)\n", n-tb.lim.MaxListFiles)
	}
	return b.String(), nil
}

// secretMark follows a secret file's path in list_files output.
const secretMark = " (secret: may not be read)"

// textFile returns a file's content if it exists, is text and is not secret.
func (tb *toolbox) textFile(path string) (string, []byte, error) {
	p, err := workspace.CleanPath(path)
	if err != nil {
		return "", nil, err
	}
	if tb.isSecret(p) {
		return "", nil, fmt.Errorf("reading %s is refused: it is a secret file (credentials, keys or environment), and its content must not reach you or anything LifeOS writes; work without it, e.g. by naming the variable it sets", p)
	}
	content, ok := tb.ws.File(p)
	switch {
	case !ok && tb.ws.IsDir(p):
		return "", nil, fmt.Errorf("%s is a directory; use list_files to see its files", p)
	case !ok:
		return "", nil, fmt.Errorf("%s does not exist (use list_files or search to find files)", p)
	}
	if bytes.IndexByte(content, 0) >= 0 {
		return "", nil, fmt.Errorf("%s is a binary file (%d bytes)", p, len(content))
	}
	return p, content, nil
}

// splitLines splits text into lines without their newlines; a final newline
// does not start another line.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func (tb *toolbox) readFile(args string) (string, error) {
	var a struct {
		Path      string `json:"path"`
		StartLine *int   `json:"start_line"`
		EndLine   *int   `json:"end_line"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return "", err
	}
	p, content, err := tb.textFile(a.Path)
	if err != nil {
		return "", err
	}
	lines := splitLines(string(content))
	total := len(lines)
	if total == 0 {
		return fmt.Sprintf("%s is empty", p), nil
	}
	start, end := 1, total
	if a.StartLine != nil {
		start = *a.StartLine
	}
	if a.EndLine != nil {
		end = min(*a.EndLine, total)
	}
	switch {
	case start < 1:
		return "", fmt.Errorf("start_line must be 1 or more, not %d", start)
	case start > total:
		return "", fmt.Errorf("start_line %d is past the end of %s (%d lines)", start, p, total)
	case end < start:
		return "", fmt.Errorf("end_line %d is before start_line %d", end, start)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d lines)\n", p, total)
	for i := start; i <= end; i++ {
		line := fmt.Sprintf("%d\t%s\n", i, lines[i-1])
		if b.Len()+len(line) > tb.lim.MaxReadBytes {
			if i == start {
				// One line alone is over the cap: show its beginning.
				b.WriteString(truncate(line, tb.lim.MaxReadBytes-b.Len()))
				b.WriteByte('\n')
				i++
			}
			fmt.Fprintf(&b, "... output cut at %d bytes after line %d of %d; use start_line and end_line to read more\n",
				tb.lim.MaxReadBytes, i-1, total)
			break
		}
		b.WriteString(line)
	}
	return b.String(), nil
}

func (tb *toolbox) search(args string) (string, error) {
	var a struct {
		Query string  `json:"query"`
		Path  *string `json:"path"`
		Regex *bool   `json:"regex"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return "", err
	}
	if a.Query == "" {
		return "", errors.New("query must not be empty")
	}
	dir, err := dirPrefix(a.Path)
	if err != nil {
		return "", err
	}
	match := func(line string) bool { return strings.Contains(line, a.Query) }
	if a.Regex != nil && *a.Regex {
		re, err := regexp.Compile(a.Query)
		if err != nil {
			return "", fmt.Errorf("invalid regular expression: %v", err)
		}
		match = re.MatchString
	}
	var b strings.Builder
	n := 0
	for _, p := range tb.ws.Paths() {
		if !under(p, dir) || tb.isSecret(p) {
			continue
		}
		content, _ := tb.ws.File(p)
		if bytes.IndexByte(content, 0) >= 0 {
			continue
		}
		for i, line := range splitLines(string(content)) {
			if !match(line) {
				continue
			}
			n++
			if n <= tb.lim.MaxSearchResults {
				fmt.Fprintf(&b, "%s:%d: %s\n", p, i+1, truncate(strings.TrimRight(line, "\r"), maxSearchLineBytes))
			}
		}
	}
	if n == 0 {
		return "no matches", nil
	}
	if n > tb.lim.MaxSearchResults {
		fmt.Fprintf(&b, "... %d more matches; narrow the query or the path\n", n-tb.lim.MaxSearchResults)
	}
	return b.String(), nil
}

// checkContent refuses content the workspace should not take.
func (tb *toolbox) checkContent(p string, content string) error {
	if len(content) > tb.lim.MaxWriteBytes {
		return fmt.Errorf("content for %s is %d bytes, over the limit of %d", p, len(content), tb.lim.MaxWriteBytes)
	}
	if strings.IndexByte(content, 0) >= 0 {
		return fmt.Errorf("content for %s contains a NUL byte; only text files can be written", p)
	}
	return nil
}

func (tb *toolbox) writeFile(args string) (string, error) {
	var a struct {
		Path    string  `json:"path"`
		Content *string `json:"content"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return "", err
	}
	p, err := workspace.CleanPath(a.Path)
	if err != nil {
		return "", err
	}
	if a.Content == nil {
		return "", errors.New("content is required")
	}
	if err := tb.checkContent(p, *a.Content); err != nil {
		return "", err
	}
	_, existed := tb.ws.File(p)
	if err := tb.ws.WriteFile(p, []byte(*a.Content)); err != nil {
		return "", err
	}
	verb := "created"
	if existed {
		verb = "wrote"
	}
	return fmt.Sprintf("%s %s (%d bytes)", verb, p, len(*a.Content)), nil
}

func (tb *toolbox) editFile(args string) (string, error) {
	var a struct {
		Path string  `json:"path"`
		Old  string  `json:"old"`
		New  *string `json:"new"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return "", err
	}
	p, content, err := tb.textFile(a.Path)
	if err != nil {
		return "", err
	}
	switch {
	case a.Old == "":
		return "", errors.New("old must not be empty; use write_file to write a whole file")
	case a.New == nil:
		return "", errors.New("new is required (use \"\" to delete the old text)")
	}
	text := string(content)
	switch n := strings.Count(text, a.Old); n {
	case 1:
	case 0:
		return "", fmt.Errorf("old text not found in %s (0 matches); read the file and copy the exact text, whitespace included", p)
	default:
		return "", fmt.Errorf("old text occurs %d times in %s (%d matches); include more surrounding lines so it matches exactly once", n, p, n)
	}
	updated := strings.Replace(text, a.Old, *a.New, 1)
	if err := tb.checkContent(p, updated); err != nil {
		return "", err
	}
	if err := tb.ws.WriteFile(p, []byte(updated)); err != nil {
		return "", err
	}
	return fmt.Sprintf("edited %s", p), nil
}

func (tb *toolbox) deleteFile(args string) (string, error) {
	var a struct {
		Path string `json:"path"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return "", err
	}
	p, err := workspace.CleanPath(a.Path)
	if err != nil {
		return "", err
	}
	if err := tb.ws.DeleteFile(p); err != nil {
		return "", err
	}
	return fmt.Sprintf("deleted %s", p), nil
}

// finishArgs parses the finish tool's arguments.
func finishArgs(args string) (string, error) {
	var a struct {
		Summary string `json:"summary"`
	}
	if err := decodeArgs(args, &a); err != nil {
		return "", err
	}
	if strings.TrimSpace(a.Summary) == "" {
		return "", errors.New("summary must not be empty")
	}
	return a.Summary, nil
}

// truncate cuts s to at most n bytes on a UTF-8 boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := max(n-len(mark), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
