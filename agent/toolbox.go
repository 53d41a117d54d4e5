// The toolbox of one run: which tools it offers, and the dispatch of a tool call with strict arguments.

package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/openai/openai-go"

	"github.com/lifeos/lifeos/workspace"
)

// errorPrefix starts every tool result that reports a mistake, so the model
// (and a reader of the transcript) can tell failures from output.
const errorPrefix = "error: "

// newToolbox prepares the tools of one run; isSecret may be nil.
func newToolbox(ws *workspace.Workspace, lim Limits, planOnly, mayPropose bool, isSecret func(string) bool) *toolbox {
	if isSecret == nil {
		isSecret = func(string) bool { return false }
	}
	return &toolbox{ws: ws, lim: lim, planOnly: planOnly, mayPropose: mayPropose, isSecret: isSecret, specs: toolSpecs()}
}

// offered reports whether a tool is offered in this run.
func (tb *toolbox) offered(t toolSpec) bool {
	return !(tb.planOnly && t.writes) && (tb.mayPropose || !t.proposes)
}

// params returns the tool definitions offered to the model: all of them, or
// the read-only ones and finish in a plan-only run.
func (tb *toolbox) params() []openai.ChatCompletionToolParam {
	var out []openai.ChatCompletionToolParam
	for _, t := range tb.specs {
		if !tb.offered(t) {
			continue
		}
		out = append(out, openai.ChatCompletionToolParam{Function: openai.FunctionDefinitionParam{
			Name:        t.name,
			Description: openai.String(t.description),
			Parameters:  openai.FunctionParameters(t.schema),
		}})
	}
	return out
}

// toolbox runs tool calls against a workspace.
type toolbox struct {
	ws         *workspace.Workspace
	lim        Limits
	planOnly   bool
	mayPropose bool
	// isSecret says which files the tools must not show.
	isSecret  func(path string) bool
	specs     []toolSpec
	proposals []Proposal
}

// call runs one tool call and returns the text for the tool message; every
// failure becomes a result starting with errorPrefix, never a Go error, so
// a confused model cannot abort the run.
func (tb *toolbox) call(name, args string) string {
	var spec *toolSpec
	for i := range tb.specs {
		if tb.specs[i].name == name {
			spec = &tb.specs[i]
		}
	}
	switch {
	case spec == nil || spec.run == nil || (spec.proposes && !tb.mayPropose):
		return errorPrefix + fmt.Sprintf("unknown tool %q; the tools are %s", name, strings.Join(tb.names(), ", "))
	case spec.writes && tb.planOnly:
		return errorPrefix + fmt.Sprintf("%s is not available: this is a plan-only run, so do not change files; call finish with your plan as the summary", name)
	}
	out, err := spec.run(tb, args)
	if err != nil {
		return errorPrefix + err.Error()
	}
	return out
}

// names lists the tools offered in this run.
func (tb *toolbox) names() []string {
	var out []string
	for _, t := range tb.specs {
		if tb.offered(t) {
			out = append(out, t.name)
		}
	}
	return out
}

// decodeArgs parses a tool call's arguments strictly: one JSON object, no
// unknown fields, nothing after it. Missing arguments text counts as {}.
func decodeArgs(args string, v any) error {
	if strings.TrimSpace(args) == "" {
		args = "{}"
	}
	dec := json.NewDecoder(strings.NewReader(args))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid arguments (expected a JSON object matching the tool's schema): %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("invalid arguments: unexpected data after the JSON object")
	}
	return nil
}
