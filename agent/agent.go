// Package agent is LifeOS's LLM tool-calling loop: given an issue and an
// in-memory copy of the repository, it lets a chat model explore and edit
// the files through a small set of tools until the model calls finish, and
// returns the change set for the runner to commit. The agent touches no
// network except the model.
package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/openai/openai-go"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/workspace"
)

// Defaults for Limits fields left zero.
const (
	// DefaultMaxTurns bounds model calls per run: an issue typically takes
	// 10-25 calls of exploring and editing; past 40 the model is usually
	// going in circles and burning money.
	DefaultMaxTurns = 40
	// DefaultMaxTokens bounds the tokens of a run, summed over calls. Every
	// call resends the conversation, so 40 turns of a growing context come
	// to roughly a million tokens; this leaves headroom without letting a
	// runaway run cost more than a few dollars.
	DefaultMaxTokens int64 = 1_500_000
	// DefaultMaxReadBytes caps one read_file result (about 8k tokens): big
	// enough for most source files, small enough that a few reads don't
	// crowd out the rest of the context.
	DefaultMaxReadBytes = 32 << 10
	// DefaultMaxWriteBytes caps one written file: source files beyond this
	// are generated, not hand-written, and the model shouldn't write them.
	DefaultMaxWriteBytes = 256 << 10
	// DefaultMaxSearchResults caps search matches: more than this and the
	// query is too broad to be useful to the model.
	DefaultMaxSearchResults = 50
	// DefaultMaxListFiles caps list_files output: a whole monorepo listing
	// would cost more tokens than it helps; subdirectories can be listed.
	DefaultMaxListFiles = 400
)

// TranscriptFieldCap caps the content, arguments and results stored per
// transcript entry: the transcript is an audit trail stored with every run,
// and the full text of written files is in Result.Changes anyway.
const TranscriptFieldCap = 4 << 10

// Errors that end a run without finish; Run wraps them.
var (
	// ErrTurnLimit means the run used its MaxTurns model calls.
	ErrTurnLimit = errors.New("turn limit reached")
	// ErrTokenLimit means the run used its MaxTokens.
	ErrTokenLimit = errors.New("token limit reached")
	// ErrModel means the model endpoint failed (after its client's retries)
	// or answered with something unusable.
	ErrModel = errors.New("model call failed")
	// ErrNoFinish means the model kept answering with plain text instead of
	// tool calls, even after being told to use the tools.
	ErrNoFinish = errors.New("model stopped without calling finish")
	// ErrRejected means Review rejected the change set twice.
	ErrRejected = errors.New("change set rejected")
)

// StopReason says why a run ended.
type StopReason string

// Stop reasons, as stored with a run.
const (
	StopFinished   StopReason = "finished"
	StopMaxTurns   StopReason = "max_turns"
	StopMaxTokens  StopReason = "max_tokens"
	StopModelError StopReason = "model_error"
	StopCancelled  StopReason = "cancelled"
	StopNoFinish   StopReason = "no_finish"
	StopRejected   StopReason = "rejected"
	// StopOnCall means Agent.OnCall returned an error (e.g. a money budget).
	StopOnCall StopReason = "on_call"
)

// Issue is the GitHub issue the run works on.
type Issue struct {
	Number int
	Title  string
	Body   string
	// Author is the opener's login.
	Author string
}

// Comment is a comment from someone with write access: on the issue, or an
// inline review comment with the file and line it is attached to.
type Comment struct {
	Author string
	Body   string
	// Path and Line locate an inline review comment; empty and 0 otherwise.
	Path string
	Line int
}

// Task is what a run is asked to do.
type Task struct {
	// Repo is "owner/name".
	Repo  string
	Issue Issue
	// Comments are already filtered by the caller to trusted authors.
	Comments []Comment
	// Instructions are extra instructions from a retry, review or CI
	// failure; may be empty.
	Instructions string
	// PreviousSummary is the summary of the previous run on this branch;
	// may be empty.
	PreviousSummary string
	// PlanOnly asks for a plan via finish(summary); write tools are neither
	// offered nor run.
	PlanOnly bool
	// MayPropose offers the propose_issue tool: the repository's autonomy
	// lets the agent suggest follow-up work as issues.
	MayPropose bool
}

// Limits bound a run. Zero (or negative) fields mean the Default* values.
type Limits struct {
	// MaxTurns is the most model calls a run makes.
	MaxTurns int
	// MaxTokens bounds the run's total tokens as the endpoint reports them;
	// once reached, no further call is made.
	MaxTokens int64
	// MaxReadBytes caps one read_file result.
	MaxReadBytes int
	// MaxWriteBytes caps the content of one written or edited file.
	MaxWriteBytes int
	// MaxSearchResults caps the matches one search returns.
	MaxSearchResults int
	// MaxListFiles caps the paths one list_files returns.
	MaxListFiles int
}

// withDefaults fills zero fields.
func (l Limits) withDefaults() Limits {
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	l.MaxTurns = def(l.MaxTurns, DefaultMaxTurns)
	if l.MaxTokens <= 0 {
		l.MaxTokens = DefaultMaxTokens
	}
	l.MaxReadBytes = def(l.MaxReadBytes, DefaultMaxReadBytes)
	l.MaxWriteBytes = def(l.MaxWriteBytes, DefaultMaxWriteBytes)
	l.MaxSearchResults = def(l.MaxSearchResults, DefaultMaxSearchResults)
	l.MaxListFiles = def(l.MaxListFiles, DefaultMaxListFiles)
	return l
}

// Usage is the token usage of one model call.
type Usage struct {
	// Model is the model name requested (Agent.ModelName), which is what
	// prices are keyed by; the endpoint's reported name if none was set.
	Model            string `json:"model"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
	TotalTokens      int64  `json:"total_tokens"`
}

// Entry is one step of the transcript, the run's audit trail. Long fields
// are cut at TranscriptFieldCap.
type Entry struct {
	// Turn is the model call the entry belongs to; 0 for the opening
	// system and user messages.
	Turn int `json:"turn"`
	// Role is system, user, assistant or tool.
	Role string `json:"role"`
	// Content is the message text (system, user, assistant).
	Content string `json:"content,omitempty"`
	// Tool, ToolCallID, Args and Result describe one tool call (Role tool).
	Tool       string `json:"tool,omitempty"`
	ToolCallID string `json:"tool_call_id,omitempty"`
	Args       string `json:"args,omitempty"`
	Result     string `json:"result,omitempty"`
}

// Result is what a run produced; partial when it did not finish.
type Result struct {
	// Summary is the model's finish summary (the PR text, or the plan).
	Summary string `json:"summary"`
	// Changes is the change set, sorted by path.
	Changes []workspace.Change `json:"changes"`
	// Turns is the number of model calls that returned.
	Turns int `json:"turns"`
	// Calls holds one Usage per model call, in order.
	Calls []Usage `json:"calls"`
	// Tokens is the total over Calls.
	Tokens int64 `json:"tokens"`
	// Transcript is the audit trail: every message and tool call, in order.
	Transcript []Entry `json:"transcript"`
	// Stop says why the run ended.
	Stop StopReason `json:"stop"`
	// Proposals are follow-up issues the agent proposed (MayPropose runs).
	Proposals []Proposal `json:"proposals,omitempty"`
}

// Agent runs the tool-calling loop. Its fields are configuration; one Agent
// may run many tasks, one at a time or concurrently.
type Agent struct {
	// Model is the chat endpoint.
	Model Model
	// ModelName is sent as the request's model and reported in Usage.
	ModelName string
	// Limits bound each run; zero fields take the defaults.
	Limits Limits
	// Log receives a line per run (and per turn at debug level); the zero
	// value logs nothing.
	Log zerolog.Logger
	// OnCall, if set, is called after each model call with its usage; a
	// non-nil error stops the run (Stop "on_call") and is returned wrapped.
	OnCall func(ctx context.Context, u Usage) error
	// Review, if set, is called when the model calls finish (not in
	// plan-only runs). A non-empty result is sent back to the model as the
	// finish call's error once, so it can repair its change set; a second
	// rejection stops the run with ErrRejected.
	Review func(changes []workspace.Change) string
}

// run is the state of one Run.
type run struct {
	a     *Agent
	task  Task
	ws    *workspace.Workspace
	lim   Limits
	res   *Result
	msgs  []openai.ChatCompletionMessageParamUnion
	tools *toolbox
	// params are the tool definitions sent with every call.
	params []openai.ChatCompletionToolParam
	log    zerolog.Logger

	nudged   bool
	reviewed bool
}

// Run works on task in ws until the model calls finish or a limit is hit.
// The Result is never nil; it holds the change set so far. The error is nil
// only when the model finished (Stop "finished"); otherwise it wraps
// ErrTurnLimit, ErrTokenLimit, ErrModel, ErrNoFinish, ErrRejected, the
// OnCall error, or ctx.Err().
func (a *Agent) Run(ctx context.Context, task Task, ws *workspace.Workspace) (*Result, error) {
	if ws == nil {
		ws = workspace.New(nil)
	}
	lim := a.Limits.withDefaults()
	r := &run{
		a: a, task: task, ws: ws, lim: lim, res: &Result{},
		tools: newToolbox(ws, lim, task.PlanOnly, task.MayPropose),
		log:   a.Log.With().Str("repo", task.Repo).Int("issue", task.Issue.Number).Logger(),
	}
	sys, user := systemPrompt(task.PlanOnly), firstMessage(task, ws)
	r.msgs = append(r.msgs, openai.SystemMessage(sys), openai.UserMessage(user))
	r.record(Entry{Role: "system", Content: sys}, Entry{Role: "user", Content: user})
	r.params = r.tools.params()

	stop, err := r.loop(ctx)
	r.res.Stop = stop
	r.res.Changes = ws.Changes()
	r.res.Proposals = r.tools.proposals
	ev := r.log.Info()
	if err != nil {
		ev = r.log.Warn().Err(err)
	}
	ev.Str("stop", string(stop)).Int("turns", r.res.Turns).Int64("tokens", r.res.Tokens).
		Int("changes", len(r.res.Changes)).Msg("Agent run ended")
	return r.res, err
}

// loop calls the model and runs its tool calls until the run ends.
func (r *run) loop(ctx context.Context) (StopReason, error) {
	if r.a.Model == nil {
		return StopModelError, fmt.Errorf("%w: no model configured", ErrModel)
	}
	for {
		if err := ctx.Err(); err != nil {
			return StopCancelled, fmt.Errorf("agent cancelled after %d turns: %w", r.res.Turns, err)
		}
		if r.res.Tokens >= r.lim.MaxTokens {
			return StopMaxTokens, fmt.Errorf("%w: %d tokens used of %d", ErrTokenLimit, r.res.Tokens, r.lim.MaxTokens)
		}
		if r.res.Turns >= r.lim.MaxTurns {
			return StopMaxTurns, fmt.Errorf("%w: %d turns", ErrTurnLimit, r.res.Turns)
		}
		turn := r.res.Turns + 1
		comp, err := r.a.Model.Complete(ctx, openai.ChatCompletionNewParams{
			Model:    r.a.ModelName,
			Messages: r.msgs,
			Tools:    r.params,
		})
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return StopCancelled, fmt.Errorf("agent cancelled during turn %d: %w", turn, ctxErr)
			}
			return StopModelError, fmt.Errorf("%w on turn %d: %w", ErrModel, turn, err)
		}
		r.res.Turns = turn
		u := r.usage(comp)
		r.res.Calls = append(r.res.Calls, u)
		r.res.Tokens += u.TotalTokens
		if len(comp.Choices) == 0 {
			return StopModelError, fmt.Errorf("%w on turn %d: response has no choices", ErrModel, turn)
		}
		msg := comp.Choices[0].Message
		r.msgs = append(r.msgs, msg.ToParam())
		content := msg.Content
		if content == "" {
			content = msg.Refusal
		}
		r.record(Entry{Turn: turn, Role: "assistant", Content: content})
		r.log.Debug().Int("turn", turn).Int64("tokens", r.res.Tokens).Int("tool_calls", len(msg.ToolCalls)).Msg("Model answered")

		if r.a.OnCall != nil {
			if err := r.a.OnCall(ctx, u); err != nil {
				r.skip(turn, msg.ToolCalls, "not run: the run was stopped")
				return StopOnCall, fmt.Errorf("stopped after turn %d: %w", turn, err)
			}
		}

		if len(msg.ToolCalls) == 0 {
			if r.nudged {
				return StopNoFinish, fmt.Errorf("%w: turn %d answered with text only, twice in a row", ErrNoFinish, turn)
			}
			r.nudged = true
			r.msgs = append(r.msgs, openai.UserMessage(nudgeMessage))
			r.record(Entry{Turn: turn, Role: "user", Content: nudgeMessage})
			continue
		}
		r.nudged = false
		if end := r.runCalls(turn, msg.ToolCalls); end != nil {
			return end.stop, end.err
		}
	}
}

// end is how a run ended.
type end struct {
	stop StopReason
	err  error
}

// runCalls answers every tool call of one response, in order, each with its
// own tool message. It returns non-nil when the run ended (finish accepted,
// or rejected for good).
func (r *run) runCalls(turn int, calls []openai.ChatCompletionMessageToolCall) *end {
	for i, tc := range calls {
		name, args := tc.Function.Name, tc.Function.Arguments
		var out string
		var ended *end
		if name == toolFinish {
			out, ended = r.finish(args, i == len(calls)-1)
		} else {
			out = r.tools.call(name, args)
		}
		r.record(Entry{Turn: turn, Role: "tool", Tool: name, ToolCallID: tc.ID, Args: args, Result: out})
		if ended != nil {
			r.skip(turn, calls[i+1:], "not run: the run ended")
			return ended
		}
		r.msgs = append(r.msgs, openai.ToolMessage(out, tc.ID))
	}
	return nil
}

// finish handles a finish call and returns the tool result. It ends the run
// (non-nil end) unless the arguments are bad, it is not the response's last
// call, or Review rejects the changes for the first time.
func (r *run) finish(args string, last bool) (string, *end) {
	summary, err := finishArgs(args)
	switch {
	case err != nil:
		return errorPrefix + err.Error(), nil
	case !last:
		return errorPrefix + "finish must be the last tool call of a response; the calls after it were run, so check their results and call finish again", nil
	}
	r.res.Summary = summary
	if r.a.Review != nil && !r.task.PlanOnly {
		if verdict := r.a.Review(r.ws.Changes()); verdict != "" {
			r.log.Info().Bool("final", r.reviewed).Str("verdict", verdict).Msg("Review rejected the change set")
			if r.reviewed {
				return errorPrefix + "rejected again: " + verdict, &end{StopRejected, fmt.Errorf("%w: %s", ErrRejected, verdict)}
			}
			r.reviewed = true
			return errorPrefix + "the change set was rejected: " + verdict + "\nFix the changes, then call finish again.", nil
		}
	}
	return "ok", &end{stop: StopFinished}
}

// usage reads a response's usage.
func (r *run) usage(comp *openai.ChatCompletion) Usage {
	u := Usage{
		Model:            r.a.ModelName,
		PromptTokens:     comp.Usage.PromptTokens,
		CompletionTokens: comp.Usage.CompletionTokens,
		TotalTokens:      comp.Usage.TotalTokens,
	}
	if u.Model == "" {
		u.Model = comp.Model
	}
	if u.TotalTokens == 0 {
		u.TotalTokens = u.PromptTokens + u.CompletionTokens
	}
	return u
}

// skip records tool calls that were not run.
func (r *run) skip(turn int, calls []openai.ChatCompletionMessageToolCall, why string) {
	for _, tc := range calls {
		r.record(Entry{Turn: turn, Role: "tool", Tool: tc.Function.Name, ToolCallID: tc.ID, Args: tc.Function.Arguments, Result: why})
	}
}

// record appends transcript entries, cutting long fields.
func (r *run) record(entries ...Entry) {
	for _, e := range entries {
		e.Content = truncate(e.Content, TranscriptFieldCap)
		e.Args = truncate(e.Args, TranscriptFieldCap)
		e.Result = truncate(e.Result, TranscriptFieldCap)
		r.res.Transcript = append(r.res.Transcript, e)
	}
}
