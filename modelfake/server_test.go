package modelfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go"
	"github.com/openai/openai-go/option"

	"github.com/lifeos/lifeos/modelfake"
)

func client(s *modelfake.Server, opts ...option.RequestOption) *openai.Client {
	c := openai.NewClient(append([]option.RequestOption{
		option.WithBaseURL(s.URL()), option.WithAPIKey("sk-test"), option.WithMaxRetries(0),
	}, opts...)...)
	return &c
}

func params(msgs ...openai.ChatCompletionMessageParamUnion) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    "gpt-test",
		Messages: msgs,
		Tools: []openai.ChatCompletionToolParam{{Function: openai.FunctionDefinitionParam{
			Name:       "read_file",
			Parameters: openai.FunctionParameters{"type": "object", "properties": map[string]any{"path": map[string]any{"type": "string"}}},
		}}},
	}
}

func TestWireFormatDecodesInOpenAIGo(t *testing.T) {
	s := modelfake.New()
	defer s.Close()
	s.Script(
		modelfake.Reply{
			ToolCalls:    []modelfake.ToolCall{modelfake.Call("read_file", map[string]string{"path": "a.go"}), {Name: "oops", Arguments: `{"path": `}},
			PromptTokens: 7, CompletionTokens: 3,
		},
		modelfake.Text("all done"),
	)
	c := client(s)
	ctx := context.Background()

	first, err := c.Chat.Completions.New(ctx, params(openai.SystemMessage("sys"), openai.UserMessage("hi")))
	if err != nil {
		t.Fatalf("first call: %v", err)
	}
	if first.ID == "" || first.Object != "chat.completion" || first.Model != "gpt-test" || first.Created == 0 {
		t.Errorf("envelope = id %q object %q model %q created %d", first.ID, first.Object, first.Model, first.Created)
	}
	if len(first.Choices) != 1 {
		t.Fatalf("choices = %d, want 1", len(first.Choices))
	}
	ch := first.Choices[0]
	if ch.FinishReason != "tool_calls" || ch.Message.Role != "assistant" || ch.Message.Content != "" {
		t.Errorf("choice = finish %q role %q content %q", ch.FinishReason, ch.Message.Role, ch.Message.Content)
	}
	if len(ch.Message.ToolCalls) != 2 {
		t.Fatalf("tool calls = %d, want 2", len(ch.Message.ToolCalls))
	}
	tc0, tc1 := ch.Message.ToolCalls[0], ch.Message.ToolCalls[1]
	if tc0.ID == "" || tc0.ID == tc1.ID || tc0.Type != "function" || tc0.Function.Name != "read_file" || tc0.Function.Arguments != `{"path":"a.go"}` {
		t.Errorf("tool call 0 = %+v", tc0)
	}
	if tc1.Function.Name != "oops" || tc1.Function.Arguments != `{"path": ` {
		t.Errorf("malformed arguments not passed through raw: %+v", tc1.Function)
	}
	if u := first.Usage; u.PromptTokens != 7 || u.CompletionTokens != 3 || u.TotalTokens != 10 || !u.JSON.TotalTokens.Valid() {
		t.Errorf("usage = %+v", u)
	}

	// Answer both calls and go on: the pairing is valid.
	second, err := c.Chat.Completions.New(ctx, params(
		openai.SystemMessage("sys"), openai.UserMessage("hi"), ch.Message.ToParam(),
		openai.ToolMessage("package a", tc0.ID), openai.ToolMessage("error: bad json", tc1.ID),
	))
	if err != nil {
		t.Fatalf("second call: %v", err)
	}
	if got := second.Choices[0]; got.FinishReason != "stop" || got.Message.Content != "all done" || len(got.Message.ToolCalls) != 0 {
		t.Errorf("second choice = %+v", got)
	}
	if u := second.Usage; u.PromptTokens != modelfake.DefaultPromptTokens || u.CompletionTokens != modelfake.DefaultCompletionTokens {
		t.Errorf("default usage = %+v", u)
	}

	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %d, want 2", len(reqs))
	}
	r := reqs[1]
	if r.Model != "gpt-test" || len(r.Tools) != 1 || r.Tools[0] != "read_file" || r.Path != "/v1/chat/completions" {
		t.Errorf("request = model %q tools %v path %q", r.Model, r.Tools, r.Path)
	}
	if len(r.Messages) != 5 || r.Messages[2].Role != "assistant" || len(r.Messages[2].ToolCalls) != 2 || r.Messages[2].ToolCalls[0].ID != tc0.ID {
		t.Errorf("messages = %+v", r.Messages)
	}
	if got := r.ToolResults(); got[tc0.ID] != "package a" || got[tc1.ID] != "error: bad json" {
		t.Errorf("ToolResults = %v", got)
	}
	if r.LastUser() != "hi" {
		t.Errorf("LastUser = %q", r.LastUser())
	}
}

func TestValidationErrors(t *testing.T) {
	asst := openai.ChatCompletionMessage{Role: "assistant", ToolCalls: []openai.ChatCompletionMessageToolCall{
		{ID: "call_1", Function: openai.ChatCompletionMessageToolCallFunction{Name: "read_file", Arguments: "{}"}},
		{ID: "call_2", Function: openai.ChatCompletionMessageToolCallFunction{Name: "read_file", Arguments: "{}"}},
	}}
	tests := []struct {
		name      string
		msgs      []openai.ChatCompletionMessageParamUnion
		wantParam string
		wantMsg   string
	}{
		{"tool without assistant", []openai.ChatCompletionMessageParamUnion{
			openai.UserMessage("hi"), openai.ToolMessage("x", "call_1"),
		}, "messages.[1].role", "must be a response to a preceeding message with 'tool_calls'"},
		{"unknown tool_call_id", []openai.ChatCompletionMessageParamUnion{
			openai.UserMessage("hi"), asst.ToParam(), openai.ToolMessage("x", "call_9"),
		}, "messages.[2].tool_call_id", "call_9"},
		{"unanswered call before user message", []openai.ChatCompletionMessageParamUnion{
			openai.UserMessage("hi"), asst.ToParam(), openai.ToolMessage("x", "call_1"), openai.UserMessage("go on"),
		}, "messages.[1].role", "call_2"},
		{"unanswered call at end", []openai.ChatCompletionMessageParamUnion{
			openai.UserMessage("hi"), asst.ToParam(),
		}, "messages.[1].role", "call_1, call_2"},
		{"answered twice", []openai.ChatCompletionMessageParamUnion{
			openai.UserMessage("hi"), asst.ToParam(), openai.ToolMessage("x", "call_1"), openai.ToolMessage("x", "call_1"),
		}, "messages.[3].tool_call_id", "call_1"},
		{"empty messages", nil, "messages", "empty array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := modelfake.New()
			defer s.Close()
			s.Script(modelfake.Text("unreachable"))
			_, err := client(s).Chat.Completions.New(context.Background(), params(tt.msgs...))
			var apiErr *openai.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *openai.Error", err)
			}
			if apiErr.StatusCode != http.StatusBadRequest || apiErr.Type != "invalid_request_error" || apiErr.Param != tt.wantParam || !strings.Contains(apiErr.Message, tt.wantMsg) {
				t.Errorf("error = %d type %q param %q message %q", apiErr.StatusCode, apiErr.Type, apiErr.Param, apiErr.Message)
			}
		})
	}
}

func TestRawRequests(t *testing.T) {
	s := modelfake.New()
	defer s.Close()
	tests := []struct {
		name       string
		path       string
		auth       string
		body       string
		wantStatus int
		wantInBody string
	}{
		{"no auth", "/v1/chat/completions", "", `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 401, "invalid_api_key"},
		{"empty bearer", "/v1/chat/completions", "Bearer ", `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 401, "API key"},
		{"no model", "/v1/chat/completions", "Bearer k", `{"messages":[{"role":"user","content":"x"}]}`, 400, `"param":"model"`},
		{"bad json", "/v1/chat/completions", "Bearer k", `{"model":`, 400, "could not parse the JSON body"},
		{"bad role", "/v1/chat/completions", "Bearer k", `{"model":"m","messages":[{"role":"robot","content":"x"}]}`, 400, "robot"},
		{"bad tool name", "/v1/chat/completions", "Bearer k", `{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"a b"}}]}`, 400, "tools[0].function.name"},
		{"unknown path", "/v1/embeddings", "Bearer k", `{}`, 404, "unknown_url"},
		{"no v1 prefix, array content", "/chat/completions", "Bearer k", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hel"},{"type":"text","text":"lo"}]}]}`, 200, `"object":"chat.completion"`},
	}
	s.Script(modelfake.Text("fine"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, strings.TrimSuffix(s.URL(), "/v1/")+tt.path, strings.NewReader(tt.body))
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(buf.String(), tt.wantInBody) {
				t.Errorf("got %d %s, want %d containing %q", resp.StatusCode, buf.String(), tt.wantStatus, tt.wantInBody)
			}
			if tt.wantStatus >= 400 {
				var e struct {
					Error map[string]any `json:"error"`
				}
				if err := json.Unmarshal(buf.Bytes(), &e); err != nil {
					t.Fatalf("error body is not JSON: %v", err)
				}
				for _, k := range []string{"message", "type", "param", "code"} {
					if _, ok := e.Error[k]; !ok {
						t.Errorf("error body lacks %q: %s", k, buf.String())
					}
				}
			}
		})
	}
	reqs := s.Requests()
	if last := reqs[len(reqs)-1]; last.Path != "/chat/completions" || last.LastUser() != "hello" {
		t.Errorf("last request = path %q user %q", last.Path, last.LastUser())
	}
}

func TestErrorRepliesAndExhaustion(t *testing.T) {
	s := modelfake.New()
	defer s.Close()
	s.Script(
		modelfake.Reply{Status: 503, Content: "overloaded", RetryAfter: time.Millisecond},
		modelfake.Error(429, "slow down"),
	)
	ctx := context.Background()
	// With one retry and retry-after-ms, the 503 is retried at once and
	// the 429 is what the client finally reports.
	_, err := client(s, option.WithMaxRetries(1)).Chat.Completions.New(ctx, params(openai.UserMessage("x")))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Message != "slow down" || apiErr.Code != "rate_limit_exceeded" {
		t.Fatalf("err = %v", err)
	}
	_, err = client(s).Chat.Completions.New(ctx, params(openai.UserMessage("x")))
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Message != "script exhausted" {
		t.Fatalf("exhausted: err = %v", err)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("requests = %d, want 3", n)
	}
}

func TestDelayHonoursClientCancel(t *testing.T) {
	s := modelfake.New()
	defer s.Close()
	s.Script(modelfake.Reply{Content: "late", Delay: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client(s).Chat.Completions.New(ctx, params(openai.UserMessage("x")))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestHandleFuncConcurrent(t *testing.T) {
	s := modelfake.New()
	defer s.Close()
	s.Script(modelfake.Text("ignored: HandleFunc takes precedence"))
	s.HandleFunc(func(req modelfake.Request) modelfake.Reply {
		return modelfake.Text("echo " + req.LastUser())
	})
	c := client(s)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := fmt.Sprintf("issue %d", i)
			res, err := c.Chat.Completions.New(context.Background(), params(openai.UserMessage(msg)))
			if err != nil {
				errs <- err
				return
			}
			if got := res.Choices[0].Message.Content; got != "echo "+msg {
				errs <- fmt.Errorf("got %q for %q", got, msg)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(s.Requests()); n != 8 {
		t.Errorf("requests = %d, want 8", n)
	}
}
