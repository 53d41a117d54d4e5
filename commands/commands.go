// The verbs and Parse, which finds the command in a comment body.

// Package commands parses the /lifeos commands people write in issue and
// pull request comments. Parse is a pure function from a comment body to a
// command or a markdown reply; it reads the body the way GitHub renders it,
// so text in quotes, code and HTML comments is never obeyed.
package commands

import (
	"strings"
	"unicode"
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
	// Revert opens a pull request undoing a merged LifeOS pull request.
	Revert Verb = "revert"
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
	{Revert, "", "On a merged LifeOS PR: opens a PR that undoes it, on a new branch; if its files changed since, says so and changes nothing."},
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
