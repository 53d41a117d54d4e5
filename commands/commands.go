// Package commands parses the /lifeos commands people write in issue and
// pull request comments. Parse is a pure function from a comment body to a
// command or a markdown reply; it reads the body the way GitHub renders it,
// so text in quotes, code and HTML comments is never obeyed.
package commands

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Verb names what a command asks LifeOS to do.
type Verb string

// The verbs LifeOS obeys.
const (
	// Retry runs the agent again, steered by the command's instructions.
	Retry Verb = "retry"
	// Stop stops the active run.
	Stop Verb = "stop"
	// Plan asks for a plan as a comment, changing no code.
	Plan Verb = "plan"
	// Status reports the current or last run.
	Status Verb = "status"
	// Help replies with HelpText.
	Help Verb = "help"
	// Approve approves a plan waiting for approval.
	Approve Verb = "approve"
)

// Command is a valid command found in a comment.
type Command struct {
	// Verb is what the command asks for; always one of the constants above.
	Verb Verb
	// Instructions is the text after a retry or plan verb: the rest of its
	// line and every following line of the comment, trimmed. It may be
	// empty, and is always empty for the other verbs.
	Instructions string
}

// Parsed is what a comment body holds for LifeOS. At most one field is set;
// both are zero for a comment that does not try a command.
type Parsed struct {
	// Command is the comment's command, nil when it holds no valid command.
	Command *Command
	// Reply is markdown to post back when the comment tried a command and
	// got it wrong (unknown verb, bad arguments); "" otherwise.
	Reply string
}

// keyword starts every command line.
const keyword = "/lifeos"

// marker starts every reply, so people (and logs) can tell LifeOS's answers
// apart; no reply holds a line that Parse would read as a command.
const marker = "**LifeOS**"

// maxEcho is how many characters of a user's text a reply quotes back: enough
// to recognise a typo, too few to turn LifeOS into a megaphone.
const maxEcho = 40

// verb describes one verb for parsing and for the help table.
type verb struct {
	verb  Verb
	args  string // argument synopsis; "" for verbs that take none
	about string
}

// verbs lists every verb in the order help shows them.
var verbs = []verb{
	{Retry, "[instructions...]", "Runs the agent again on the PR's branch with the issue, the previous run's summary, your instructions (the rest of the comment) and the PR's review comments from trusted users; adds a commit. On the issue: the same on its open LifeOS PR, or a fresh run if there is none."},
	{Plan, "[guidance...]", "The agent replies with a plan as a comment and changes no code."},
	{Stop, "", "Stops the active run at its next model call; it pushes nothing it has not already pushed."},
	{Status, "", "Replies with the current or last run: state, turns, tokens, PR, commit."},
	{Help, "", "Replies with this table."},
	{Approve, "", "Approves a pending plan where the repository's policy asks for approval first."},
}

// lookup returns the description of v, if v is a verb.
func lookup(v Verb) (verb, bool) {
	for _, d := range verbs {
		if d.verb == v {
			return d, true
		}
	}
	return verb{}, false
}

// Parse finds the first command line in a comment body. A command line
// starts with /lifeos (after at most three spaces) outside fenced code,
// block quotes and HTML comments. A valid command becomes Command; a
// command line that is wrong becomes a usage Reply; a body without a
// command line gives the zero Parsed.
func Parse(body string) Parsed {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	body = strings.TrimPrefix(body, "\uFEFF")
	lines := strings.Split(body, "\n")
	var s scanner
	for i, line := range lines {
		if rest, ok := s.command(line); ok {
			return parseCommand(rest, lines[i+1:])
		}
	}
	return Parsed{}
}

// parseCommand reads the text after /lifeos on a command line; following
// are the comment's lines after it.
func parseCommand(rest string, following []string) Parsed {
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	if rest == "" {
		return Parsed{Reply: usage()}
	}
	word, args := rest, ""
	if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
		word, args = rest[:i], rest[i:]
	}
	d, ok := lookup(Verb(asciiLower(word)))
	if !ok {
		return Parsed{Reply: unknown(word)}
	}
	if d.args != "" {
		text := strings.TrimSpace(args + "\n" + strings.Join(following, "\n"))
		return Parsed{Command: &Command{Verb: d.verb, Instructions: text}}
	}
	// Only the command's own line counts: prose on later lines is fine.
	if args = strings.TrimSpace(args); args != "" {
		return Parsed{Reply: noArgs(d.verb, args)}
	}
	return Parsed{Command: &Command{Verb: d.verb}}
}

// HelpText is the markdown reply to /lifeos help: a table of every command
// and what it does.
func HelpText() string {
	var b strings.Builder
	b.WriteString(marker + " commands. Write one at the start of a line in a comment on an issue or on a LifeOS pull request; " +
		"quoted lines, code blocks, HTML comments and inline code are not commands, and only the first command in a comment counts.\n\n")
	b.WriteString("| Command | What it does |\n| --- | --- |\n")
	for _, d := range verbs {
		b.WriteString("| `" + synopsis(d) + "` | " + d.about + " |\n")
	}
	return b.String()
}

// usage is the reply to a bare /lifeos: the help table in one sentence.
func usage() string {
	list := make([]string, len(verbs))
	for i, d := range verbs {
		list[i] = "`" + strings.TrimSpace(string(d.verb)+" "+d.args) + "`"
	}
	return marker + " usage: `" + keyword + " <command>`, where the command is one of " + strings.Join(list, ", ") +
		". Comment `" + keyword + " " + string(Help) + "` for what each does."
}

// unknown is the reply to a verb LifeOS does not know.
func unknown(word string) string {
	list := make([]string, len(verbs))
	for i, d := range verbs {
		list[i] = "`" + string(d.verb) + "`"
	}
	return marker + " does not know the command " + codeSpan(word) + ". The commands are " + strings.Join(list, ", ") +
		"; comment `" + keyword + " " + string(Help) + "` for what each does."
}

// noArgs is the reply to arguments after a verb that takes none.
func noArgs(v Verb, args string) string {
	cmd := "`" + keyword + " " + string(v) + "`"
	return marker + ": " + cmd + " takes no arguments (got " + codeSpan(args) + "). Write " + cmd + " alone on its line."
}

// synopsis is a verb's full command line for the help table.
func synopsis(d verb) string {
	return strings.TrimSpace(keyword + " " + string(d.verb) + " " + d.args)
}

// codeSpan quotes a user's text as inline code, cut to maxEcho characters,
// so that it renders literally: no mentions, links or markup.
func codeSpan(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) > maxEcho {
		n := 0
		for i := range s {
			if n == maxEcho {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	// The fence must be longer than any backtick run inside, and a space
	// keeps a leading or trailing backtick from joining the fence.
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// asciiLower lowercases ASCII letters only, so that no Unicode case folding
// (the long s, the Kelvin sign) can spell a verb.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

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
