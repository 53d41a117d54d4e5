package e2e

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	ghpkg "github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/server"
	"github.com/lifeos/lifeos/setup"
)

// setupEnv is a LifeOS with no App credentials, serving set-up mode on a
// listener of its own, as `lifeos serve` does.
type setupEnv struct {
	t       *testing.T
	gh      *githubfake.Server
	env     map[string]string
	ln      net.Listener
	url     string
	h       *setup.Handler
	served  chan error
	browser *http.Client
	term    *strings.Builder
	now     *time.Time
	mu      sync.Mutex
}

func (s *setupEnv) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.now
}

func (s *setupEnv) advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.now = s.now.Add(d)
}

func startSetup(t *testing.T, dataDir string) *setupEnv {
	t.Helper()
	s := &setupEnv{t: t, term: &strings.Builder{}, now: new(time.Time)}
	*s.now = time.Now()
	s.gh = githubfake.New(githubfake.Options{Now: s.clock})
	t.Cleanup(s.gh.Close)
	model := modelfake.New()
	t.Cleanup(model.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln, s.url = ln, "http://"+ln.Addr().String()
	t.Cleanup(func() { ln.Close() })
	s.env = map[string]string{
		"GITHUB_V3_API_URL": s.gh.URL(), "GITHUB_V4_API_URL": s.gh.URL() + "graphql", "GITHUB_WEB_URL": s.gh.WebURL(),
		"OPENAI_API_KEY": "sk-e2e", "OPENAI_BASE_URL": model.URL(), "LIFEOS_DATA_DIR": dataDir, "LIFEOS_PUBLIC_URL": s.url,
	}
	cfg, err := config.Load(s.getenv)
	if err != config.ErrNoApp {
		t.Fatalf("config.Load = %v, want ErrNoApp", err)
	}
	raw, err := os.ReadFile("../app.yml")
	if err != nil {
		t.Fatal(err)
	}
	if s.h, err = setup.New(cfg, setup.Options{Manifest: raw, Terminal: s.term, Log: zerolog.Nop(), Now: s.clock}); err != nil {
		t.Fatal(err)
	}
	s.served = make(chan error, 1)
	go func() { s.served <- setup.Serve(context.Background(), s.h, ln) }()
	jar, _ := cookiejar.New(nil)
	s.browser = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return s
}

func (s *setupEnv) getenv(k string) string { return s.env[k] }

// get fetches a page of set-up mode and returns its status and body.
func (s *setupEnv) get(path string) (int, string) {
	s.t.Helper()
	resp, err := s.browser.Get(s.url + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var formAction = regexp.MustCompile(`action="([^"]+)"><input type="hidden" name="manifest" value="([^"]*)"`)

// toGitHub clicks the button (for org, or the personal account when empty)
// and posts the manifest to GitHub's form as the page's script does; it
// returns the callback URL GitHub redirects back to.
func (s *setupEnv) toGitHub(org string) string {
	s.t.Helper()
	resp, err := s.browser.PostForm(s.url+"/setup", url.Values{"org": {org}})
	if err != nil {
		s.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formAction.FindStringSubmatch(string(b))
	if resp.StatusCode != http.StatusOK || m == nil {
		s.t.Fatalf("POST /setup = %d:\n%s", resp.StatusCode, b)
	}
	resp, err = s.browser.PostForm(html.UnescapeString(m[1]), url.Values{"manifest": {html.UnescapeString(m[2])}})
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		s.t.Fatalf("GitHub's form answered %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// back follows GitHub's redirect to the callback.
func (s *setupEnv) back(location string) (int, string) {
	s.t.Helper()
	return s.get(strings.TrimPrefix(location, s.url))
}

// One click registers the App: the credentials GitHub hands over are
// stored 0600, set-up mode hands its listener to the real server, which
// answers a webhook signed with the new secret and refuses /setup.
func TestSetupRegistersTheApp(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	s := startSetup(t, dataDir)
	if code, _ := s.get("/runs"); code != http.StatusNotFound {
		t.Errorf("set-up mode answered /runs with %d, want 404", code)
	}
	if code := postHook(t, s.url, "anything"); code != http.StatusServiceUnavailable {
		t.Errorf("set-up mode answered a webhook with %d, want 503", code)
	}
	if code, body := s.get("/setup"); code != http.StatusOK || !strings.Contains(body, "Register the GitHub App") {
		t.Fatalf("GET /setup = %d:\n%s", code, body)
	}
	code, body := s.back(s.toGitHub("acme"))
	if code != http.StatusOK || !strings.Contains(body, "LifeOS is registered") {
		t.Fatalf("callback = %d:\n%s", code, body)
	}
	if err := <-s.served; err != nil {
		t.Fatalf("setup.Serve = %v", err)
	}
	ms := s.gh.Manifests()
	if len(ms) != 1 || ms[0].Owner != "acme" || ms[0].HookAttributes.URL != s.url+"/api/github/hook" ||
		ms[0].RedirectURL != s.url+"/setup/callback" || len(ms[0].DefaultEvents) == 0 || ms[0].DefaultPermissions["contents"] != "write" {
		t.Errorf("posted manifests = %+v", ms)
	}
	for _, f := range []string{config.AppFile, config.AppKeyFile} {
		fi, err := os.Stat(filepath.Join(dataDir, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", f, err, fi.Mode().Perm())
		}
	}
	if term := s.term.String(); !strings.Contains(term, "fly secrets set GITHUB_APP_INTEGRATION_ID=") || !strings.Contains(term, s.gh.WebhookSecret()) {
		t.Errorf("terminal = %q, want the fly secrets line", term)
	}
	if strings.Contains(body, s.gh.WebhookSecret()) {
		t.Error("the done page shows the webhook secret")
	}

	cfg, err := config.Load(s.getenv)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, zerolog.Nop(), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, s.ln) }()
	t.Cleanup(func() { cancel(); <-done })
	if code := postHook(t, s.url, s.gh.WebhookSecret()); code >= 300 {
		t.Errorf("a webhook signed with the new secret got %d", code)
	}
	if code := postHook(t, s.url, "not-the-secret"); code < 400 {
		t.Errorf("a webhook signed with another secret got %d", code)
	}
	if code, _ := s.get("/setup"); code == http.StatusOK {
		t.Error("/setup still answers once the App is registered")
	}
}

// A code GitHub no longer takes (an hour old, or spent) gets a plain error
// page, and nothing is stored.
func TestSetupStaleOrReusedCode(t *testing.T) {
	dataDir := t.TempDir()
	s := startSetup(t, dataDir)
	stale := s.toGitHub("")
	s.advance(time.Hour + time.Minute)
	if code, body := s.back(stale); code != http.StatusBadRequest || !strings.Contains(body, "start again") {
		t.Errorf("stale code: %d\n%s", code, body)
	}
	// A state already spent is refused before GitHub is asked again.
	if code, body := s.back(stale); code != http.StatusBadRequest || !strings.Contains(body, "does not match") {
		t.Errorf("replayed callback: %d\n%s", code, body)
	}
	// A code someone else converted first is spent: GitHub answers 404.
	used := s.toGitHub("")
	u, _ := url.Parse(used)
	if _, err := ghpkg.ConvertManifest(context.Background(), s.gh.URL(), "e2e", u.Query().Get("code"), nil); err != nil {
		t.Fatal(err)
	}
	if code, body := s.back(used); code != http.StatusBadRequest || !strings.Contains(body, "start again") {
		t.Errorf("reused code: %d\n%s", code, body)
	}
	if entries, _ := os.ReadDir(dataDir); len(entries) != 0 {
		t.Errorf("data dir holds %v after failed registrations", entries)
	}
	select {
	case err := <-s.served:
		t.Fatalf("set-up mode ended: %v", err)
	default:
	}
}

// An unwritable data directory stops set-up mode before anyone is sent to
// GitHub, with the directory named.
func TestSetupUnwritableDataDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{DataDir: filepath.Join(file, "data"), Port: 8080, WebURL: "https://github.com"}
	raw, _ := os.ReadFile("../app.yml")
	_, err := setup.New(cfg, setup.Options{Manifest: raw})
	if err == nil || !strings.Contains(err.Error(), "not writable") || !strings.Contains(err.Error(), cfg.DataDir) {
		t.Errorf("setup.New = %v, want the data directory named as not writable", err)
	}
}

// postHook posts a ping delivery signed with secret.
func postHook(t *testing.T, base, secret string) int {
	t.Helper()
	body := []byte(`{"zen":"Keep it logically awesome.","hook_id":1,"installation":{"id":4242}}`)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/github/hook", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "ping")
	req.Header.Set("X-GitHub-Delivery", "setup-"+itoa(int(time.Now().UnixNano()%1e6)))
	req.Header.Set("X-Hub-Signature-256", sign(secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
