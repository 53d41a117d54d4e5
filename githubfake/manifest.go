package githubfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The manifest flow (registering an App from a manifest) is served beside
// the API pipeline, as the OAuth web flow is: the form target is a web
// page, and the conversion is outside the embedded description's subset.
// The double has one App; registering it from a manifest hands out that
// App's id, slug and key with a fresh webhook secret and OAuth client, as
// GitHub hands out a new App's.
const (
	manifestFormPath   = "/settings/apps/new"
	manifestConversion = "/app-manifests/"
	// manifestCodeLifetime is how long GitHub takes a manifest code.
	manifestCodeLifetime = time.Hour
)

// manifestState is the double's record of the manifest flow.
type manifestState struct {
	// submitted are the manifests posted to the form, oldest first.
	submitted []Manifest
	codes     map[string]manifestCode
	// webhookSecret is the secret of the latest conversion.
	webhookSecret string
}

type manifestCode struct {
	manifest Manifest
	owner    string
	issued   time.Time
}

// Manifest is the part of a posted App manifest the double checks and
// keeps for assertions.
type Manifest struct {
	Name           string `json:"name"`
	URL            string `json:"url"`
	HookAttributes struct {
		URL    string `json:"url"`
		Active *bool  `json:"active"`
	} `json:"hook_attributes"`
	RedirectURL        string            `json:"redirect_url"`
	CallbackURLs       []string          `json:"callback_urls"`
	SetupURL           string            `json:"setup_url"`
	Public             bool              `json:"public"`
	DefaultPermissions map[string]string `json:"default_permissions"`
	DefaultEvents      []string          `json:"default_events"`
	// Owner is the organization of the form posted to, or "" for the
	// signed-in user's own account.
	Owner string `json:"-"`
}

// Manifests returns the App manifests posted to the registration form.
func (s *Server) Manifests() []Manifest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Manifest(nil), s.manifest.submitted...)
}

// WebhookSecret is the webhook secret the latest manifest conversion
// handed out, empty before one.
func (s *Server) WebhookSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.manifest.webhookSecret
}

// WebURL is the double's web address (GITHUB_WEB_URL), without a slash.
func (s *Server) WebURL() string { return s.http.URL }

// serveManifest answers the registration form and the conversion,
// reporting whether the request was one of them.
func (s *Server) serveManifest(w http.ResponseWriter, r *http.Request, path string) bool {
	var rep reply
	org, isOrg := strings.CutPrefix(path, "/organizations/")
	switch {
	case r.Method == http.MethodPost && path == manifestFormPath:
		rep = s.manifestForm(r, "")
	case r.Method == http.MethodPost && isOrg && strings.HasSuffix(org, manifestFormPath) && !strings.Contains(strings.TrimSuffix(org, manifestFormPath), "/"):
		rep = s.manifestForm(r, strings.TrimSuffix(org, manifestFormPath))
	case r.Method == http.MethodPost && strings.HasPrefix(path, manifestConversion) && strings.HasSuffix(path, "/conversions"):
		code := strings.TrimSuffix(strings.TrimPrefix(path, manifestConversion), "/conversions")
		rep = s.convertManifest(code)
		path = manifestConversion + "{code}/conversions" // codes stay out of the request log
	default:
		return false
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Status: rep.status, Time: s.now()})
	s.mu.Unlock()
	writeReply(w, rep)
	return true
}

// manifestForm takes a manifest posted as GitHub's form expects (a
// "manifest" field of JSON, the state in the query), approves it at once
// and redirects to its redirect_url with a code and the state.
func (s *Server) manifestForm(r *http.Request, org string) reply {
	var m Manifest
	if err := json.Unmarshal([]byte(r.PostFormValue("manifest")), &m); err != nil {
		return errReply(http.StatusBadRequest, "githubfake: the manifest field is not JSON: "+err.Error())
	}
	back, err := url.Parse(m.RedirectURL)
	if m.Name == "" || m.URL == "" || m.HookAttributes.URL == "" || err != nil || back.Scheme == "" || back.Host == "" {
		return errReply(http.StatusUnprocessableEntity, "githubfake: a manifest needs name, url, hook_attributes.url and an absolute redirect_url")
	}
	m.Owner = org
	s.mu.Lock()
	defer s.mu.Unlock()
	owner := org
	if owner == "" {
		owner = s.oauth.signedIn
	}
	if owner == "" {
		owner = "octocat"
	}
	s.manifest.submitted = append(s.manifest.submitted, m)
	code := randomString(20)
	if s.manifest.codes == nil {
		s.manifest.codes = map[string]manifestCode{}
	}
	s.manifest.codes[code] = manifestCode{manifest: m, owner: owner, issued: s.now()}
	v := back.Query()
	v.Set("code", code)
	if st := r.URL.Query().Get("state"); st != "" {
		v.Set("state", st)
	}
	back.RawQuery = v.Encode()
	return redirect(back.String())
}

// manifestApp is POST /app-manifests/{code}/conversions's answer: the App
// ("integration") with its secrets.
type manifestApp struct {
	ID            int64             `json:"id"`
	Slug          string            `json:"slug"`
	NodeID        string            `json:"node_id"`
	Owner         userJSON          `json:"owner"`
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	ExternalURL   string            `json:"external_url"`
	HTMLURL       string            `json:"html_url"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	Permissions   map[string]string `json:"permissions"`
	Events        []string          `json:"events"`
	ClientID      string            `json:"client_id"`
	ClientSecret  string            `json:"client_secret"`
	WebhookSecret string            `json:"webhook_secret"`
	PEM           string            `json:"pem"`
}

// convertManifest exchanges a code once, within the hour; GitHub answers
// an unknown, spent or expired code with 404.
func (s *Server) convertManifest(code string) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.manifest.codes[code]
	if !ok || s.now().Sub(c.issued) > manifestCodeLifetime {
		return notFound()
	}
	delete(s.manifest.codes, code)
	owner := s.user(c.owner)
	s.manifest.webhookSecret = randomString(40)
	s.oauth.clientID, s.oauth.clientSecret = "Iv1."+strings.ToLower(randomString(16)), randomString(40)
	return jsonReply(http.StatusCreated, manifestApp{
		ID: s.appID, Slug: s.slug, NodeID: "A_" + randomString(12), Name: c.manifest.Name,
		Owner:       userJSON{Login: owner.login, ID: owner.id, Type: owner.typ},
		ExternalURL: c.manifest.URL, HTMLURL: htmlBase + "/apps/" + s.slug, CreatedAt: s.now(), UpdatedAt: s.now(),
		Permissions: c.manifest.DefaultPermissions, Events: c.manifest.DefaultEvents,
		ClientID: s.oauth.clientID, ClientSecret: s.oauth.clientSecret, WebhookSecret: s.manifest.webhookSecret,
		PEM: string(s.PrivateKeyPEM()),
	})
}
