package commands

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestParse(t *testing.T) {
	// want is "verb instructions" for a command, "reply: fragment" for a
	// reply that must contain fragment, or "" for nothing at all.
	tests := []struct {
		name, body, want string
	}{
		{"empty body", "", ""},
		{"only whitespace", " \n\t\n", ""},
		{"prose", "Thanks, looks good to me!", ""},

		{"retry", "/lifeos retry", "retry"},
		{"retry with instructions", "/lifeos retry also greet the universe", "retry also greet the universe"},
		{"retry multi-line", "/lifeos retry fix the test\nand keep the old name\n\nthanks", "retry fix the test\nand keep the old name\n\nthanks"},
		{"retry instructions on the next lines", "/lifeos retry\n\n  Rename Foo to Bar.  \n", "retry Rename Foo to Bar."},
		{"retry keeps code blocks verbatim", "/lifeos retry use this:\n```go\n  x := 1\n/lifeos stop\n```\n> quoted", "retry use this:\n```go\n  x := 1\n/lifeos stop\n```\n> quoted"},
		{"plan", "/lifeos plan", "plan"},
		{"plan with guidance", "/lifeos plan\tsmall steps, please", "plan small steps, please"},
		{"stop", "/lifeos stop", "stop"},
		{"status", "/lifeos status", "status"},
		{"help", "/lifeos help", "help"},
		{"approve", "/lifeos approve", "approve"},
		{"revert", "/lifeos revert", "revert"},
		{"revert is case-insensitive", "/lifeos Revert", "revert"},
		{"trailing spaces", "/lifeos stop   \t", "stop"},
		{"spaces between", "/lifeos    status", "status"},
		{"no-arg verb then prose lines", "/lifeos stop\nit is going in circles", "stop"},

		{"upper case", "/LIFEOS STOP", "stop"},
		{"mixed case keeps instruction case", "/LifeOS Retry Use CamelCase", "retry Use CamelCase"},
		{"unicode case fold is no verb", "/lifeos ſtop", "reply: `ſtop`"},

		{"one leading space", " /lifeos stop", "stop"},
		{"three leading spaces", "   /lifeos stop", "stop"},
		{"four leading spaces is code", "    /lifeos stop", ""},
		{"leading tab is code", "\t/lifeos stop", ""},
		{"non-breaking space before is not markdown indent", "\u00a0/lifeos stop", ""},
		{"non-breaking space after keyword", "/lifeos\u00a0stop", "stop"},

		{"bare keyword", "/lifeos", "reply: usage"},
		{"bare keyword with spaces", "/lifeos   \nretry", "reply: usage"},
		{"unknown verb", "/lifeos frobnicate", "reply: `frobnicate`"},
		{"unknown verb lists verbs", "/lifeos frobnicate now", "reply: `retry`"},
		{"verb with punctuation", "/lifeos stop.", "reply: `stop.`"},
		{"stop takes no arguments", "/lifeos stop now please", "reply: `/lifeos stop` takes no arguments (got `now please`)"},
		{"status takes no arguments", "/lifeos status of #3", "reply: `/lifeos status` takes no arguments"},
		{"help takes no arguments", "/lifeos help me", "reply: `/lifeos help` takes no arguments"},
		{"approve takes no arguments", "/lifeos approve it", "reply: `/lifeos approve` takes no arguments"},
		{"revert takes no arguments", "/lifeos revert #3", "reply: `/lifeos revert` takes no arguments"},
		{"backticks in echoed text", "/lifeos stop `x` ``y", "reply: got ``` `x` ``y ```"},
		{"long echo is cut", "/lifeos " + strings.Repeat("é", 100), "reply: `" + strings.Repeat("é", 40) + "…`"},

		{"keyword glued to verb", "/lifeosretry", ""},
		{"keyword glued to punctuation", "/lifeos: retry", ""},
		{"other slash command", "/lifeosx retry", ""},
		{"keyword mid-line", "please /lifeos retry", ""},
		{"inline code", "You can say `/lifeos retry` to retry.", ""},
		{"inline code at line start", "`/lifeos retry`", ""},
		{"list item", "- /lifeos retry", ""},

		{"quoted", "> /lifeos retry\nquoting the bot's advice", ""},
		{"quoted without space", ">/lifeos retry", ""},
		{"nested quote", ">> /lifeos retry", ""},
		{"nested quote with spaces", "> > /lifeos retry", ""},
		{"indented quote", " > /lifeos stop", ""},
		{"command after a quote", "> /lifeos retry\n\n/lifeos stop", "stop"},
		{"quoted fence opens nothing", "> ```\n/lifeos stop", "stop"},
		{"quoted comment opens nothing", "> <!--\n/lifeos stop", "stop"},

		{"backtick fence", "Try this:\n```\n/lifeos retry\n```", ""},
		{"tilde fence", "~~~\n/lifeos retry\n~~~", ""},
		{"fence with info string", "```bash\n/lifeos retry\n```", ""},
		{"indented fence", "   ```\n   /lifeos retry\n   ```", ""},
		{"fence in a list item", "1. run\n   ```\n   /lifeos retry\n   ```", ""},
		{"fence after a list marker", "- ```\n  /lifeos retry\n  ```", ""},
		{"unclosed fence runs to the end", "```\n/lifeos retry\n\n/lifeos stop", ""},
		{"command after a closed fence", "```\n/lifeos retry\n```\n/lifeos stop", "stop"},
		{"longer closing fence", "```\n/lifeos retry\n`````\n/lifeos stop", "stop"},
		{"shorter fence does not close", "````\n```\n/lifeos retry\n````", ""},
		{"other fence char does not close", "```\n~~~\n/lifeos retry\n```\n/lifeos stop", "stop"},
		{"closing fence takes no info", "```\n```go\n/lifeos retry\n```\n/lifeos stop", "stop"},
		{"four-space fence is code not a fence", "    ```\n/lifeos stop", "stop"},
		{"backticks in info string make inline code", "``` a ` b\n/lifeos stop", "stop"},
		{"tilde info may hold backticks", "~~~ a ` b\n/lifeos retry\n~~~", ""},

		{"html comment", "<!--\n/lifeos retry\n-->", ""},
		{"html comment on one line", "<!-- /lifeos retry -->", ""},
		{"html comment mid-line", "Done <!-- note\n/lifeos retry\n-->", ""},
		{"command after a comment", "<!-- template help -->\n/lifeos stop", "stop"},
		{"command after a multi-line comment", "<!--\n/lifeos retry\n-->\n/lifeos stop", "stop"},
		{"line closing a comment is not a command", "<!--\n--> /lifeos retry\n/lifeos stop", "stop"},
		{"reopened comment", "<!-- a --> b <!--\n/lifeos retry\n-->", ""},
		{"empty comment", "<!---->\n/lifeos stop", "stop"},
		{"shortest comment", "<!-->\n/lifeos stop", "stop"},
		{"comment opener in inline code", "type `<!--` to hide text\n/lifeos stop", "stop"},
		{"comment opener in a fence", "```\n<!--\n```\n/lifeos stop", "stop"},
		{"fence in a comment", "<!--\n```\n-->\n/lifeos stop", "stop"},
		{"unclosed comment", "<!--\n/lifeos retry", ""},

		{"first command wins", "/lifeos stop\n/lifeos retry", "stop"},
		{"first wrong command wins", "/lifeos stpo\n/lifeos stop", "reply: `stpo`"},
		{"command after prose", "Thanks!\n/lifeos retry please also greet the universe", "retry please also greet the universe"},
		{"command after prose and blank lines", "Looked at it.\n\nSome thoughts.\n\n/lifeos plan", "plan"},

		{"crlf", "Thanks!\r\n/lifeos retry fix it\r\nand test it\r\n", "retry fix it\nand test it"},
		{"crlf fence", "```\r\n/lifeos retry\r\n```\r\n/lifeos stop\r\n", "stop"},
		{"crlf no-arg verb", "/lifeos stop\r\n", "stop"},
		{"bare cr", "hi\r/lifeos stop", "stop"},
		{"byte order mark", "\ufeff/lifeos stop", "stop"},
		{"unicode instructions", "/lifeos retry traduis « bonjour » en 日本語 🎉", "retry traduis « bonjour » en 日本語 🎉"},
		{"unicode prose before", "Merci 🙏\n/lifeos status", "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Parse(tt.body)
			got := describe(p)
			if want, ok := strings.CutPrefix(tt.want, "reply: "); ok {
				if p.Reply == "" || !strings.Contains(p.Reply, want) {
					t.Errorf("Parse(%q) = %s, want a reply containing %q", tt.body, got, want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

// describe writes a Parsed as the tests' want strings do.
func describe(p Parsed) string {
	switch {
	case p.Command != nil && p.Reply != "":
		return "both command and reply"
	case p.Command != nil:
		return strings.TrimSpace(string(p.Command.Verb) + " " + p.Command.Instructions)
	case p.Reply != "":
		return "reply: " + p.Reply
	}
	return ""
}

// TestRepliesAreNotCommands proves the App's own comments, quoted or not,
// start nothing when they come back as comments.
func TestRepliesAreNotCommands(t *testing.T) {
	replies := []string{HelpText()}
	for _, body := range []string{
		"/lifeos",
		"/lifeos frobnicate",
		"/lifeos stop now please",
		"/lifeos status `/lifeos retry`",
		"/lifeos " + strings.Repeat("`", 50),
		"/lifeos approve <!--",
	} {
		p := Parse(body)
		if p.Reply == "" {
			t.Fatalf("Parse(%q) gave no reply", body)
		}
		replies = append(replies, p.Reply)
	}
	for _, v := range verbs {
		if v.args == "" {
			replies = append(replies, Parse("/lifeos "+string(v.verb)+" x").Reply)
		}
	}
	for _, r := range replies {
		if !strings.HasPrefix(r, marker) {
			t.Errorf("reply %q does not start with %q", r, marker)
		}
		if p := Parse(r); p != (Parsed{}) {
			t.Errorf("Parse(reply %q) = %s, want nothing", r, describe(p))
		}
		if p := Parse(quote(r)); p != (Parsed{}) {
			t.Errorf("Parse(quoted reply %q) = %s, want nothing", r, describe(p))
		}
	}
}

func TestHelpText(t *testing.T) {
	h := HelpText()
	for _, v := range verbs {
		if !strings.Contains(h, "| `/lifeos "+string(v.verb)) {
			t.Errorf("help has no row for %s:\n%s", v.verb, h)
		}
	}
	if !strings.Contains(h, "`/lifeos retry [instructions...]`") || !strings.Contains(h, "`/lifeos plan [guidance...]`") {
		t.Errorf("help does not show the arguments:\n%s", h)
	}
}

// quote turns every line of body into a block quote line, as GitHub's
// "Quote reply" does.
func quote(body string) string {
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	return "> " + strings.ReplaceAll(body, "\n", "\n> ")
}

// FuzzParse checks Parse on any comment body: it never panics, gives the
// same answer twice, sets at most one of Command and Reply, obeys only known
// verbs, and keeps the command line itself out of the instructions. Its
// corpus is checked in under testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "/lifeos", "/lifeos retry", "/lifeos retry do\nthis", "/LIFEOS STOP", "/lifeos stop now",
		"/lifeos frobnicate", "   /lifeos plan x", "    /lifeos stop", "> /lifeos retry", "```\n/lifeos retry\n```",
		"~~~\n/lifeos retry", "- ```\n  /lifeos retry\n  ```", "<!--\n/lifeos retry\n-->\n/lifeos stop",
		"`<!--` x\n/lifeos help", "a\r\n/lifeos status\r\n", "/lifeos\u00a0approve", "/lifeos ſtop", "/lifeos `a``b`",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		p := Parse(body)
		if again := Parse(body); !reflect.DeepEqual(p, again) {
			t.Fatalf("Parse(%q) is not deterministic: %s, then %s", body, describe(p), describe(again))
		}
		if p.Command != nil && p.Reply != "" {
			t.Fatalf("Parse(%q) set both Command and Reply", body)
		}
		if c := p.Command; c != nil {
			d, ok := lookup(c.Verb)
			if !ok {
				t.Fatalf("Parse(%q) gave unknown verb %q", body, c.Verb)
			}
			if d.args == "" && c.Instructions != "" {
				t.Fatalf("Parse(%q) gave %s instructions %q", body, c.Verb, c.Instructions)
			}
			if c.Instructions != strings.TrimSpace(c.Instructions) {
				t.Fatalf("Parse(%q) gave untrimmed instructions %q", body, c.Instructions)
			}
			checkCommandLineNotInInstructions(t, body, c)
		}
		if p.Reply != "" {
			if !strings.HasPrefix(p.Reply, marker) {
				t.Fatalf("Parse(%q) reply %q has no marker", body, p.Reply)
			}
			if again := Parse(p.Reply); again != (Parsed{}) {
				t.Fatalf("Parse(%q) reply %q parses as %s", body, p.Reply, describe(again))
			}
		}
		if q := Parse(quote(body)); q != (Parsed{}) {
			t.Fatalf("quoted %q parses as %s", body, describe(q))
		}
		crlf := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n"), "\n", "\r\n")
		if got, want := describe(Parse(crlf)), describe(p); got != want {
			t.Fatalf("Parse(%q) = %q but with CRLF %q", body, want, got)
		}
	})
}

// checkCommandLineNotInInstructions checks that c's instructions are the
// tail of body after the command line's "/lifeos verb": what precedes them,
// parsed alone, is the same command with no instructions. Were any of the
// command line (or an earlier line) in the instructions, that head would
// lack its verb.
func checkCommandLineNotInInstructions(t *testing.T, body string, c *Command) {
	t.Helper()
	if c.Instructions == "" {
		return
	}
	norm := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	norm = strings.TrimRightFunc(strings.TrimPrefix(norm, "\uFEFF"), unicode.IsSpace)
	head, ok := strings.CutSuffix(norm, c.Instructions)
	if !ok {
		t.Fatalf("Parse(%q): instructions %q are not the end of the comment", body, c.Instructions)
	}
	if h := Parse(head); h.Command == nil || h.Command.Verb != c.Verb || h.Command.Instructions != "" {
		t.Fatalf("Parse(%q): instructions %q hold part of the command line: the text before them, %q, parses as %q",
			body, c.Instructions, head, describe(h))
	}
}
