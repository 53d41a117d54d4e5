package githubfake

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specGz is the subset of GitHub's REST description the double serves,
// cut by internal/specgen.
//
//go:embed spec/github-subset.json.gz
var specGz []byte

// apiSpec is the parsed description and a router over it. It is read-only
// once built and shared by every Server in the process.
type apiSpec struct {
	doc    *openapi3.T
	router routers.Router
}

// loadSpec parses the embedded description once per process; parsing is
// the slow part of starting a double.
var loadSpec = sync.OnceValues(func() (*apiSpec, error) {
	zr, err := gzip.NewReader(bytes.NewReader(specGz))
	if err != nil {
		return nil, fmt.Errorf("open embedded spec: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("read embedded spec: %w", err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("parse embedded spec: %w", err)
	}
	// GitHub's description fails doc.Validate(), so it is not called. The
	// servers are replaced by a relative one so any host matches.
	doc.Servers = openapi3.Servers{{URL: "/"}}
	lenientResponses(doc)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route embedded spec: %w", err)
	}
	return &apiSpec{doc: doc, router: router}, nil
})

// match is a routed request.
type match struct {
	key    string // "METHOD /template"
	route  *routers.Route
	raw    map[string]string // path parameters as routed (escaped)
	params map[string]string // path parameters unescaped
	req    *http.Request     // the request as routed
}

// slashTails are the operations whose last parameter may hold slashes.
// GitHub routes them greedily; the router only matches one segment, so
// the tail's slashes are escaped first. stop lists sub-resources that end
// such a path and so are not part of the tail.
var slashTails = []struct {
	re   *regexp.Regexp
	stop []string
}{
	{re: regexp.MustCompile(`^(/repos/[^/]+/[^/]+/git/ref/)(.+)$`)},
	{re: regexp.MustCompile(`^(/repos/[^/]+/[^/]+/git/refs/)(.+)$`)},
	{re: regexp.MustCompile(`^(/repos/[^/]+/[^/]+/git/matching-refs/)(.+)$`)},
	{re: regexp.MustCompile(`^(/repos/[^/]+/[^/]+/contents/)(.+)$`)},
	{re: regexp.MustCompile(`^(/repos/[^/]+/[^/]+/(?:tarball|zipball)/)(.+)$`)},
	{re: regexp.MustCompile(`^(/repos/[^/]+/[^/]+/commits/)(.+)$`),
		stop: []string{"/check-runs", "/check-suites", "/status", "/statuses", "/comments", "/pulls", "/branches-where-head"}},
	{re: regexp.MustCompile(`^(/repos/[^/]+/[^/]+/branches/)(.+)$`),
		stop: []string{"/protection", "/rename"}},
}

// encodeTail escapes the slashes of a greedy last parameter.
func encodeTail(escaped string) string {
	for _, t := range slashTails {
		m := t.re.FindStringSubmatch(escaped)
		if m == nil {
			continue
		}
		tail, suffix := m[2], ""
		for _, stop := range t.stop {
			if i := strings.Index(tail, stop); i > 0 && (len(tail) == i+len(stop) || tail[i+len(stop)] == '/') {
				tail, suffix = tail[:i], tail[i:]
				break
			}
		}
		return m[1] + strings.ReplaceAll(tail, "/", "%2F") + suffix
	}
	return escaped
}

// find routes a request whose escaped path (without /api/v3) is given.
func (sp *apiSpec) find(r *http.Request, escaped string) (*match, error) {
	encoded := encodeTail(escaped)
	decoded, err := url.PathUnescape(encoded)
	if err != nil {
		return nil, fmt.Errorf("bad path escape: %w", err)
	}
	req := r.Clone(r.Context())
	u := *r.URL
	u.Path, u.RawPath = decoded, encoded
	req.URL = &u
	route, raw, err := sp.router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		return nil, fmt.Errorf("no operation %s for this path in GitHub's API description", r.Method)
	case err != nil:
		return nil, fmt.Errorf("no such operation in GitHub's API description (or not served by githubfake)")
	}
	params := make(map[string]string, len(raw))
	for k, v := range raw {
		if params[k], err = url.PathUnescape(v); err != nil {
			return nil, fmt.Errorf("bad escape in path parameter %s: %w", k, err)
		}
	}
	return &match{key: route.Method + " " + route.Path, route: route, raw: raw, params: params, req: req}, nil
}

// validate checks parameters and body against the operation. Security is
// not checked here: the double authenticates like GitHub itself.
func (sp *apiSpec) validate(r *http.Request, m *match, body []byte) error {
	if rb := m.route.Operation.RequestBody; string(bytes.TrimSpace(body)) == "null" && (rb == nil || rb.Value == nil || !rb.Value.Required) {
		// ghinstallation sends a JSON null for "no options"; GitHub takes it
		// as no body.
		body = nil
	}
	req := m.req.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	if len(body) > 0 && req.Header.Get("Content-Type") == "" {
		// GitHub reads a JSON body whatever the Content-Type says.
		req.Header.Set("Content-Type", "application/json")
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: m.params,
		Route:      m.route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
			SkipSettingDefaults: true,
			MultiError:          true,
		},
	}
	in.Options.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return fmt.Sprintf("%s (at /%s)", err.Reason, strings.Join(err.JSONPointer(), "/"))
	})
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return fmt.Errorf("%s: %w", m.key, err)
	}
	return nil
}

// genericStatus are the error statuses GitHub answers on any operation
// whether or not its description declares them: 401 for bad credentials,
// 403 for a token without the permission, 422 for a body it will not
// take (POST /repos/{owner}/{repo}/statuses/{sha} declares only 201, yet
// GitHub refuses an unknown sha with 422).
var genericStatus = map[int]bool{
	http.StatusUnauthorized:        true,
	http.StatusForbidden:           true,
	http.StatusUnprocessableEntity: true,
}

// validateResponse checks the double's own answer against the operation:
// the status must be one the description declares (or a genericStatus,
// with GitHub's error object as its body), and a
// JSON body must match the response schema when there is one. Raw media
// types a client asks for with Accept (application/vnd.github.raw) are
// not described, so their bodies are not checked.
func (sp *apiSpec) validateResponse(m *match, out encoded, rep reply) error {
	if _, raw := rep.body.(rawBody); raw {
		return nil
	}
	if genericStatus[out.status] && m.route.Operation.Responses.Status(out.status) == nil {
		var e struct {
			Message *string `json:"message"`
		}
		if err := json.Unmarshal(out.body, &e); err != nil || e.Message == nil {
			return fmt.Errorf("%s: a %d body must be GitHub's error object with a message", m.key, out.status)
		}
		return nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    m.req,
			PathParams: m.params,
			Route:      m.route,
		},
		Status: out.status,
		Header: out.header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	in.Options.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return fmt.Sprintf("%s (at /%s)", err.Reason, strings.Join(err.JSONPointer(), "/"))
	})
	in.SetBodyBytes(out.body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s: %w", m.key, err)
	}
	return nil
}

// lenientResponses gives every response body of doc a copy of its schema
// in which no property is required. The double renders go-github's
// structs, which leave out many properties GitHub's response schemas mark
// required (null milestones, the *_url links of a repository...) and which
// no client of the double reads; what it does send is still checked for
// type, enum, format, nullability and oneOf branches. Request schemas keep
// their required properties: they are not copied.
func lenientResponses(doc *openapi3.T) {
	copies := map[*openapi3.Schema]*openapi3.Schema{}
	seen := map[*openapi3.Response]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Responses == nil {
				continue
			}
			for _, ref := range op.Responses.Map() {
				if ref == nil || ref.Value == nil || seen[ref.Value] {
					continue
				}
				seen[ref.Value] = true
				for _, mt := range ref.Value.Content {
					if mt != nil && mt.Schema != nil {
						mt.Schema = lenientRef(mt.Schema, copies)
					}
				}
			}
		}
	}
}

func lenientRef(ref *openapi3.SchemaRef, copies map[*openapi3.Schema]*openapi3.Schema) *openapi3.SchemaRef {
	if ref == nil || ref.Value == nil {
		return ref
	}
	return &openapi3.SchemaRef{Ref: ref.Ref, Value: lenient(ref.Value, copies)}
}

func lenient(s *openapi3.Schema, copies map[*openapi3.Schema]*openapi3.Schema) *openapi3.Schema {
	if c, ok := copies[s]; ok {
		return c
	}
	c := *s
	copies[s] = &c // before recursing: schemas may refer to themselves
	c.Required = nil
	refs := func(in openapi3.SchemaRefs) openapi3.SchemaRefs {
		if in == nil {
			return nil
		}
		out := make(openapi3.SchemaRefs, len(in))
		for i, r := range in {
			out[i] = lenientRef(r, copies)
		}
		return out
	}
	c.OneOf, c.AnyOf, c.AllOf = refs(s.OneOf), refs(s.AnyOf), refs(s.AllOf)
	c.Not, c.Items = lenientRef(s.Not, copies), lenientRef(s.Items, copies)
	if s.Properties != nil {
		c.Properties = make(openapi3.Schemas, len(s.Properties))
		for k, r := range s.Properties {
			c.Properties[k] = lenientRef(r, copies)
		}
	}
	c.AdditionalProperties.Schema = lenientRef(s.AdditionalProperties.Schema, copies)
	return &c
}
