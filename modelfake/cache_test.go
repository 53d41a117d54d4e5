package modelfake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/openai/openai-go"

	"github.com/lifeos/lifeos/modelfake"
)

// TestCachingCountsTheSharedPrefix: in the caching mode the prompt's size
// is reported, and the longest prefix it shares with an earlier request is
// reported cached, in blocks, once the prompt is long enough; a changed
// early message loses the cache after it.
func TestCachingCountsTheSharedPrefix(t *testing.T) {
	s := modelfake.New()
	defer s.Close()
	s.Caching(true)
	for range 4 {
		s.Script(modelfake.Text("ok"))
	}
	c := client(s)
	long := strings.Repeat("the system prompt, long enough to be cached. ", 200) // about 9 KB
	ask := func(msgs ...openai.ChatCompletionMessageParamUnion) openai.CompletionUsage {
		t.Helper()
		comp, err := c.Chat.Completions.New(context.Background(), params(msgs...))
		if err != nil {
			t.Fatal(err)
		}
		return comp.Usage
	}
	first := ask(openai.SystemMessage(long), openai.UserMessage("task"))
	if first.PromptTokens < 2000 || first.PromptTokensDetails.CachedTokens != 0 {
		t.Fatalf("first request: %d prompt tokens, %d cached; want its size and none cached", first.PromptTokens, first.PromptTokensDetails.CachedTokens)
	}
	second := ask(openai.SystemMessage(long), openai.UserMessage("task"), openai.UserMessage(strings.Repeat("more ", 400)))
	cached := second.PromptTokensDetails.CachedTokens
	if cached == 0 || cached%modelfake.CacheBlockTokens != 0 || cached > first.PromptTokens || first.PromptTokens-cached >= modelfake.CacheBlockTokens {
		t.Errorf("second request: %d cached of %d; want the first request's %d, rounded down to a block", cached, second.PromptTokens, first.PromptTokens)
	}
	changed := ask(openai.SystemMessage("changed "+long), openai.UserMessage("task"))
	if got := changed.PromptTokensDetails.CachedTokens; got != 0 {
		t.Errorf("a changed system prompt still had %d tokens cached", got)
	}
	short := ask(openai.SystemMessage("short"), openai.UserMessage("task"))
	if short.PromptTokensDetails.CachedTokens != 0 || short.PromptTokens >= modelfake.CacheMinTokens {
		t.Errorf("a short prompt: %+v", short)
	}
}
