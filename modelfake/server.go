// Package modelfake is a scripted test double of OpenAI's chat-completions
// endpoint. It serves over HTTP (net/http/httptest) with OpenAI's wire
// format and request validation, so that tests exercise the real openai-go
// client end to end: point the client's base URL at URL(), queue replies with
// Script (or answer dynamically with HandleFunc), and read back what the
// client sent with Requests.
package modelfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for Reply fields left zero.
const (
	// DefaultPromptTokens is the prompt_tokens reported when a Reply sets
	// none; non-zero so that token accounting is visible in tests.
	DefaultPromptTokens = 100
	// DefaultCompletionTokens is the completion_tokens reported when a Reply
	// sets none.
	DefaultCompletionTokens = 20
	// maxBodyBytes bounds a request body; a runaway client in a test should
	// fail loudly rather than eat memory.
	maxBodyBytes = 32 << 20
	// systemFingerprint is reported on every completion, as OpenAI does.
	systemFingerprint = "fp_modelfake"
)

// toolNamePattern is what OpenAI accepts as a function name.
var toolNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// ToolCall is one function call: scripted in a Reply, or recorded in a
// Request's assistant message.
type ToolCall struct {
	// ID is the tool_call id. Scripts may leave it empty and the server
	// makes up a unique one.
	ID string
	// Name is the function's name.
	Name string
	// Arguments is the raw JSON text of the arguments; scripts may put
	// malformed JSON here on purpose.
	Arguments string
}

// Reply is what the server answers to one request.
type Reply struct {
	// ToolCalls, if any, become the message's tool_calls and the
	// finish_reason is "tool_calls".
	ToolCalls []ToolCall
	// Content is the assistant's text; for an error reply (Status set) it is
	// the error message.
	Content string
	// Status, if 400 or above, makes the reply an OpenAI error response with
	// that HTTP status (e.g. 500, 429).
	Status int
	// RetryAfter, if set on an error reply, is sent as the retry-after-ms
	// header, which openai-go honours; tests use it to make retries fast.
	RetryAfter time.Duration
	// PromptTokens and CompletionTokens are the usage to report; zero means
	// DefaultPromptTokens and DefaultCompletionTokens (or, in the caching
	// mode, the prompt's estimated size).
	PromptTokens, CompletionTokens int
	// CachedTokens is reported as usage.prompt_tokens_details.cached_tokens;
	// zero reports none (or, in the caching mode, the cached prefix).
	CachedTokens int
	// Delay holds the reply back, or until the client gives up.
	Delay time.Duration
	// Header holds extra response headers, e.g. a Retry-After in seconds
	// as OpenAI sends it.
	Header http.Header
	// Body, if set, is sent as is as a 200 JSON answer in place of the
	// completion: tests use it for truncated or invalid bodies.
	Body string
	// Drop closes the connection without an answer, as a proxy or a
	// crashed endpoint does.
	Drop bool
}

// Message is one message of a recorded request.
type Message struct {
	// Role is system, developer, user, assistant or tool.
	Role string
	// Content is the text; array content is joined from its text parts.
	Content string
	// ToolCallID is set on tool messages.
	ToolCallID string
	// ToolCalls are set on assistant messages that called tools.
	ToolCalls []ToolCall
}

// Request is one chat-completions request as the server received it.
type Request struct {
	// Path is the URL path that was requested.
	Path string
	// Model is the requested model.
	Model string
	// Messages are the conversation sent.
	Messages []Message
	// Tools are the names of the function tools offered, in order.
	Tools []string
	// Body is the raw JSON body, for assertions on anything else.
	Body json.RawMessage
}

// LastUser returns the content of the request's last user message, or "".
func (r Request) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// ToolResults returns the contents of the tool messages at the end of the
// request (the answers to the previous assistant message's calls), keyed by
// tool_call_id.
func (r Request) ToolResults() map[string]string {
	out := map[string]string{}
	for i := len(r.Messages) - 1; i >= 0 && r.Messages[i].Role == "tool"; i-- {
		out[r.Messages[i].ToolCallID] = r.Messages[i].Content
	}
	return out
}

// Server is the fake endpoint. It is safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	script   []Reply
	handler  func(Request) Reply
	requests []Request
	seq      int
	// caching is the caching mode (see Caching); prompts are the prompts
	// it has seen.
	caching bool
	prompts [][]byte
	// models are what GET /models lists (SetModels).
	models []string
}

// SetModels sets the model ids GET /models lists; none by default (the
// double answers any model name).
func (s *Server) SetModels(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models = append([]string(nil), ids...)
}

// serveModels answers GET /models as OpenAI does: a list of model objects.
func (s *Server) serveModels(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	data := []map[string]any{}
	for _, id := range s.models {
		data = append(data, map[string]any{"id": id, "object": "model", "created": 1700000000, "owned_by": "modelfake"})
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data})
}

// New starts a Server; Close it when done.
func New() *Server {
	s := &Server{}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/chat/completions", s.serveCompletions)
	mux.HandleFunc("/chat/completions", s.serveCompletions)
	mux.HandleFunc("GET /v1/models", s.serveModels)
	mux.HandleFunc("GET /models", s.serveModels)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "", "unknown_url",
			fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), 0)
	})
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the base URL to give openai-go (option.WithBaseURL).
func (s *Server) URL() string { return s.srv.URL + "/v1/" }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Script queues replies, served in order after any already queued. When the
// queue runs out the server answers 500 "script exhausted".
func (s *Server) Script(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, replies...)
}

// HandleFunc answers every valid request with f instead of the script. f
// may be called concurrently.
func (s *Server) HandleFunc(f func(req Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler = f
}

// Requests returns the requests received so far that parsed as JSON, valid
// or not, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Call builds a ToolCall whose arguments are args marshalled to JSON. It
// panics if args cannot be marshalled, a mistake in the test itself.
func Call(name string, args any) ToolCall {
	b, err := json.Marshal(args)
	if err != nil {
		panic(fmt.Sprintf("modelfake.Call(%q): marshal arguments: %v", name, err))
	}
	return ToolCall{Name: name, Arguments: string(b)}
}

// Calls builds a Reply that calls the given tools.
func Calls(calls ...ToolCall) Reply { return Reply{ToolCalls: calls} }

// Finish builds a Reply calling the finish tool with a summary, the way
// LifeOS's agent ends a run.
func Finish(summary string) Reply {
	return Calls(Call("finish", map[string]string{"summary": summary}))
}

// Text builds a Reply with plain assistant text and no tool calls.
func Text(content string) Reply { return Reply{Content: content} }

// Error builds an error Reply with an HTTP status and message.
func Error(status int, message string) Reply { return Reply{Status: status, Content: message} }

// wireRequest is the subset of the request body the server reads.
type wireRequest struct {
	Model    string        `json:"model"`
	Messages []wireMessage `json:"messages"`
	Tools    []wireTool    `json:"tools"`
}

type wireMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	ToolCallID string          `json:"tool_call_id"`
	ToolCalls  []wireToolCall  `json:"tool_calls"`
}

type wireToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function wireFunction `json:"function"`
}

type wireFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type wireTool struct {
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

// badRequest is a validation failure, reported as OpenAI reports it.
type badRequest struct {
	status  int
	typ     string
	param   string
	code    string
	message string
}

func (s *Server) serveCompletions(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "", "method_not_allowed",
			fmt.Sprintf("Invalid method for URL (%s %s)", r.Method, r.URL.Path), 0)
		return
	}
	auth := r.Header.Get("Authorization")
	if key, ok := strings.CutPrefix(auth, "Bearer "); !ok || strings.TrimSpace(key) == "" {
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "", "invalid_api_key",
			"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", 0)
		return
	}
	var body json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "",
			"We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)", 0)
		return
	}
	var wr wireRequest
	if err := json.Unmarshal(body, &wr); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "",
			fmt.Sprintf("Invalid request body: %v", err), 0)
		return
	}
	req := toRequest(r.URL.Path, wr, body)
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()

	if bad := validate(wr); bad != nil {
		writeError(w, bad.status, bad.typ, bad.param, bad.code, bad.message, 0)
		return
	}

	reply, n := s.next(req)
	reply = s.cacheUsage(body, reply)
	if reply.Delay > 0 {
		t := time.NewTimer(reply.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	for k, vs := range reply.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if reply.Drop {
		panic(http.ErrAbortHandler) // net/http closes the connection unanswered
	}
	if reply.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(reply.Body))
		return
	}
	if reply.Status >= 400 {
		msg := reply.Content
		if msg == "" {
			msg = http.StatusText(reply.Status)
		}
		typ, code := errorKind(reply.Status)
		writeError(w, reply.Status, typ, "", code, msg, reply.RetryAfter)
		return
	}
	writeJSON(w, http.StatusOK, completion(n, req.Model, reply))
}

// next picks the reply for a request and numbers the response.
func (s *Server) next(req Request) (Reply, int) {
	s.mu.Lock()
	s.seq++
	n := s.seq
	h := s.handler
	var reply Reply
	exhausted := false
	if h == nil {
		if len(s.script) == 0 {
			exhausted = true
		} else {
			reply, s.script = s.script[0], s.script[1:]
		}
	}
	s.mu.Unlock()
	switch {
	case h != nil:
		reply = h(req)
	case exhausted:
		reply = Error(http.StatusInternalServerError, "script exhausted")
	}
	return reply, n
}

func toRequest(path string, wr wireRequest, body json.RawMessage) Request {
	req := Request{Path: path, Model: wr.Model, Body: body}
	for _, m := range wr.Messages {
		msg := Message{Role: m.Role, Content: contentText(m.Content), ToolCallID: m.ToolCallID}
		for _, tc := range m.ToolCalls {
			msg.ToolCalls = append(msg.ToolCalls, ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
		}
		req.Messages = append(req.Messages, msg)
	}
	for _, t := range wr.Tools {
		req.Tools = append(req.Tools, t.Function.Name)
	}
	return req
}

// contentText flattens a message's content, a string or an array of parts.
func contentText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return string(raw)
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// validate checks a request the way OpenAI does, as far as a double must:
// model and messages present, roles known, tools well formed, and the
// pairing of assistant tool_calls with tool messages.
func validate(wr wireRequest) *badRequest {
	invalid := func(param, code, msg string) *badRequest {
		return &badRequest{status: http.StatusBadRequest, typ: "invalid_request_error", param: param, code: code, message: msg}
	}
	if wr.Model == "" {
		return invalid("model", "", "you must provide a model parameter")
	}
	if len(wr.Messages) == 0 {
		return invalid("messages", "empty_array", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")
	}
	for i, t := range wr.Tools {
		if t.Type != "function" {
			return invalid(fmt.Sprintf("tools[%d].type", i), "invalid_value", fmt.Sprintf("Invalid value: '%s'. Supported values are: 'function'.", t.Type))
		}
		if !toolNamePattern.MatchString(t.Function.Name) {
			return invalid(fmt.Sprintf("tools[%d].function.name", i), "invalid_value",
				fmt.Sprintf("Invalid 'tools[%d].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", i))
		}
	}
	// pending holds the tool_call ids of the last assistant message that
	// have not been answered yet; open is the index of that message.
	pending := map[string]bool{}
	open := -1
	unanswered := func() *badRequest {
		var ids []string
		for id := range pending {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return invalid(fmt.Sprintf("messages.[%d].role", open), "",
			"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: "+strings.Join(ids, ", "))
	}
	for i, m := range wr.Messages {
		switch m.Role {
		case "system", "developer", "user", "assistant":
			if len(pending) > 0 {
				return unanswered()
			}
			open = -1
			if m.Role == "assistant" && len(m.ToolCalls) > 0 {
				open = i
				for j, tc := range m.ToolCalls {
					if tc.ID == "" {
						return invalid(fmt.Sprintf("messages.[%d].tool_calls.[%d].id", i, j), "", "Missing required parameter: 'messages.["+strconv.Itoa(i)+"].tool_calls.["+strconv.Itoa(j)+"].id'.")
					}
					if tc.Type != "function" {
						return invalid(fmt.Sprintf("messages.[%d].tool_calls.[%d].type", i, j), "", "Missing required parameter: 'messages.["+strconv.Itoa(i)+"].tool_calls.["+strconv.Itoa(j)+"].type'.")
					}
					pending[tc.ID] = true
				}
			}
		case "tool":
			if open < 0 {
				return invalid(fmt.Sprintf("messages.[%d].role", i), "",
					"Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.")
			}
			if !pending[m.ToolCallID] {
				return invalid(fmt.Sprintf("messages.[%d].tool_call_id", i), "",
					fmt.Sprintf("Invalid parameter: 'tool_call_id' of '%s' not found in 'tool_calls' of previous message.", m.ToolCallID))
			}
			delete(pending, m.ToolCallID)
		default:
			return invalid(fmt.Sprintf("messages.[%d].role", i), "invalid_value",
				fmt.Sprintf("Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", m.Role))
		}
	}
	if len(pending) > 0 {
		return unanswered()
	}
	return nil
}

// errorKind gives OpenAI's error type and code for a status.
func errorKind(status int) (typ, code string) {
	switch {
	case status == http.StatusTooManyRequests:
		return "requests", "rate_limit_exceeded"
	case status == http.StatusUnauthorized:
		return "invalid_request_error", "invalid_api_key"
	case status >= 500:
		return "server_error", ""
	default:
		return "invalid_request_error", ""
	}
}

type wireError struct {
	Error wireErrorBody `json:"error"`
}

type wireErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func writeError(w http.ResponseWriter, status int, typ, param, code, message string, retryAfter time.Duration) {
	body := wireError{Error: wireErrorBody{Message: message, Type: typ}}
	if param != "" {
		body.Error.Param = &param
	}
	if code != "" {
		body.Error.Code = &code
	}
	if retryAfter > 0 {
		w.Header().Set("retry-after-ms", strconv.FormatInt(retryAfter.Milliseconds(), 10))
	}
	writeJSON(w, status, body)
}

type wireCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	Choices           []wireChoice `json:"choices"`
	Usage             wireUsage    `json:"usage"`
	ServiceTier       string       `json:"service_tier"`
	SystemFingerprint string       `json:"system_fingerprint"`
}

type wireChoice struct {
	Index        int             `json:"index"`
	Message      wireRespMessage `json:"message"`
	Logprobs     *struct{}       `json:"logprobs"`
	FinishReason string          `json:"finish_reason"`
}

type wireRespMessage struct {
	Role        string         `json:"role"`
	Content     *string        `json:"content"`
	Refusal     *string        `json:"refusal"`
	ToolCalls   []wireToolCall `json:"tool_calls,omitempty"`
	Annotations []struct{}     `json:"annotations"`
}

type wireUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
		AudioTokens  int `json:"audio_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens          int `json:"reasoning_tokens"`
		AudioTokens              int `json:"audio_tokens"`
		AcceptedPredictionTokens int `json:"accepted_prediction_tokens"`
		RejectedPredictionTokens int `json:"rejected_prediction_tokens"`
	} `json:"completion_tokens_details"`
}

// completion renders a successful reply as OpenAI's chat.completion object.
func completion(n int, model string, reply Reply) wireCompletion {
	msg := wireRespMessage{Role: "assistant", Annotations: []struct{}{}}
	if reply.Content != "" || len(reply.ToolCalls) == 0 {
		content := reply.Content
		msg.Content = &content
	}
	finish := "stop"
	for i, tc := range reply.ToolCalls {
		id := tc.ID
		if id == "" {
			id = fmt.Sprintf("call_%d_%d", n, i)
		}
		msg.ToolCalls = append(msg.ToolCalls, wireToolCall{ID: id, Type: "function",
			Function: wireFunction{Name: tc.Name, Arguments: tc.Arguments}})
		finish = "tool_calls"
	}
	prompt, compl := reply.PromptTokens, reply.CompletionTokens
	if prompt == 0 {
		prompt = DefaultPromptTokens
	}
	if compl == 0 {
		compl = DefaultCompletionTokens
	}
	out := wireCompletion{
		ID:                fmt.Sprintf("chatcmpl-fake%06d", n),
		Object:            "chat.completion",
		Created:           time.Now().Unix(),
		Model:             model,
		Choices:           []wireChoice{{Index: 0, Message: msg, FinishReason: finish}},
		ServiceTier:       "default",
		SystemFingerprint: systemFingerprint,
	}
	out.Usage.PromptTokens, out.Usage.CompletionTokens, out.Usage.TotalTokens = prompt, compl, prompt+compl
	out.Usage.PromptTokensDetails.CachedTokens = reply.CachedTokens
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("openai-processing-ms", "1")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
