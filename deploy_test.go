package main

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/server"
)

// ignorePatterns reads an ignore file's patterns, without comments.
func ignorePatterns(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// globRegexp turns an ignore glob into a regular expression over a whole
// slash-separated path: ** spans directories, * and ? do not.
func globRegexp(glob string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch {
		case strings.HasPrefix(glob[i:], "**/"):
			b.WriteString("(.*/)?")
			i += 2
		case glob[i] == '*':
			b.WriteString("[^/]*")
		case glob[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(glob[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// dockerIgnores reports whether .dockerignore's patterns keep path out of
// the build context: Docker matches each pattern against the whole path
// from the context's root, or against a directory above it.
func dockerIgnores(patterns []string, path string) bool {
	ignored := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		re := globRegexp(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(p, "!"), "/"), "/"))
		parts := strings.Split(path, "/")
		for i := 1; i <= len(parts); i++ {
			if re.MatchString(strings.Join(parts[:i], "/")) {
				ignored = !neg
				break
			}
		}
	}
	return ignored
}

// samples are paths each .gitignore pattern stands for: at the root and,
// unless the pattern is anchored, deeper down.
func samples(pattern string) []string {
	anchored := strings.HasPrefix(pattern, "/")
	p := strings.TrimPrefix(strings.TrimPrefix(pattern, "/"), "**/")
	p = strings.ReplaceAll(p, "*", "x")
	if strings.HasSuffix(p, "/") {
		p += "lifeos.db"
	}
	if anchored {
		return []string{p}
	}
	return []string{p, "deploy/nested/" + p}
}

// Whatever git is told to keep out (the data directory, keys, .env files,
// build output) stays out of a Docker build context too, so COPY . . never
// sends a private key or the SQLite file to a builder; and what the build
// needs is not kept out.
func TestDockerignoreCoversGitignore(t *testing.T) {
	docker := ignorePatterns(t, ".dockerignore")
	for _, p := range ignorePatterns(t, ".gitignore") {
		if strings.HasPrefix(p, "!") {
			continue
		}
		for _, path := range samples(p) {
			if !dockerIgnores(docker, path) {
				t.Errorf(".gitignore has %s, but .dockerignore lets %s into the build context", p, path)
			}
		}
	}
	for _, path := range []string{"data/github-app.pem", "data/github-app.json", "data/lifeos.db", "lifeos-app.2026-12-06.private-key.pem", ".env"} {
		if !dockerIgnores(docker, path) {
			t.Errorf(".dockerignore lets %s into the build context", path)
		}
	}
	for _, path := range []string{"go.mod", "go.sum", "main.go", "app.yml", "server/server.go", "githubfake/spec/github-subset.json.gz"} {
		if dockerIgnores(docker, path) {
			t.Errorf(".dockerignore keeps %s, which the build needs, out of the context", path)
		}
	}
}

// The image checks its own health with the binary: distroless has no
// shell or curl.
func TestDockerfileHasHealthcheck(t *testing.T) {
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `HEALTHCHECK `) || !strings.Contains(string(raw), `CMD ["/lifeos","healthcheck"]`) {
		t.Error(`Dockerfile has no HEALTHCHECK running ["/lifeos","healthcheck"]`)
	}
}

// The process managers wait longer than the server's drain on SIGTERM,
// or running work would be killed before it reaches a safe point.
func TestStopTimeoutsOutlastTheDrain(t *testing.T) {
	for _, f := range []struct{ file, pattern string }{
		{"fly.toml", `(?m)^kill_timeout = "(\d+)s"`},
		{"docs/lifeos.service", `(?m)^TimeoutStopSec=(\d+)$`},
	} {
		raw, err := os.ReadFile(f.file)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(f.pattern).FindSubmatch(raw)
		if m == nil {
			t.Errorf("%s sets no stop timeout", f.file)
			continue
		}
		secs, _ := strconv.Atoi(string(m[1]))
		if time.Duration(secs)*time.Second <= server.ShutdownGrace {
			t.Errorf("%s waits %ds on stop, not longer than the server's %s drain", f.file, secs, server.ShutdownGrace)
		}
	}
}
