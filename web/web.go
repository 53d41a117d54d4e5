// Package web serves the run pages (/runs, /runs/{id}) and their JSON
// (/api/runs, /api/runs/{id}) behind GitHub login. A person sees the runs
// of repositories their own GitHub token can read; a run of any other
// repository answers exactly as a run that does not exist. The admin token
// sees every run. Pages are server-rendered html/template with no script.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/store"
)

// Store is what the pages read from the store.
type Store interface {
	ListRuns(ctx context.Context, f store.PageFilter) ([]*store.Run, error)
	RunRepos(ctx context.Context) ([]string, error)
	Run(ctx context.Context, id int64) (*store.Run, error)
	Decisions(ctx context.Context, runID int64) ([]store.Decision, error)
	CallCosts(ctx context.Context, runID int64) ([]store.CallCost, error)
	RunCost(ctx context.Context, runID int64) (int64, error)
	RunCommits(ctx context.Context, runID int64) ([]string, error)
}

// Config is what the pages need.
type Config struct {
	Store Store
	// ClientID and ClientSecret are the App's OAuth credentials; login is
	// off (only the admin token works) when ClientID is empty.
	ClientID, ClientSecret string
	// SessionKey signs the cookies; required with ClientID.
	SessionKey []byte
	AdminToken string
	// PublicURL is where people reach LifeOS (the callback is under it).
	PublicURL *url.URL
	// WebURL is GitHub's web address (https://github.com/), where the
	// OAuth endpoints and the links to PRs and commits are.
	WebURL string
	// APIURL is GitHub's REST API base, ending in a slash.
	APIURL string
	// HTTPClient talks to GitHub (http.DefaultClient if nil).
	HTTPClient *http.Client
	Now        func() time.Time
	Log        zerolog.Logger
}

// Handler serves the pages.
type Handler struct {
	cfg    Config
	sign   signer
	oauth  *oauth2.Config
	client *http.Client
	secure bool
	now    func() time.Time
	access accessCache
	pages  *template.Template
	router chi.Router
}

//go:embed templates
var templateFiles embed.FS

// New builds the pages' handler.
func New(cfg Config) (*Handler, error) {
	if cfg.ClientID != "" && (cfg.ClientSecret == "" || len(cfg.SessionKey) == 0 || cfg.PublicURL == nil) {
		return nil, errors.New("web: login needs a client secret, a session key and a public URL")
	}
	pages, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse templates: %w", err)
	}
	h := &Handler{cfg: cfg, sign: signer{key: cfg.SessionKey}, client: cfg.HTTPClient, now: cfg.Now, pages: pages,
		access: accessCache{entries: map[string]accessEntry{}}}
	if h.client == nil {
		h.client = http.DefaultClient
	}
	if h.now == nil {
		h.now = time.Now
	}
	if cfg.PublicURL != nil {
		h.secure = cfg.PublicURL.Scheme == "https" || !config.IsLoopback(cfg.PublicURL)
		web := strings.TrimSuffix(cfg.WebURL, "/")
		h.oauth = &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURL: cfg.PublicURL.String() + "/oauth/callback",
			Endpoint: oauth2.Endpoint{AuthURL: web + "/login/oauth/authorize", TokenURL: web + "/login/oauth/access_token",
				AuthStyle: oauth2.AuthStyleInParams}}
	}
	h.router = h.routes()
	return h, nil
}

// Patterns are the chi patterns the pages answer, for the server's router.
var Patterns = []string{"/login", "/oauth/callback", "/logout", "/runs", "/runs/*", "/api/runs", "/api/runs/*", "/static/*"}

// ServeHTTP serves the pages.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

func (h *Handler) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(securityHeaders)
	r.Get("/login", h.login)
	r.Get("/oauth/callback", h.callback)
	r.Post("/logout", h.logout)
	r.Get("/runs", h.runsPage)
	r.Get("/runs/{id}", h.runPage)
	r.Get("/api/runs", h.runsAPI)
	r.Get("/api/runs/{id}", h.runAPI)
	r.Get("/static/style.css", h.style)
	return r
}

// securityHeaders forbids scripts, framing and caching of run data.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// WebURLOf derives GitHub's web address from its REST API base:
// api.github.com is github.com, GitHub Enterprise's https://HOST/api/v3/
// is https://HOST/, and any other base (a local double) serves both.
func WebURLOf(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil {
		return apiURL
	}
	if u.Host == "api.github.com" {
		return "https://github.com/"
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v3") + "/"
	return u.String()
}
