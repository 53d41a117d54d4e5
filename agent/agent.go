// The Agent and its tool-calling loop: model turns, tool calls, finish and review.

// Package agent is LifeOS's LLM tool-calling loop: given an issue and an
// in-memory copy of the repository, it lets a chat model explore and edit
// the files through a small set of tools until the model calls finish, and
// returns the change set for the runner to commit. The agent touches no
// network except the model.
package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openai/openai-go"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/workspace"
)

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
	// value logs nothing. The caller's logger names the repository, issue
	// and run, so the agent adds none of them again.
	Log zerolog.Logger
	// OnCall, if set, is called after each model call with its usage; a
	// non-nil error stops the run (Stop "on_call") and is returned wrapped.
	OnCall func(ctx context.Context, u Usage) error
	// Review, if set, is called when the model calls finish (not in
	// plan-only runs). A non-empty result is sent back to the model as the
	// finish call's error once, so it can repair its change set; a second
	// rejection stops the run with ErrRejected.
	Review func(changes []workspace.Change) string
	// Now is the clock Limits.MaxDuration is measured by; nil means
	// time.Now.
	Now func() time.Time
	// KeepToolResults sends every tool result in full on every turn, as
	// LifeOS did before folding (see fold.go); benchmarks compare the two.
	KeepToolResults bool
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
	// start is when the run began, by Agent.Now.
	start time.Time
	// last is the key of the last tool call run and repeats how many
	// times in a row it was made.
	last    string
	repeats int
	// results are the run's tool messages, for folding.
	results []toolResult
}

// Run works on task in ws until the model calls finish or a limit is hit.
// The Result is never nil; it holds the change set so far. The error is nil
// only when the model finished (Stop "finished"); otherwise it wraps
// ErrTurnLimit, ErrTokenLimit, ErrTimeLimit, ErrModel (and a
// *PostponeError when the endpoint asked to wait long), ErrNoFinish,
// ErrRepeating (a *RepeatError), ErrRejected, the OnCall error, or
// ctx.Err().
func (a *Agent) Run(ctx context.Context, task Task, ws *workspace.Workspace) (*Result, error) {
	if ws == nil {
		ws = workspace.New(nil)
	}
	lim := a.Limits.withDefaults()
	r := &run{
		a: a, task: task, ws: ws, lim: lim, res: &Result{},
		tools: newToolbox(ws, lim, task.PlanOnly, task.MayPropose, task.IsSecret),
		log:   a.Log, // the caller's logger names the repository and issue
	}
	r.start = r.now()
	sys, notes := systemPrompt(task.PlanOnly, task.RepoInstructions)
	user := firstMessage(task, ws)
	r.msgs = append(r.msgs, openai.SystemMessage(sys), openai.UserMessage(user))
	r.record(Entry{Role: "system", Content: sys}, Entry{Role: "user", Content: user})
	for _, n := range notes {
		r.record(Entry{Role: "system", Content: "LifeOS note (not sent to the model): " + n})
	}
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
		if end := r.check(ctx); end != nil {
			return end.stop, end.err
		}
		turn := r.res.Turns + 1
		r.fold(turn)
		comp, ended := r.call(ctx, turn)
		if ended != nil {
			return ended.stop, ended.err
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

// check ends the run before another model call when ctx is done or a limit
// is reached.
func (r *run) check(ctx context.Context) *end {
	switch {
	case ctx.Err() != nil:
		return &end{StopCancelled, fmt.Errorf("agent cancelled after %d turns: %w", r.res.Turns, ctx.Err())}
	case r.res.Tokens >= r.lim.MaxTokens:
		return &end{StopMaxTokens, fmt.Errorf("%w: %d tokens used of %d", ErrTokenLimit, r.res.Tokens, r.lim.MaxTokens)}
	case r.res.Turns >= r.lim.MaxTurns:
		return &end{StopMaxTurns, fmt.Errorf("%w: %d turns", ErrTurnLimit, r.res.Turns)}
	case r.elapsed() >= r.lim.MaxDuration:
		return &end{StopMaxTime, fmt.Errorf("%w: %s after %d turns", ErrTimeLimit, r.lim.MaxDuration, r.res.Turns)}
	}
	return nil
}

// call makes turn's model call, cut off when the run's time is up.
func (r *run) call(ctx context.Context, turn int) (*openai.ChatCompletion, *end) {
	callCtx, cancel := context.WithTimeoutCause(ctx, r.lim.MaxDuration-r.elapsed(), ErrTimeLimit)
	defer cancel()
	comp, err := r.a.Model.Complete(callCtx, openai.ChatCompletionNewParams{
		Model:    r.a.ModelName,
		Messages: r.msgs,
		Tools:    r.params,
	})
	switch {
	case err == nil:
		return comp, nil
	case ctx.Err() != nil:
		return nil, &end{StopCancelled, fmt.Errorf("agent cancelled during turn %d: %w", turn, ctx.Err())}
	case errors.Is(context.Cause(callCtx), ErrTimeLimit):
		return nil, &end{StopMaxTime, fmt.Errorf("%w: %s, during turn %d", ErrTimeLimit, r.lim.MaxDuration, turn)}
	default:
		return nil, &end{StopModelError, fmt.Errorf("%w on turn %d: %w", ErrModel, turn, err)}
	}
}

// now reads the Agent's clock.
func (r *run) now() time.Time {
	if r.a.Now != nil {
		return r.a.Now()
	}
	return time.Now()
}

// elapsed is the run's wall-clock time so far.
func (r *run) elapsed() time.Duration { return r.now().Sub(r.start) }

// repeated counts a tool call against the run of identical calls before
// it and returns non-nil when it makes MaxRepeats in a row.
func (r *run) repeated(name, args string) *end {
	key := name + "\x00" + canonicalArgs(args)
	if key != r.last {
		r.last, r.repeats = key, 0
	}
	r.repeats++
	if r.repeats < r.lim.MaxRepeats {
		return nil
	}
	return &end{StopRepeating, &RepeatError{Tool: name, Target: callTarget(args), Times: r.repeats}}
}

// canonicalArgs is a call's arguments with insignificant spacing removed,
// so that the same call is recognised however it is spaced.
func canonicalArgs(args string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(args)); err != nil {
		return args
	}
	return b.String()
}

// callTarget is what a call is about, for people: its path or query.
func callTarget(args string) string {
	var m map[string]any
	if json.Unmarshal([]byte(args), &m) != nil {
		return ""
	}
	for _, k := range []string{"path", "query", "pattern", "title"} {
		if v, ok := m[k].(string); ok && v != "" {
			return truncate(v, 80)
		}
	}
	return ""
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
		} else if ended = r.repeated(name, args); ended != nil {
			out = "not run: the same call was made " + fmt.Sprint(r.repeats) + " times in a row"
		} else {
			out = r.tools.call(name, args)
		}
		r.record(Entry{Turn: turn, Role: "tool", Tool: name, ToolCallID: tc.ID, Args: args, Result: out})
		if ended != nil {
			r.skip(turn, calls[i+1:], "not run: the run ended")
			return ended
		}
		r.note(turn, tc.ID, name, args, out)
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
		Model:              r.a.ModelName,
		PromptTokens:       comp.Usage.PromptTokens,
		CachedPromptTokens: min(comp.Usage.PromptTokensDetails.CachedTokens, comp.Usage.PromptTokens),
		CompletionTokens:   comp.Usage.CompletionTokens,
		TotalTokens:        comp.Usage.TotalTokens,
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
