// The markdown replies: help, usage and the errors for unknown verbs and stray arguments.

package commands

import (
	"strings"
	"unicode/utf8"
)

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
