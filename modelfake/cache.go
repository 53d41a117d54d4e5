// The caching mode: usage reported as a provider with prompt caching
// reports it.

package modelfake

import (
	"bytes"
	"encoding/json"
)

// Prompt caching as OpenAI does it: a prompt's longest prefix shared with
// an earlier prompt is served from the cache, counted in blocks, and only
// once the prompt is long enough.
const (
	// CacheMinTokens is the shortest prompt that is cached at all.
	CacheMinTokens = 1024
	// CacheBlockTokens is the granularity of the cached prefix.
	CacheBlockTokens = 128
	// BytesPerToken is the caching mode's estimate of a token: about four
	// bytes of English text or code, as OpenAI's guidance has it.
	BytesPerToken = 4
)

// Caching turns the caching mode on or off. In it, a reply that sets no
// PromptTokens reports the prompt's size (its tools and messages as sent,
// BytesPerToken to a token), and a reply that sets no CachedTokens reports
// as cached the longest prefix the prompt shares with any earlier request
// to this server, rounded down to CacheBlockTokens, or none below
// CacheMinTokens. So a client that changes an early message loses the
// cache from there on, as it would at a provider.
func (s *Server) Caching(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.caching = on
}

// cacheUsage fills a reply's usage from the request's prompt in the
// caching mode, and remembers the prompt.
func (s *Server) cacheUsage(body json.RawMessage, reply Reply) Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.caching {
		return reply
	}
	prompt := promptBytes(body)
	shared := 0
	for _, p := range s.prompts {
		shared = max(shared, commonPrefix(p, prompt))
	}
	s.prompts = append(s.prompts, prompt)
	if reply.PromptTokens == 0 {
		reply.PromptTokens = (len(prompt) + BytesPerToken - 1) / BytesPerToken
	}
	if reply.CachedTokens == 0 && reply.PromptTokens >= CacheMinTokens {
		cached := shared / BytesPerToken / CacheBlockTokens * CacheBlockTokens
		reply.CachedTokens = min(cached, reply.PromptTokens)
	}
	return reply
}

// promptBytes is what a provider renders as the prompt, in order: the tools,
// then the messages, as the client sent them.
func promptBytes(body json.RawMessage) []byte {
	var b struct {
		Tools    json.RawMessage   `json:"tools"`
		Messages []json.RawMessage `json:"messages"`
	}
	_ = json.Unmarshal(body, &b)
	out := append([]byte(nil), b.Tools...)
	for _, m := range b.Messages {
		out = append(out, m...)
	}
	return out
}

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	// Compare in chunks first: prompts share long prefixes.
	i := 0
	for ; i+64 <= n && bytes.Equal(a[i:i+64], b[i:i+64]); i += 64 {
	}
	for ; i < n && a[i] == b[i]; i++ {
	}
	return i
}
