package runner

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/secrets"
)

// The texts LifeOS writes on GitHub: comments, commit messages, PR bodies.

// describeStop says, for a comment, why a run ended without finishing.
func describeStop(res *agent.Result, err error) string {
	switch {
	case errors.Is(err, agent.ErrTurnLimit):
		return fmt.Sprintf("it reached its limit of %d turns without finishing", res.Turns)
	case errors.Is(err, agent.ErrTokenLimit):
		return fmt.Sprintf("it reached its limit of tokens (%d used) without finishing", res.Tokens)
	case errors.Is(err, agent.ErrModel):
		return "the model endpoint failed: " + oneLine(err.Error())
	case errors.Is(err, agent.ErrNoFinish):
		return "the model stopped answering with tool calls before it finished"
	case errors.Is(err, agent.ErrRejected):
		return "its change was rejected: " + oneLine(err.Error())
	default:
		return oneLine(err.Error())
	}
}

func commitMessage(title string, issue int, trigger, summary string) string {
	msg := fmt.Sprintf("%s (#%d)", title, issue)
	if trigger != "label" {
		msg = fmt.Sprintf("%s: %s", trigger, msg)
	}
	if s := strings.TrimSpace(summary); s != "" {
		msg += "\n\n" + s
	}
	return secrets.Scrub(msg)
}

func prBody(issue int, runID int64, res *agent.Result) string {
	var b strings.Builder
	if s := strings.TrimSpace(res.Summary); s != "" {
		b.WriteString(s)
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "Fixes #%d\n\n", issue)
	fmt.Fprintf(&b, "<sub>LifeOS run %d: %d turns, %d tokens, %d files changed. Review it like any other PR; nothing merges without you.</sub>\n",
		runID, res.Turns, res.Tokens, len(res.Changes))
	return secrets.Scrub(b.String())
}

func quote(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return "> " + strings.ReplaceAll(s, "\n", "\n> ")
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
