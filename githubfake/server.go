// Package githubfake is a stateful, in-process test double of the GitHub
// REST API for end-to-end tests of a GitHub App. It serves over HTTP
// (net/http/httptest), checks every request against GitHub's published
// OpenAPI description, authenticates like GitHub Apps (JWT, then
// installation tokens) and keeps real git objects, issues, pull requests
// and check runs with GitHub's semantics.
//
// Point the App's GitHub client at URL() (as GITHUB_V3_API_URL); requests
// may come with or without the /api/v3 prefix. Tests seed state with the
// Add* methods and read the outcome back through Repo and Requests.
package githubfake

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for Options.
const (
	// DefaultAppID is the App's id when Options.AppID is zero.
	DefaultAppID = 1
	// DefaultAppSlug names the App when Options.AppSlug is empty; its bot
	// user is "lifeos[bot]".
	DefaultAppSlug = "lifeos"
	// apiPrefix is the path GitHub Enterprise Server serves the API under;
	// go-github adds it to some base URLs, so the double accepts it too.
	apiPrefix = "/api/v3"
	// htmlBase is where html_url links point; nothing fetches them.
	htmlBase = "https://github.com"
	// docsURL is the documentation_url of error bodies.
	docsURL = "https://docs.github.com/rest"
	// firstID starts the id sequence above 2^31 so that code truncating
	// ids to 32 bits fails as it would against github.com.
	firstID = 2_200_000_000
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// AppID is the GitHub App's id; DefaultAppID if zero.
	AppID int64
	// AppSlug is the App's slug; its bot user is "<slug>[bot]".
	AppSlug string
	// PrivateKey signs nothing here but verifies the App's JWTs; a 2048-bit
	// key is generated when nil.
	PrivateKey *rsa.PrivateKey
	// Now is the clock for token expiry and timestamps; time.Now if nil.
	Now func() time.Time
	// ArchiveURL, if set and not empty for a repository and commit, is
	// where the tarball link redirects instead of an archive built from
	// the repository's files: benchmarks serve a pre-built archive of any
	// size from their own loopback server.
	ArchiveURL func(repo, sha string) string
	// TokenLifetime is how long an installation token lives
	// (DefaultTokenLifetime, GitHub's hour, if zero). A shorter one lets a
	// test see its tokens expire mid-run; an expired token is answered 401
	// "Bad credentials", as GitHub does.
	TokenLifetime time.Duration
}

// Request is one API request the double received, for assertions.
type Request struct {
	Method string
	// Path is the request path without the /api/v3 prefix or query.
	Path string
	// Route is the matched operation ("GET /repos/{owner}/{repo}"), empty
	// if none matched.
	Route  string
	Status int
	// Installation is the id of the installation whose token authorized
	// the request, 0 for JWT or unauthenticated requests.
	Installation int64
	Time         time.Time
	// Conditional is set when the request carried If-None-Match; its
	// answer is 304 when the resource is unchanged, which GitHub does not
	// count against the rate limit.
	Conditional bool
}

// Server is the GitHub double. All of its state sits behind one mutex, so
// test code may call its methods while the App under test is running.
type Server struct {
	appID int64
	slug  string
	key   *rsa.PrivateKey
	clock func() time.Time
	// archiveURL is Options.ArchiveURL.
	archiveURL func(repo, sha string) string
	// tokenLifetime is Options.TokenLifetime or DefaultTokenLifetime.
	tokenLifetime time.Duration
	http          *httptest.Server
	spec          *apiSpec
	routes        map[string]route

	mu               sync.Mutex
	nextID           int64
	users            map[string]*userState
	installations    map[int64]*installation
	tokens           map[string]*tokenState
	repos            map[string]*repoState
	teams            map[string]map[string]string // "org/team" -> lower login -> role
	downloads        map[string]download
	requests         []Request
	validationErrors []string
	// branchNoTree makes branch answers omit commit.commit.tree, as some
	// GitHub Enterprise versions and compatible servers do.
	branchNoTree bool
	// faults are injected answers by operation (FailRoute, InjectFault).
	faults map[string]*Fault
	// oauth is the OAuth web flow's state and the user tokens it issued.
	oauth oauthState
	// manifest is the manifest flow's posted manifests and codes.
	manifest manifestState
	// hooks run after a request on their route is answered (OnRequest).
	hooks map[string][]func(Request)
}

// New starts a double. It panics if the embedded API description cannot
// be loaded or a key cannot be generated, which are bugs, not test
// conditions.
func New(opts Options) *Server {
	spec, err := loadSpec()
	if err != nil {
		panic(fmt.Sprintf("githubfake: %v", err))
	}
	s := &Server{
		appID:         opts.AppID,
		slug:          opts.AppSlug,
		key:           opts.PrivateKey,
		clock:         opts.Now,
		archiveURL:    opts.ArchiveURL,
		tokenLifetime: opts.TokenLifetime,
		spec:          spec,
		nextID:        firstID,
		users:         map[string]*userState{},
		installations: map[int64]*installation{},
		tokens:        map[string]*tokenState{},
		repos:         map[string]*repoState{},
		teams:         map[string]map[string]string{},
		downloads:     map[string]download{},
	}
	if s.appID == 0 {
		s.appID = DefaultAppID
	}
	if s.slug == "" {
		s.slug = DefaultAppSlug
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.tokenLifetime <= 0 {
		s.tokenLifetime = DefaultTokenLifetime
	}
	if s.key == nil {
		if s.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(fmt.Sprintf("githubfake: generate app key: %v", err))
		}
	}
	s.routes = s.routeTable()
	s.users[strings.ToLower(s.botLogin())] = &userState{id: s.newID(), login: s.botLogin(), typ: "Bot"}
	s.http = httptest.NewServer(s)
	return s
}

// Close shuts the HTTP server down.
func (s *Server) Close() { s.http.Close() }

// URL is the API base URL, with a trailing slash, for GITHUB_V3_API_URL.
func (s *Server) URL() string { return s.http.URL + "/" }

// AppID is the GitHub App's id, the iss of its JWTs.
func (s *Server) AppID() int64 { return s.appID }

// AppSlug is the App's slug.
func (s *Server) AppSlug() string { return s.slug }

// BotLogin is the login of the App's bot user, "<slug>[bot]".
func (s *Server) BotLogin() string { return s.botLogin() }

// PrivateKeyPEM is the App's private key in PKCS#1 PEM, as GitHub hands
// it out.
func (s *Server) PrivateKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(s.key)})
}

// Requests returns a copy of the API request log, oldest first. Archive
// and log downloads that API redirects point at are not API requests and
// are not logged.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// ValidationErrors lists the requests GitHub would have rejected as
// malformed or unknown, and the answers of the double that GitHub's
// description does not allow (an undeclared status, a body not of the
// response schema), each as "METHOD path: reason". Tests should assert it
// is empty.
func (s *Server) ValidationErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.validationErrors...)
}

// ResetValidationErrors forgets recorded validation errors, for tests that
// send a bad request on purpose.
func (s *Server) ResetValidationErrors() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.validationErrors = nil
}

// authKind says which credential an operation takes.
type authKind int

const (
	authInstallation authKind = iota // installation access token
	authJWT                          // the App's JWT
	// authInstallationOrUser also takes a user access token, which
	// reaches the repositories its user can read.
	authInstallationOrUser
)

// route is one served operation.
type route struct {
	auth authKind
	// perms lists "category:level" alternatives, any of which the token
	// must hold ("issues:write" or "pull_requests:write").
	perms []string
	fn    func(*call) reply
}

// call is one request on its way through a handler.
type call struct {
	s      *Server
	r      *http.Request
	params map[string]string // unescaped path parameters
	query  url.Values
	body   []byte
	inst   *installation
	token  *tokenState
	repo   *repoState
	user   string // the login of a user access token
}

// reply is a handler's answer.
type reply struct {
	status int
	body   any // marshalled as JSON unless nil
	header http.Header
	// reset drops the connection instead of answering (Fault.Reset).
	reset bool
}

// fieldError is an entry of a 422 response's errors array.
type fieldError struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

// errorBody is GitHub's error shape.
type errorBody struct {
	Message          string `json:"message"`
	Errors           []any  `json:"errors,omitempty"`
	DocumentationURL string `json:"documentation_url"`
	Status           string `json:"status"`
}

// rawBody is a reply body sent as is rather than as JSON.
type rawBody []byte

func jsonReply(status int, body any) reply { return reply{status: status, body: body} }

func errReply(status int, msg string) reply {
	return reply{status: status, body: errorBody{Message: msg, DocumentationURL: docsURL, Status: strconv.Itoa(status)}}
}

func notFound() reply { return errReply(http.StatusNotFound, "Not Found") }

// invalid is a 422 "Validation Failed" with field errors.
func invalid(errs ...fieldError) reply {
	b := errorBody{Message: "Validation Failed", DocumentationURL: docsURL, Status: "422"}
	for _, e := range errs {
		b.Errors = append(b.Errors, e)
	}
	return reply{status: http.StatusUnprocessableEntity, body: b}
}

// unprocessable is a 422 with a bare message, as the git data API answers.
func unprocessable(msg string) reply { return errReply(http.StatusUnprocessableEntity, msg) }

func redirect(location string) reply {
	return reply{status: http.StatusFound, header: http.Header{"Location": {location}}}
}

// ServeHTTP answers one request: downloads first, then the API pipeline of
// routing, authentication, validation, repository access and permission.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	escaped := r.URL.EscapedPath()
	if p, ok := strings.CutPrefix(escaped, apiPrefix); ok && (p == "" || p[0] == '/') {
		escaped = p
	}
	if strings.HasPrefix(escaped, downloadPrefix) {
		s.serveDownload(w, r, escaped)
		return
	}
	if s.serveOAuth(w, r, escaped) || s.serveManifest(w, r, escaped) {
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeReply(w, errReply(http.StatusBadRequest, "could not read body"))
		return
	}
	if d := s.faultDelay(r, escaped); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	rec, hooks := s.answer(w, r, escaped, body)
	if len(hooks) == 0 {
		return
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush() // the App has its answer before a hook runs
	}
	for _, h := range hooks {
		h(rec)
	}
}

// answer serves one API request under the lock, records it, and returns
// it with the hooks registered for its route (OnRequest).
func (s *Server) answer(w http.ResponseWriter, r *http.Request, escaped string, body []byte) (Request, []func(Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := Request{Method: r.Method, Path: unescapePath(escaped), Time: s.now()}
	var rep reply
	var found *match
	if r.Method == http.MethodPost && escaped == graphQLPath {
		rep = s.serveGraphQL(r, body, &rec)
	} else {
		rep, found = s.serveAPI(r, escaped, body, &rec)
	}
	out := encodeReply(rep)
	rec.Conditional = r.Header.Get("If-None-Match") != ""
	out = conditional(r, out)
	rec.Status = out.status
	if found != nil && out.status != http.StatusNotModified {
		// The double must answer only as GitHub could: a status the
		// operation declares, with a body of the declared shape.
		if err := s.spec.validateResponse(found, out, rep); err != nil {
			s.validationErrors = append(s.validationErrors, fmt.Sprintf("%s %s: githubfake answered %d, which GitHub would not: %v", r.Method, rec.Path, out.status, err))
		}
	}
	s.requests = append(s.requests, rec)
	if rep.reset {
		dropConnection(w)
		return rec, nil
	}
	out.write(w)
	return rec, slices.Clone(s.hooks[rec.Route])
}

// serveAPI answers one API request; found is the routed operation, nil if
// the request matched none.
func (s *Server) serveAPI(r *http.Request, escaped string, body []byte, rec *Request) (rep reply, found *match) {
	found, err := s.spec.find(r, escaped)
	if err != nil {
		s.validationErrors = append(s.validationErrors, fmt.Sprintf("%s %s: %v", r.Method, rec.Path, err))
		// GitHub says only "Not Found"; the reason helps whoever debugs the test.
		return errReply(http.StatusNotFound, "Not Found (githubfake: "+err.Error()+")"), nil
	}
	rec.Route = found.key
	if f, ok := s.faults[found.key]; ok && (f.Status != 0 || f.Reset) {
		return s.spendFault(found.key, f), nil // before any change of state
	}
	rt, ok := s.routes[found.key]
	if !ok {
		s.validationErrors = append(s.validationErrors, fmt.Sprintf("%s %s: operation %s is in the spec but not served", r.Method, rec.Path, found.key))
		return notFound(), nil
	}
	c := &call{s: s, r: r, params: found.params, query: r.URL.Query(), body: body}

	if rep, ok := s.authenticate(c, rt.auth); !ok {
		return rep, found
	}
	if c.inst != nil {
		rec.Installation = c.inst.id
	}
	if err := s.spec.validate(r, found, body); err != nil {
		s.validationErrors = append(s.validationErrors, fmt.Sprintf("%s %s: %v", r.Method, rec.Path, err))
		if !json.Valid(body) && len(bytes.TrimSpace(body)) > 0 {
			return errReply(http.StatusBadRequest, "Problems parsing JSON"), nil
		}
		// The request was already reported; its answer is GitHub's generic
		// one, not the operation's, so it is not checked again.
		return errReply(http.StatusUnprocessableEntity, "Invalid request.\n\n"+err.Error()), nil
	}
	if rep, ok := s.authorize(c, rt.perms); !ok {
		return rep, found
	}
	return rt.fn(c), found
}

// encoded is a reply as it goes on the wire.
type encoded struct {
	status int
	header http.Header
	body   []byte
}

// encodeReply renders a reply: JSON unless the body is raw or absent.
func encodeReply(rep reply) encoded {
	out := encoded{status: rep.status, header: http.Header{}}
	for k, vs := range rep.header {
		out.header[k] = vs
	}
	switch b := rep.body.(type) {
	case nil:
		return out
	case rawBody:
		out.header.Set("Content-Type", "application/vnd.github.raw")
		out.body = b
		return out
	}
	js, err := json.Marshal(rep.body)
	out.header.Set("Content-Type", "application/json; charset=utf-8")
	if err != nil {
		out.status = http.StatusInternalServerError
		out.body = fmt.Appendf(nil, `{"message":%q}`, "githubfake: encode response: "+err.Error())
		return out
	}
	out.body = js
	return out
}

func (out encoded) write(w http.ResponseWriter) {
	for k, vs := range out.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(out.status)
	if len(out.body) > 0 {
		_, _ = w.Write(out.body)
	}
}

func writeReply(w http.ResponseWriter, rep reply) { encodeReply(rep).write(w) }

func unescapePath(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

// decode unmarshals the JSON body into v; an empty body leaves v alone.
func (c *call) decode(v any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return fmt.Errorf("decode %s body: %w", c.r.URL.Path, err)
	}
	return nil
}

// int64Param parses a numeric path parameter; validation already checked it.
func (c *call) int64Param(name string) int64 {
	n, _ := strconv.ParseInt(c.params[name], 10, 64)
	return n
}

// apiURL is an absolute API URL of a path on this double.
func (s *Server) apiURL(format string, args ...any) string {
	return s.http.URL + fmt.Sprintf(format, args...)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// htmlURL is a github.com-style web link.
func htmlURL(format string, args ...any) string {
	return htmlBase + fmt.Sprintf(format, args...)
}
