package githubfake

import (
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v89/github"
)

func TestServedOperationsMatchSpec(t *testing.T) {
	start := time.Now()
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("spec loaded in %v", time.Since(start))
	inSpec := map[string]bool{}
	for path, item := range spec.doc.Paths.Map() {
		for method := range item.Operations() {
			inSpec[method+" "+path] = true
		}
	}
	s := &Server{}
	served := s.routeTable()
	var missing, extra []string
	for k := range inSpec {
		if _, ok := served[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range served {
		if !inSpec[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("in spec but not served: %v\nserved but not in spec: %v", missing, extra)
	}
}

func TestEncodeTail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/repos/o/r/git/ref/heads/a/b", "/repos/o/r/git/ref/heads%2Fa%2Fb"},
		{"/repos/o/r/git/refs/heads/a", "/repos/o/r/git/refs/heads%2Fa"},
		{"/repos/o/r/git/refs", "/repos/o/r/git/refs"},
		{"/repos/o/r/contents/a/b%20c.txt", "/repos/o/r/contents/a%2Fb%20c.txt"},
		{"/repos/o/r/tarball/feature/x", "/repos/o/r/tarball/feature%2Fx"},
		{"/repos/o/r/commits/feature/x", "/repos/o/r/commits/feature%2Fx"},
		{"/repos/o/r/commits/feature/x/check-runs", "/repos/o/r/commits/feature%2Fx/check-runs"},
		{"/repos/o/r/commits/abc/status", "/repos/o/r/commits/abc/status"},
		{"/repos/o/r/branches/a/b", "/repos/o/r/branches/a%2Fb"},
		{"/repos/o/r/branches/main/protection", "/repos/o/r/branches/main/protection"},
		{"/repos/o/r/issues/1", "/repos/o/r/issues/1"},
	}
	for _, tt := range tests {
		if got := encodeTail(tt.in); got != tt.want {
			t.Errorf("encodeTail(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestInvalidRequestsAreRejectedAndRecorded(t *testing.T) {
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"create pull without head", "POST", "repos/acme/widgets/pulls", map[string]any{"title": "x", "base": "main"}, 422},
		{"create issue without title", "POST", "repos/acme/widgets/issues", map[string]any{"body": "x"}, 422},
		{"bad state filter", "GET", "repos/acme/widgets/pulls?state=merged", nil, 422},
		{"non-numeric issue number", "GET", "repos/acme/widgets/issues/abc", nil, 422},
		{"unknown reaction", "POST", "repos/acme/widgets/issues/1/reactions", map[string]any{"content": "party"}, 422},
		{"tree entry with bad mode", "POST", "repos/acme/widgets/git/trees", map[string]any{"tree": []any{map[string]any{"path": "a", "mode": "644", "type": "blob", "content": "x"}}}, 422},
		{"unknown endpoint", "GET", "repos/acme/widgets/frobnicate", nil, 404},
		{"unserved method", "PUT", "repos/acme/widgets/issues/1", map[string]any{}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, map[string]string{"a": "a"})
			f.s.AddIssue(testRepo, "t", "b", "alice")
			req, err := f.gh.NewRequest(ctx, tt.method, tt.path, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := f.gh.Do(req, nil)
			if resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("status = %v, %v; want %d", resp, err, tt.status)
			}
			errs := f.s.ValidationErrors()
			if len(errs) != 1 {
				t.Fatalf("validation errors = %v, want exactly one", errs)
			}
			if !strings.Contains(errs[0], strings.SplitN(tt.path, "?", 2)[0]) {
				t.Errorf("validation error %q does not name the path", errs[0])
			}
		})
	}
}

func TestRawBodyWithoutContentTypeIsAccepted(t *testing.T) {
	f := newFixture(t, map[string]string{"a": "a"})
	req, err := f.gh.NewRequest(ctx, "POST", "repos/acme/widgets/issues", &github.IssueRequest{Title: github.Ptr("t")})
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Del("Content-Type")
	if _, err := f.gh.Do(req, nil); err != nil {
		t.Errorf("create issue without Content-Type: %v", err)
	}
	noValidationErrors(t, f.s)
}

// The double's own answers are checked too: a status the operation does
// not declare, or a body not of its schema, is reported.
func TestWrongResponsesAreRecorded(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/repos/acme/widgets/issues/1", nil)
	m, err := spec.find(r, r.URL.EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rep  reply
		want string // "" if valid
	}{
		{"an issue", jsonReply(200, map[string]any{"id": 1, "number": 1, "title": "t", "state": "open"}), ""},
		{"not found", notFound(), ""},
		{"no credentials", errReply(401, "Bad credentials"), ""},
		{"wrong type", jsonReply(200, map[string]any{"id": "one", "number": 1}), "/id"},
		{"wrong boolean", jsonReply(200, map[string]any{"id": 1, "locked": "yes"}), "/locked"},
		{"not an object", jsonReply(200, []any{1}), "object"},
		{"undeclared status", errReply(409, "Conflict"), "status is not supported"},
		{"generic status without message", jsonReply(403, map[string]any{}), "message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := spec.validateResponse(m, encodeReply(tt.rep), tt.rep)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("valid answer rejected: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error = %v, want one naming %q", err, tt.want)
			}
		})
	}
}
