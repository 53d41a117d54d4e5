package agent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/openai/openai-go"
	"github.com/openai/openai-go/option"
)

// Defaults of NewOpenAIModel.
const (
	// DefaultModelRetries is how often openai-go retries a failed call (429,
	// 5xx, connection errors): two rides out a blip without stalling a run
	// for long when the endpoint is really down.
	DefaultModelRetries = 2
	// DefaultModelTimeout bounds one HTTP attempt: long completions take a
	// few minutes, and a hung endpoint must not hold a worker forever.
	DefaultModelTimeout = 5 * time.Minute
)

// Model is the seam to the LLM: one chat-completions call.
type Model interface {
	Complete(ctx context.Context, params openai.ChatCompletionNewParams) (*openai.ChatCompletion, error)
}

// openAIModel is a Model backed by openai-go.
type openAIModel struct {
	client openai.Client
}

// NewOpenAIModel returns a Model backed by openai-go's client against any
// OpenAI-compatible endpoint; baseURL "" means OpenAI's own. opts come last
// and so override the defaults (e.g. option.WithHTTPClient, or
// option.WithMaxRetries(0) in tests).
func NewOpenAIModel(baseURL, apiKey string, opts ...option.RequestOption) Model {
	all := []option.RequestOption{
		option.WithAPIKey(apiKey),
		option.WithMaxRetries(DefaultModelRetries),
		option.WithRequestTimeout(DefaultModelTimeout),
	}
	if baseURL != "" {
		all = append(all, option.WithBaseURL(baseURL))
	}
	return &openAIModel{client: openai.NewClient(append(all, opts...)...)}
}

// Complete sends one chat-completions request.
func (m *openAIModel) Complete(ctx context.Context, params openai.ChatCompletionNewParams) (*openai.ChatCompletion, error) {
	c, err := m.client.Chat.Completions.New(ctx, params)
	if err != nil {
		var apiErr *openai.Error
		if errors.As(err, &apiErr) {
			return nil, fmt.Errorf("chat completion with %s: %w", params.Model, &statusError{err: apiErr})
		}
		return nil, fmt.Errorf("chat completion with %s: %w", params.Model, err)
	}
	return c, nil
}

// ModelStatus is the HTTP status of the model endpoint's error answer in
// err, or 0 when there was no answer (unreachable, timed out) or err is no
// endpoint error. Callers word a failure by it instead of quoting the
// endpoint's message, which may repeat the API key.
func ModelStatus(err error) int {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}

// statusError words an endpoint's error response briefly (status and
// message, not the request URL and raw body) while still unwrapping to
// openai-go's *openai.Error.
type statusError struct {
	err *openai.Error
}

func (e *statusError) Error() string {
	msg := e.err.Message
	if msg == "" {
		msg = http.StatusText(e.err.StatusCode)
	}
	return fmt.Sprintf("HTTP %d: %s", e.err.StatusCode, msg)
}

func (e *statusError) Unwrap() error { return e.err }
