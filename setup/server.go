package setup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/datadir"
	"github.com/lifeos/lifeos/gh"
)

// StateLifetime is how long a started registration may take to come back:
// a person may linger on GitHub's form before creating the App, and the
// code GitHub then issues lives an hour more.
const StateLifetime = 2 * time.Hour

// stateCookie binds a registration to the browser that started it.
const stateCookie = "lifeos_setup_state"

// orgName is what GitHub accepts as an organization login.
var orgName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$`)

// Options are what set-up mode needs besides the configuration.
type Options struct {
	// Manifest is app.yml's text.
	Manifest []byte
	// Terminal receives the `fly secrets set` line, and nothing else does.
	Terminal io.Writer
	Log      zerolog.Logger
	// HTTPClient calls GitHub's conversion (a default client if nil).
	HTTPClient *http.Client
	// Now is the clock (time.Now if nil).
	Now       func() time.Time
	UserAgent string
}

// Handler is set-up mode's HTTP front: /setup, its callback, a refused
// webhook and the health check; 404 for everything else.
type Handler struct {
	cfg  *config.Config
	opts Options
	urls URLs
	// manifest is the JSON posted to GitHub.
	manifest []byte

	mu     sync.Mutex
	states map[string]time.Time // state -> when it was issued
	done   bool
	// registered is closed once the App's credentials are stored.
	registered chan struct{}
}

// New builds set-up mode's handler. It fails when app.yml is unusable or
// the data directory cannot hold the credentials, before anyone is sent to
// GitHub.
func New(cfg *config.Config, o Options) (*Handler, error) {
	if err := datadir.Writable(cfg.DataDir); err != nil {
		return nil, err
	}
	urls := URLsOf(cfg)
	m, err := Manifest(o.Manifest, urls)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Terminal == nil {
		o.Terminal = io.Discard
	}
	return &Handler{cfg: cfg, opts: o, urls: urls, manifest: m, states: map[string]time.Time{}, registered: make(chan struct{})}, nil
}

// Registered is closed once an App is registered and stored.
func (h *Handler) Registered() <-chan struct{} { return h.registered }

// ServeHTTP answers set-up mode's few routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == PagePath && r.Method == http.MethodGet:
		h.page(w)
	case r.URL.Path == PagePath && r.Method == http.MethodPost:
		h.start(w, r)
	case r.URL.Path == CallbackPath && r.Method == http.MethodGet:
		h.callback(w, r)
	case r.URL.Path == HookPath:
		// 503: GitHub shows it on the delivery and lets it be redelivered
		// once the App is set up.
		http.Error(w, "LifeOS is in set-up mode: no GitHub App is registered yet, so no delivery can be checked. Finish "+h.urls.Public+PagePath+" first.", http.StatusServiceUnavailable)
	case r.URL.Path == "/api/health" && r.Method == http.MethodGet:
		// A load balancer that saw a failing check would keep people from
		// reaching /setup at all.
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"setup","reasons":["no GitHub App registered yet: open %s%s"]}`+"\n", h.urls.Public, PagePath)
	default:
		http.NotFound(w, r)
	}
}

// isDone reports whether the App is registered already.
func (h *Handler) isDone() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.done
}

// page shows the one button.
func (h *Handler) page(w http.ResponseWriter) {
	if h.isDone() {
		h.plain(w, http.StatusConflict, "Already registered", "LifeOS has its GitHub App already; set-up is closed.")
		return
	}
	render(w, http.StatusOK, pageTmpl, map[string]any{"Public": h.urls.Public, "Webhook": h.urls.Webhook, "WebURL": h.cfg.WebURL,
		"Local": h.cfg.Web.PublicURL == nil})
}

// start issues a state and sends the browser to GitHub's form with the
// manifest.
func (h *Handler) start(w http.ResponseWriter, r *http.Request) {
	if h.isDone() {
		h.plain(w, http.StatusConflict, "Already registered", "LifeOS has its GitHub App already; set-up is closed.")
		return
	}
	org := r.PostFormValue("org")
	if org != "" && !orgName.MatchString(org) {
		h.plain(w, http.StatusBadRequest, "Not an organization name", fmt.Sprintf("%q is not a GitHub organization login.", org))
		return
	}
	state := randomHex(16)
	h.mu.Lock()
	now := h.opts.Now()
	for s, at := range h.states {
		if now.Sub(at) > StateLifetime {
			delete(h.states, s)
		}
	}
	h.states[state] = now
	h.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: PagePath, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: !h.local(), MaxAge: int(StateLifetime / time.Second)})
	render(w, http.StatusOK, postTmpl, map[string]any{"Action": NewAppURL(h.cfg.WebURL, org, state), "Manifest": string(h.manifest)})
}

func (h *Handler) local() bool {
	return h.cfg.Web.PublicURL == nil || config.IsLoopback(h.cfg.Web.PublicURL)
}

// takeState spends a state issued within the hour to this browser.
func (h *Handler) takeState(r *http.Request) bool {
	state := r.URL.Query().Get("state")
	c, err := r.Cookie(stateCookie)
	if state == "" || err != nil || c.Value != state {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	at, ok := h.states[state]
	delete(h.states, state)
	return ok && h.opts.Now().Sub(at) <= StateLifetime
}

// callback exchanges GitHub's code for the App's credentials and stores
// them; on any failure it stores nothing and says why.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	if h.isDone() {
		h.plain(w, http.StatusConflict, "Already registered", "LifeOS has its GitHub App already; set-up is closed.")
		return
	}
	if !h.takeState(r) {
		h.plain(w, http.StatusBadRequest, "Registration not recognised", "This answer from GitHub does not match a registration started from this browser in the last hour. Start again from "+PagePath+".")
		return
	}
	app, err := gh.ConvertManifest(r.Context(), h.cfg.V3APIURL, h.opts.UserAgent, r.URL.Query().Get("code"), h.opts.HTTPClient)
	if err != nil {
		h.opts.Log.Warn().Err(err).Msg("Set-up: the manifest conversion failed; nothing stored")
		code := http.StatusBadGateway
		var ce *gh.ConversionError
		if errors.As(err, &ce) && (ce.Status == http.StatusNotFound || ce.Status == http.StatusUnprocessableEntity) {
			code = http.StatusBadRequest
		}
		h.plain(w, code, "GitHub did not finish the registration", err.Error())
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		h.plain(w, http.StatusConflict, "Already registered", "LifeOS has its GitHub App already; set-up is closed.")
		return
	}
	stored, err := storeApp(h.cfg.DataDir, app, h.urls.Public)
	if err != nil {
		h.opts.Log.Error().Err(err).Msg("Set-up: the App's credentials could not be stored")
		h.plain(w, http.StatusInternalServerError, "The credentials could not be stored", err.Error()+". The App exists on GitHub: delete it there ("+app.HTMLURL+") and register again once the directory is writable.")
		return
	}
	h.done = true
	h.opts.Log.Info().Int64("app_id", app.ID).Str("app_slug", app.Slug).Msg("Set-up: GitHub App registered; starting the server with it")
	printSecrets(h.opts.Terminal, h.cfg.DataDir, stored)
	render(w, http.StatusOK, doneTmpl, map[string]any{"Slug": app.Slug, "Install": app.HTMLURL + "/installations/new", "Label": h.cfg.TriggerLabel})
	close(h.registered)
}

func (h *Handler) plain(w http.ResponseWriter, code int, title, msg string) {
	render(w, code, plainTmpl, map[string]any{"Title": title, "Message": msg})
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("setup: random: %v", err))
	}
	return hex.EncodeToString(b)
}

// Serve serves set-up mode on ln until an App is registered, then stops
// serving and returns nil, leaving ln open for the real server; or returns
// ctx's error when ctx ends first.
func Serve(ctx context.Context, h *Handler, ln net.Listener) error {
	held := &heldListener{Listener: ln}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(held) }()
	h.opts.Log.Info().Str("addr", ln.Addr().String()).Str("open", h.urls.Public+PagePath).
		Msg("No GitHub App credentials: set-up mode. Open the set-up page to register the App in one click")
	var err error
	select {
	case <-ctx.Done():
		err = ctx.Err()
	case <-h.registered:
	case err = <-errc:
		return fmt.Errorf("set-up server: %w", err)
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if serr := srv.Shutdown(shutCtx); serr != nil && err == nil {
		err = fmt.Errorf("stop the set-up server: %w", serr)
	}
	<-errc
	if herr := held.release(); herr != nil && err == nil {
		err = herr
	}
	return err
}

// heldListener is a listener the set-up server may stop accepting on
// without closing it: Close interrupts Accept with a deadline, and release
// lifts the deadline for the real server.
type heldListener struct{ net.Listener }

type deadliner interface{ SetDeadline(time.Time) error }

func (l *heldListener) Close() error {
	if d, ok := l.Listener.(deadliner); ok {
		return d.SetDeadline(time.Now())
	}
	return errors.New("set-up: the listener cannot be handed over")
}

func (l *heldListener) release() error {
	if d, ok := l.Listener.(deadliner); ok {
		return d.SetDeadline(time.Time{})
	}
	return errors.New("set-up: the listener cannot be handed over")
}
