package main

import (
	"bytes"
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/githubfake"
)

// syncBuffer is a terminal two goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// registerFirst serves set-up mode until the App is registered, then hands
// back the configuration with the stored App and a log writer that blanks
// its new secrets, while the terminal got the fly secrets line.
func TestRegisterFirstReloadsAndRedactsTheNewSecrets(t *testing.T) {
	gh := githubfake.New(githubfake.Options{})
	defer gh.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	envs := map[string]string{"GITHUB_V3_API_URL": gh.URL(), "GITHUB_WEB_URL": gh.WebURL(), "OPENAI_API_KEY": "sk-test",
		"LIFEOS_DATA_DIR": t.TempDir(), "LIFEOS_PUBLIC_URL": base}
	cfg, err := config.Load(env(envs))
	if err != config.ErrNoApp {
		t.Fatalf("config.Load = %v, want ErrNoApp", err)
	}
	term := &syncBuffer{}
	type result struct {
		cfg    *config.Config
		logOut io.WriteCloser
		log    zerolog.Logger
		err    error
	}
	done := make(chan result, 1)
	go func() {
		c, w, l, err := registerFirst(context.Background(), cfg, env(envs), ln, zerolog.Nop(), term)
		done <- result{c, w, l, err}
	}()

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var resp *http.Response
	for range 100 { // set-up mode is listening once a request is answered
		if resp, err = browser.PostForm(base+"/setup", url.Values{}); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`action="([^"]+)"><input type="hidden" name="manifest" value="([^"]*)"`).FindStringSubmatch(string(page))
	if m == nil {
		t.Fatalf("POST /setup:\n%s", page)
	}
	if resp, err = browser.PostForm(html.UnescapeString(m[1]), url.Values{"manifest": {html.UnescapeString(m[2])}}); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp, err = browser.Get(resp.Header.Get("Location")); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("callback: %v %v", resp, err)
	}
	resp.Body.Close()

	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.cfg.IntegrationID != gh.AppID() || r.cfg.WebhookSecret != gh.WebhookSecret() || r.cfg.Stored == nil {
		t.Errorf("reloaded config = %+v", r.cfg)
	}
	r.log.Info().Str("oops", r.cfg.WebhookSecret).Msg("a line that quotes the secret")
	r.logOut.Close()
	terminal := term.String()
	if !strings.Contains(terminal, "fly secrets set") {
		t.Errorf("terminal = %q, want the fly secrets line", terminal)
	}
	if logged := terminal[strings.LastIndex(terminal, "\n\n")+2:]; !strings.Contains(logged, "a line that quotes the secret") || strings.Contains(logged, gh.WebhookSecret()) {
		t.Errorf("the log after set-up = %q, want the new webhook secret blanked", logged)
	}
}
