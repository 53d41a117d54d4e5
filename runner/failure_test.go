package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v89/github"
	"github.com/openai/openai-go"
	"github.com/riverqueue/river"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/store"
)

// leakyKey is an API key a model endpoint quotes back in its 401 message.
const leakyKey = "sk-live-0123456789abcdef"

// failingModel answers every call with err.
type failingModel struct{ err error }

func (m failingModel) Complete(context.Context, openai.ChatCompletionNewParams) (*openai.ChatCompletion, error) {
	return nil, m.err
}

// endpointError is the error openai-go returns for an error answer.
func endpointError(code int, message string) error {
	u, _ := url.Parse("https://models.example/v1/chat/completions")
	apiErr := &openai.Error{StatusCode: code, Message: message,
		Request: &http.Request{Method: http.MethodPost, URL: u}, Response: &http.Response{StatusCode: code}}
	return fmt.Errorf("chat completion with %s: %w", testModel, apiErr)
}

// A failed run's comment and /lifeos status say what failed in plain
// words, never the raw error text.
func TestFailureIsWordedPlainly(t *testing.T) {
	ghErr := &github.ErrorResponse{Message: "Server Error ref=abc?token=ghs_SECRET",
		Response: &http.Response{StatusCode: http.StatusBadGateway, Request: &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/git/commits"}}}}
	tests := []struct {
		name  string
		setup func(h *harness)
		say   string
		leaks []string
	}{
		{
			name: "model 401",
			setup: func(h *harness) {
				h.runner.Model = failingModel{endpointError(http.StatusUnauthorized, "Incorrect API key provided: "+leakyKey)}
			},
			say:   "the model endpoint answered 401 Unauthorized",
			leaks: []string{leakyKey, "Incorrect API key"},
		},
		{
			name: "model unreachable",
			setup: func(h *harness) {
				h.runner.Model = failingModel{fmt.Errorf(`Post "https://models.example/v1?key=%s": connection refused`, leakyKey)}
			},
			say:   "the model endpoint gave no answer LifeOS could use",
			leaks: []string{leakyKey, "connection refused"},
		},
		{
			name: "the model repeats a call",
			setup: func(h *harness) {
				read := toolCall{"read_file", map[string]any{"path": "README.md"}}
				h.model.then(reply(t, read), reply(t, read), reply(t, read), reply(t, read), reply(t, finish("never")))
			},
			say: "the model repeated the same call (read_file README.md) 4 times without progress",
		},
		{
			name: "the run's wall-clock limit",
			setup: func(h *harness) {
				now := testNow
				h.runner.Now = func() time.Time { now = now.Add(8 * time.Minute); return now }
				list := toolCall{"list_files", map[string]any{}}
				h.model.then(reply(t, list), reply(t, list), reply(t, list), reply(t, finish("late")))
			},
			say: "it reached its limit of 20 minutes without finishing",
		},
		{
			name: "GitHub 502 on the commit",
			setup: func(h *harness) {
				h.model.then(reply(t, writeFile("greet.txt", "hello")), reply(t, finish("Greets.")))
				h.gh.fail["CommitOnBranch"] = fmt.Errorf("commit on lifeos/issue-7 of octo/hello: %w", ghErr)
			},
			say:   "GitHub answered 502 Bad Gateway to creating the commit",
			leaks: []string{"ghs_SECRET", "Server Error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tt.setup(h)
			if err := h.work(h.labelJob("alice", "lifeos:do")); err != nil {
				t.Fatal(err)
			}
			if err := h.work(h.commandJob("alice", "status", 7)); err != nil {
				t.Fatal(err)
			}
			said := h.gh.commentsOn(7)
			if len(said) != 2 || !strings.Contains(said[0], tt.say) || !strings.Contains(said[1], tt.say) {
				t.Fatalf("comments = %q, want a failure and a status saying %q", said, tt.say)
			}
			for _, leak := range tt.leaks {
				if text := strings.Join(said, "\n") + h.latest().Error; strings.Contains(text, leak) {
					t.Errorf("comments or stored reason hold %q:\n%s", leak, text)
				}
			}
		})
	}
}

// An endpoint asking to wait longer than a run waits in place postpones
// the job (a snooze spends no attempt) instead of failing the run.
func TestLongRetryAfterPostponesRun(t *testing.T) {
	h := newHarness(t)
	until := testNow.Add(10 * time.Minute)
	h.runner.Model = failingModel{fmt.Errorf("%w on turn 1: %w", agent.ErrModel,
		&agent.PostponeError{Status: http.StatusTooManyRequests, Wait: 10 * time.Minute, Until: until})}
	err := h.work(h.labelJob("alice", "lifeos:do"))
	var snooze *river.JobSnoozeError
	if !errors.As(err, &snooze) || snooze.Duration != 10*time.Minute {
		t.Fatalf("err = %v, want a snooze of 10m", err)
	}
	if run := h.latest(); run.Status != store.StatusRunning {
		t.Errorf("run status = %q, want it left running for the retry", run.Status)
	}
	for _, c := range h.gh.commentsOn(7) {
		if strings.Contains(c, "could not finish") {
			t.Errorf("a postponed run was reported failed: %q", c)
		}
	}
}
