package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// TestCachedPromptTokensAreRecordedAndPricedCached: the cached prompt tokens
// the endpoint reports are stored with each call, and the call is charged
// the cached rate for them.
func TestCachedPromptTokensAreRecordedAndPricedCached(t *testing.T) {
	e := start(t, envOpts{configure: func(c *config.Config) {
		c.Prices["gpt-e2e"] = policy.Price{InputPerMillion: 2 * policy.Dollar, OutputPerMillion: 8 * policy.Dollar, CachedInputPerMillion: 50 * policy.Cent}
	}})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": "README.md"})},
			PromptTokens: 100_000, CompletionTokens: 1000},
		modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})},
			PromptTokens: 100_000, CachedTokens: 80_000, CompletionTokens: 1000},
		modelfake.Finish("Fixed the typo."),
	)
	if code := e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")); code != http.StatusOK {
		t.Fatalf("delivery answered %d", code)
	}
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	calls, err := e.srv.Store().CallCosts(context.Background(), run.ID)
	if err != nil || len(calls) != 3 {
		t.Fatalf("calls = %+v, %v", calls, err)
	}
	// 100,000 at $2 and 1,000 at $8 per million: $0.208. Then 20,000 at $2,
	// 80,000 at $0.50 and 1,000 at $8: $0.088.
	for i, want := range []struct{ cached, cost int64 }{{0, 208_000}, {80_000, 88_000}} {
		if c := calls[i]; c.CachedTokens != want.cached || c.CostMicros != want.cost {
			t.Errorf("call %d: %d cached, cost %d micro-dollars; want %d and %d", i+1, c.CachedTokens, c.CostMicros, want.cached, want.cost)
		}
	}
}
