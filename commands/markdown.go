// The markdown scanner that tells command lines from quoted, fenced, indented and commented-out ones.

package commands

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanner follows the markdown blocks that hide a line from being a
// command, one line at a time. It knows just enough CommonMark for that:
// fenced code, block quotes, indented code and HTML comments.
type scanner struct {
	fenceChar   byte // '`' or '~' inside a fenced code block, else 0
	fenceLen    int  // length of the opening fence
	fenceIndent int  // most columns of indentation a closing fence may have
	comment     bool // inside an HTML comment
}

// command advances the scanner over one line and reports whether the line
// is a command line, with the text after /lifeos.
func (s *scanner) command(line string) (string, bool) {
	if s.comment {
		s.scanComments(line)
		return "", false
	}
	if s.fenceChar != 0 {
		if s.closesFence(line) {
			s.fenceChar = 0
		}
		return "", false
	}
	cols, rest := indent(line)
	if cols <= 3 && strings.HasPrefix(rest, ">") {
		// A quote (of the App's reply, say) is inert: nothing in it opens
		// a fence or a comment that would hide the lines after it.
		return "", false
	}
	if s.opensFence(line) {
		return "", false
	}
	if cols <= 3 && isCommand(rest) {
		return rest[len(keyword):], true
	}
	s.scanComments(line)
	return "", false
}

// isCommand reports whether s starts with the keyword, in any ASCII case,
// followed by whitespace or nothing.
func isCommand(s string) bool {
	if len(s) < len(keyword) || asciiLower(s[:len(keyword)]) != keyword {
		return false
	}
	if len(s) == len(keyword) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[len(keyword):])
	return unicode.IsSpace(r)
}

// indent measures a line's leading spaces and tabs in columns (tabs stop
// every four columns) and returns the rest of the line.
func indent(line string) (int, string) {
	cols := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case ' ':
			cols++
		case '\t':
			cols += 4 - cols%4
		default:
			return cols, line[i:]
		}
	}
	return cols, ""
}

// opensFence starts a fenced code block if line opens one, at the top level
// or after list item markers ("- ```", "1. ~~~").
func (s *scanner) opensFence(line string) bool {
	cols, rest := indent(line)
	if cols > 3 {
		return false
	}
	for {
		c, n := fenceRun(rest)
		if n >= 3 && (c == '~' || !strings.Contains(rest[n:], "`")) {
			s.fenceChar, s.fenceLen = c, n
			// In a list item the closing fence may be indented as far as
			// the item's content, plus the usual three spaces.
			s.fenceIndent = 3 + len(line) - len(rest)
			return true
		}
		after, ok := cutListMarker(rest)
		if !ok {
			return false
		}
		rest = strings.TrimLeft(after, " \t")
	}
}

// closesFence reports whether line closes the open fenced code block.
func (s *scanner) closesFence(line string) bool {
	cols, rest := indent(line)
	c, n := fenceRun(rest)
	return cols <= s.fenceIndent && c == s.fenceChar && n >= s.fenceLen && strings.Trim(rest[n:], " \t") == ""
}

// fenceRun returns the run of backticks or tildes s starts with.
func fenceRun(s string) (byte, int) {
	if s == "" || (s[0] != '`' && s[0] != '~') {
		return 0, 0
	}
	n := 1
	for n < len(s) && s[n] == s[0] {
		n++
	}
	return s[0], n
}

// cutListMarker removes a bullet ("-", "*", "+") or ordered ("1.", "2)")
// list marker and the whitespace that must follow it.
func cutListMarker(s string) (string, bool) {
	n := 0
	switch {
	case s != "" && strings.ContainsRune("-*+", rune(s[0])):
		n = 1
	default:
		for n < len(s) && n < 9 && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		if n == 0 || n >= len(s) || (s[n] != '.' && s[n] != ')') {
			return "", false
		}
		n++
	}
	if n >= len(s) || (s[n] != ' ' && s[n] != '\t') {
		return "", false
	}
	return s[n:], true
}

// scanComments follows HTML comments opening and closing along text.
// Openings inside inline code spans don't count. Like GitHub, it treats a
// comment anywhere in a line as hiding everything up to its close.
func (s *scanner) scanComments(text string) {
	for {
		if s.comment {
			i := strings.Index(text, "-->")
			if i < 0 {
				return
			}
			s.comment, text = false, text[i+len("-->"):]
			continue
		}
		i := commentStart(text)
		if i < 0 {
			return
		}
		text = text[i+len("<!--"):]
		// "<!-->" and "<!--->" are whole (empty) comments.
		switch {
		case strings.HasPrefix(text, ">"):
			text = text[1:]
		case strings.HasPrefix(text, "->"):
			text = text[2:]
		default:
			s.comment = true
		}
	}
}

// commentStart finds the first "<!--" in text outside inline code spans,
// or -1.
func commentStart(text string) int {
	for i := 0; i < len(text); {
		if text[i] == '`' {
			_, n := fenceRun(text[i:])
			if end := closingTicks(text[i+n:], n); end >= 0 {
				i += n + end + n
			} else {
				i += n
			}
			continue
		}
		if strings.HasPrefix(text[i:], "<!--") {
			return i
		}
		i++
	}
	return -1
}

// closingTicks finds the first run of exactly n backticks in s, or -1.
func closingTicks(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		_, m := fenceRun(s[i:])
		if m == n {
			return i
		}
		i += m
	}
	return -1
}
