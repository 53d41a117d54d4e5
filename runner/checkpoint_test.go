package runner

import (
	"strings"
	"testing"

	"github.com/lifeos/lifeos/agent"
)

func TestDigest(t *testing.T) {
	tool := func(name, args string) agent.Entry { return agent.Entry{Role: "tool", Tool: name, Args: args} }
	tr := []agent.Entry{
		{Role: "assistant", Content: "thinking"},
		tool("read_file", `{"path":"a.go"}`),
		tool("read_file", `{"path":"a.go"}`),
		tool("search", `{"query":"Greet"}`),
		tool("list_files", `{}`),
	}
	if got, want := digest(tr), "read_file a.go (×2), search Greet, list_files"; got != want {
		t.Errorf("digest = %q, want %q", got, want)
	}
	var many []agent.Entry
	for i := 0; i < maxDigestCalls+5; i++ {
		many = append(many, tool("read_file", `{"path":"f`+strings.Repeat("x", i)+`"}`))
	}
	if got := digest(many); !strings.HasPrefix(got, "(the last 30 of 35) read_file fxxxxx,") {
		t.Errorf("digest of many = %q", got[:60])
	}
}
