// What a run is given and returns: Task, Limits and their defaults, stop reasons, usage, transcript and Result.

package agent

import (
	"errors"
	"fmt"
	"time"

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
	// DefaultMaxRepeats stops a model making the same tool call with the
	// same arguments this many times in a row: a re-read after an edit is
	// sensible, a fourth identical call with nothing in between is a loop.
	DefaultMaxRepeats = 4
	// DefaultMaxDuration bounds a run's wall-clock time: a typical run
	// takes a few minutes; past twenty it is stuck on a slow endpoint or
	// going in circles, and holds a worker others are waiting for.
	DefaultMaxDuration = 20 * time.Minute
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
	// ErrRepeating means the model made the same tool call MaxRepeats
	// times in a row; the error is a *RepeatError.
	ErrRepeating = errors.New("model repeated the same call")
	// ErrTimeLimit means the run used its MaxDuration.
	ErrTimeLimit = errors.New("time limit reached")
)

// RepeatError says which call the model repeated; it matches ErrRepeating.
type RepeatError struct {
	// Tool is the tool's name and Target its path or query, "" if none.
	Tool, Target string
	// Times is how many identical calls were made in a row.
	Times int
}

func (e *RepeatError) Error() string {
	return fmt.Sprintf("%s: %s %d times in a row", ErrRepeating, e.Call(), e.Times)
}

// Call names the repeated call as people read it: "read_file README.md".
func (e *RepeatError) Call() string {
	if e.Target == "" {
		return e.Tool
	}
	return e.Tool + " " + e.Target
}

// Unwrap makes a RepeatError match ErrRepeating.
func (e *RepeatError) Unwrap() error { return ErrRepeating }

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
	StopOnCall    StopReason = "on_call"
	StopRepeating StopReason = "repeating"
	StopMaxTime   StopReason = "max_duration"
)

// Issue is the GitHub issue the run works on.
type Issue struct {
	Number int
	Title  string
	Body   string
	// Author is the opener's login.
	Author string
	// AuthorRole is the opener's role in the repository (admin, maintain,
	// write, triage, read, none), "" when it was not checked; the prompt
	// names it, so that the model knows whose words it reads.
	AuthorRole string
}

// Comment is a comment from someone with write access: on the issue, or an
// inline review comment with the file and line it is attached to.
type Comment struct {
	Author string
	// AuthorRole is the author's role in the repository, as Issue's.
	AuthorRole string
	Body       string
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
	// RepoInstructions are the repository's instructions for agents
	// (AGENTS.md and the like, from the default branch), in the order they
	// join the system prompt.
	RepoInstructions []InstructionFile
	// PlanOnly asks for a plan via finish(summary); write tools are neither
	// offered nor run.
	PlanOnly bool
	// Schedule names the schedule a run works for: the issue is then the
	// schedule's task, written by the repository's maintainers in its
	// policy or recipe, not an issue on GitHub.
	Schedule string
	// MayPropose offers the propose_issue tool: the repository's autonomy
	// lets the agent suggest follow-up work as issues.
	MayPropose bool
	// IsSecret reports whether a file holds secrets: the tools list it but
	// refuse to read, edit or search it. Nil means no file is secret.
	IsSecret func(path string) bool
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
	// MaxRepeats is how many identical tool calls in a row stop the run.
	MaxRepeats int
	// MaxDuration bounds the run's wall-clock time, by Agent.Now; no model
	// call starts after it and a call under way is cut off at it.
	MaxDuration time.Duration
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
	l.MaxRepeats = def(l.MaxRepeats, DefaultMaxRepeats)
	if l.MaxDuration <= 0 {
		l.MaxDuration = DefaultMaxDuration
	}
	return l
}

// Usage is the token usage of one model call.
type Usage struct {
	// Model is the model name requested (Agent.ModelName), which is what
	// prices are keyed by; the endpoint's reported name if none was set.
	Model        string `json:"model"`
	PromptTokens int64  `json:"prompt_tokens"`
	// CachedPromptTokens are the prompt tokens the endpoint served from
	// its prompt cache (usage.prompt_tokens_details.cached_tokens), a part
	// of PromptTokens priced at the cached rate.
	CachedPromptTokens int64 `json:"cached_prompt_tokens,omitempty"`
	CompletionTokens   int64 `json:"completion_tokens"`
	TotalTokens        int64 `json:"total_tokens"`
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
