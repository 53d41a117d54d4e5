package main

import (
	"fmt"
	"strings"

	"github.com/lifeos/lifeos/modelfake"
)

// sourceFiles are the repository's Go files; each is about 8 KB, the size
// of a real service's files, with a marker line the script edits.
var sourceFiles = []string{"config.go", "loader.go", "server.go", "client.go", "handler.go", "config_test.go",
	"retry.go", "metrics.go", "store.go", "auth.go"}

// repository is the task's repository: the Go files and a README.
func repository() map[string][]byte {
	files := map[string][]byte{"README.md": []byte(goFile("README", 120)), "go.mod": []byte("module bench/service\n")}
	for _, f := range sourceFiles {
		files[f] = []byte(goFile(strings.TrimSuffix(f, ".go"), 220))
	}
	return files
}

// goFile is a plausible Go file of lines lines named after name, with a
// marker line "// MARK name" to edit and a few Timeout mentions to find.
func goFile(name string, lines int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package service\n\n// MARK %s\n", name)
	for i := range lines {
		switch {
		case i%37 == 0:
			fmt.Fprintf(&b, "\tc.Timeout = DefaultTimeout // %s line %d\n", name, i)
		case i%11 == 0:
			fmt.Fprintf(&b, "func %s%d(ctx context.Context, req *Request) (*Response, error) {\n", name, i)
		case i%11 == 10:
			b.WriteString("}\n")
		default:
			fmt.Fprintf(&b, "\tif err := step%d(ctx, req); err != nil { return nil, fmt.Errorf(\"%s: %%w\", err) }\n", i, name)
		}
	}
	return b.String()
}

// script is the model's side of the 20 turns.
func script() []modelfake.Reply {
	c := func(name string, args map[string]any) modelfake.Reply {
		return modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call(name, args)}, CompletionTokens: 120}
	}
	read := func(p string) modelfake.Reply { return c("read_file", map[string]any{"path": p}) }
	edit := func(p string) modelfake.Reply {
		name := strings.TrimSuffix(p, ".go")
		return c("edit_file", map[string]any{"path": p, "old": "// MARK " + name + "\n",
			"new": "// MARK " + name + "\n// Timeout comes from the configuration (issue 42).\n"})
	}
	return []modelfake.Reply{
		c("list_files", map[string]any{}),
		c("search", map[string]any{"query": "Timeout"}),
		read("config.go"),
		read("loader.go"),
		read("server.go"),
		c("search", map[string]any{"query": "DefaultTimeout ="}),
		edit("config.go"),
		read("config.go"),
		read("client.go"),
		edit("client.go"),
		read("handler.go"),
		c("search", map[string]any{"query": "func client"}),
		edit("server.go"),
		read("server.go"),
		read("config_test.go"),
		edit("config_test.go"),
		read("config_test.go"),
		read("README.md"),
		c("edit_file", map[string]any{"path": "README.md", "old": "// MARK README\n", "new": "// MARK README\n\nSet `timeout` in config.yml (default 30s).\n"}),
		modelfake.Finish("The client's timeout comes from config.yml's timeout (default 30s); tests and README updated."),
	}
}
