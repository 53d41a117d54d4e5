package agent

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/openai/openai-go"
	"github.com/openai/openai-go/option"
)

// Defaults of NewOpenAIModel.
const (
	// DefaultModelRetries is how often a failed call (429, 5xx, no answer,
	// a timed-out attempt, an unreadable body) is tried again: two ride out
	// a blip without stalling a run for long when the endpoint is down.
	DefaultModelRetries = 2
	// DefaultModelTimeout bounds one HTTP attempt: long completions take a
	// few minutes, and a hung endpoint must not hold a worker forever.
	DefaultModelTimeout = 5 * time.Minute
	// DefaultRetryBase is the first backoff, doubled on each retry; it is
	// openai-go's own.
	DefaultRetryBase = 500 * time.Millisecond
	// DefaultRetryCap bounds one backoff (openai-go's own cap).
	DefaultRetryCap = 8 * time.Second
	// DefaultMaxRetryWait is the longest Retry-After a run waits out in
	// place; past it the worker is better given back and the job postponed
	// (PostponeError), since holding it idle starves other runs.
	DefaultMaxRetryWait = 2 * time.Minute
)

// Model is the seam to the LLM: one chat-completions call.
type Model interface {
	Complete(ctx context.Context, params openai.ChatCompletionNewParams) (*openai.ChatCompletion, error)
}

// Retry bounds the retries of one model call. The zero value retries
// nothing.
type Retry struct {
	// Retries is how many times a failed call is tried again.
	Retries int
	// Base is the first backoff, doubled on each retry up to Cap, and
	// jittered down by up to a half; zero means DefaultRetryBase.
	Base, Cap time.Duration
	// MaxWait is the longest Retry-After waited out; a longer one ends the
	// call with a *PostponeError. Zero means DefaultMaxRetryWait.
	MaxWait time.Duration
	// Sleep waits d or until ctx ends; nil waits on a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a duration in [0, d); nil draws one at random.
	Jitter func(d time.Duration) time.Duration
	// Now dates a PostponeError; nil means time.Now.
	Now func() time.Time
}

// DefaultRetry is the Retry of NewOpenAIModel.
func DefaultRetry() Retry {
	return Retry{Retries: DefaultModelRetries, Base: DefaultRetryBase, Cap: DefaultRetryCap, MaxWait: DefaultMaxRetryWait}
}

// PostponeError means the endpoint asked to be called again later than a
// run should wait in place (Retry-After over Retry.MaxWait): the caller
// postpones the work until Until instead of failing it.
type PostponeError struct {
	// Status is the HTTP status of the answer (429 or 503 usually).
	Status int
	// Wait is the Retry-After asked for, and Until the time it ends.
	Wait  time.Duration
	Until time.Time
	err   error
}

func (e *PostponeError) Error() string {
	return fmt.Sprintf("the endpoint asked to wait %s (HTTP %d)", e.Wait, e.Status)
}

// Unwrap returns the endpoint's error.
func (e *PostponeError) Unwrap() error { return e.err }

// OpenAIModel is a Model backed by openai-go, retrying failed calls by
// Retry.
type OpenAIModel struct {
	client openai.Client
	// Retry bounds the retries of each call; NewOpenAIModel sets
	// DefaultRetry.
	Retry Retry
}

// NewOpenAIModel returns a Model backed by openai-go's client against any
// OpenAI-compatible endpoint; baseURL "" means OpenAI's own. openai-go's
// own retries are turned off (option.WithMaxRetries(0)) because Retry does
// them: openai-go sleeps on a timer no test can replace, ignores a
// Retry-After of a minute or more, and retries neither a timed-out attempt
// nor a truncated or invalid body. opts come last and so override the
// defaults (e.g. option.WithHTTPClient).
func NewOpenAIModel(baseURL, apiKey string, opts ...option.RequestOption) *OpenAIModel {
	all := []option.RequestOption{
		option.WithAPIKey(apiKey),
		option.WithMaxRetries(0),
		option.WithRequestTimeout(DefaultModelTimeout),
	}
	if baseURL != "" {
		all = append(all, option.WithBaseURL(baseURL))
	}
	return &OpenAIModel{client: openai.NewClient(append(all, opts...)...), Retry: DefaultRetry()}
}

// Complete sends one chat-completions request, retrying it by m.Retry.
func (m *OpenAIModel) Complete(ctx context.Context, params openai.ChatCompletionNewParams) (*openai.ChatCompletion, error) {
	for attempt := 0; ; attempt++ {
		c, err := m.client.Chat.Completions.New(ctx, params)
		if err == nil {
			return c, nil
		}
		err = wordError(err)
		retry, why := m.Retry.next(ctx, attempt, err)
		if !retry {
			if why != nil {
				err = why
			}
			return nil, fmt.Errorf("chat completion with %s after %d attempts: %w", params.Model, attempt+1, err)
		}
	}
}

// wordError wraps an endpoint's error answer in statusError.
func wordError(err error) error {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		return &statusError{err: apiErr}
	}
	return err
}

// next decides whether a call that failed with err on attempt (0 first)
// is tried again, and waits before it. A non-nil error replaces err as
// why it is not: a *PostponeError, or ctx's end during the wait.
func (r Retry) next(ctx context.Context, attempt int, err error) (bool, error) {
	if ctx.Err() != nil || !retryable(err) {
		return false, nil
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	d, asked := retryAfter(err, now())
	if asked && d > or(r.MaxWait, DefaultMaxRetryWait) {
		return false, &PostponeError{Status: ModelStatus(err), Wait: d, Until: now().Add(d), err: err}
	}
	if attempt >= r.Retries {
		return false, nil
	}
	if !asked {
		d = r.backoff(attempt)
	}
	sleep := r.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	if err := sleep(ctx, d); err != nil {
		return false, fmt.Errorf("wait to retry: %w", err)
	}
	return true, nil
}

// backoff is the jittered wait before retry attempt+1.
func (r Retry) backoff(attempt int) time.Duration {
	d := or(r.Base, DefaultRetryBase)
	limit := or(r.Cap, DefaultRetryCap)
	for i := 0; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	jitter := r.Jitter
	if jitter == nil {
		jitter = func(d time.Duration) time.Duration { return rand.N(d) }
	}
	if half := d / 2; half > 0 {
		d -= jitter(half)
	}
	return d
}

// retryable reports whether a failed call may succeed when tried again:
// an error status that says so (408, 409, 429, 5xx), or no usable answer
// at all (unreachable, a timed-out attempt, a body cut short or not JSON).
func retryable(err error) bool {
	code := ModelStatus(err)
	switch {
	case code == 0:
		return true
	case code == http.StatusRequestTimeout, code == http.StatusConflict, code == http.StatusTooManyRequests:
		return true
	default:
		return code >= http.StatusInternalServerError
	}
}

// retryAfter reads the wait an error answer asks for, from Retry-After-Ms
// or Retry-After (seconds or an HTTP date).
func retryAfter(err error, now time.Time) (time.Duration, bool) {
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.Response == nil {
		return 0, false
	}
	h := apiErr.Response.Header
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms >= 0 {
		return time.Duration(ms * float64(time.Millisecond)), true
	}
	v := h.Get("Retry-After")
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// or is v, or fallback when v is zero.
func or[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
