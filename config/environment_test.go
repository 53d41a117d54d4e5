package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// environmentReaders are the files outside this package, besides tests, that
// may touch the environment, and why.
var environmentReaders = map[string]string{
	"main.go":                   "hands os.Getenv to Load, LoadCeilings and LoadPrices",
	"internal/testdb/testdb.go": "reads the test database URL, a test setting",
	"bench/memory/main.go":      "hands its own environment on to the lifeos process it measures",
	"bench/bigrepo/env.go":      "hands its own environment on to the lifeos process it measures",
}

// TestOnlyConfigReadsTheEnvironment: no other package of the module reads an
// environment variable, so every setting is in Config and in README.md.
func TestOnlyConfigReadsTheEnvironment(t *testing.T) {
	readers := map[string]bool{"Getenv": true, "LookupEnv": true, "Environ": true}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n != ".." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, ".."+string(filepath.Separator)))
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") ||
			strings.HasPrefix(rel, "config/") || environmentReaders[rel] != "" {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkgs := map[string]bool{} // local names of os and syscall
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p != "os" && p != "syscall" {
				continue
			}
			name := p
			if imp.Name != nil {
				name = imp.Name.Name
			}
			pkgs[name] = true
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || !readers[sel.Sel.Name] {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && pkgs[x.Name] {
				t.Errorf("%s: %s.%s: read settings in package config (config.Load)", fset.Position(sel.Pos()), x.Name, sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
