package runner

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/secrets"
)

// The texts LifeOS writes on GitHub: comments, commit messages, PR bodies.

// describeStop says, for a comment and the run's record, why a run ended
// without finishing: in plain words, never an error's text, which may quote
// an endpoint's message, a secret or a signed URL (the log has the error).
func describeStop(res *agent.Result, lim agent.Limits, err error) string {
	var repeat *agent.RepeatError
	switch {
	case errors.As(err, &repeat):
		return fmt.Sprintf("the model repeated the same call (%s) %d times without progress", repeat.Call(), repeat.Times)
	case errors.Is(err, agent.ErrTimeLimit):
		d := lim.MaxDuration
		if d <= 0 {
			d = agent.DefaultMaxDuration
		}
		return fmt.Sprintf("it reached its limit of %s without finishing", minutes(d))
	case errors.Is(err, agent.ErrTurnLimit):
		return fmt.Sprintf("it reached its limit of %d turns without finishing", res.Turns)
	case errors.Is(err, agent.ErrTokenLimit):
		return fmt.Sprintf("it reached its limit of tokens (%d used) without finishing", res.Tokens)
	case errors.Is(err, agent.ErrModel):
		return modelFailed(err)
	case errors.Is(err, agent.ErrNoFinish):
		return "the model stopped answering with tool calls before it finished"
	case errors.Is(err, agent.ErrRejected):
		return "its change was rejected by the repository's policy"
	default:
		return "it stopped on an internal error; the server's log has the details"
	}
}

// minutes words a duration in whole minutes: "20 minutes", "1 minute".
func minutes(d time.Duration) string {
	n := int(d.Round(time.Minute) / time.Minute)
	if n == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

// modelFailed words a model endpoint's failure by its HTTP status.
func modelFailed(err error) string {
	if code := agent.ModelStatus(err); code > 0 {
		return "the model endpoint answered " + statusText(code)
	}
	return "the model endpoint gave no answer LifeOS could use"
}

// githubFailed words a failed GitHub request by its HTTP status and what
// LifeOS was doing: "GitHub answered 502 Bad Gateway to creating the
// commit".
func githubFailed(doing string, err error) string {
	if code := gh.HTTPStatus(err); code > 0 {
		return fmt.Sprintf("GitHub answered %s to %s", statusText(code), doing)
	}
	return "GitHub gave no answer to " + doing
}

// statusText is an HTTP status as people read it: "401 Unauthorized".
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return strconv.Itoa(code)
}

func commitMessage(title string, issue int, trigger, summary string, runID int64) string {
	msg := fmt.Sprintf("%s (#%d)", title, issue)
	if trigger != "label" && trigger != TriggerTerminal {
		msg = fmt.Sprintf("%s: %s", trigger, msg)
	}
	if s := strings.TrimSpace(summary); s != "" {
		msg += "\n\n" + s
	}
	return secrets.Scrub(msg) + "\n\n" + runTrailer(runID)
}

// prBody is the body of a run's new PR.
func prBody(issue int, runID int64, wr written) string {
	var b strings.Builder
	if s := strings.TrimSpace(wr.summary); s != "" {
		b.WriteString(s)
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "Fixes #%d\n\n", issue)
	fmt.Fprintf(&b, "<sub>LifeOS run %d: %d turns, %d tokens, %d files changed. Review it like any other PR; nothing merges without you.</sub>\n",
		runID, wr.turns, wr.tokens, wr.files)
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
