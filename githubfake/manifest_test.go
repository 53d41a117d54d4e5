package githubfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// postManifest posts a manifest to the registration form and returns the
// code and state it redirected back with.
func postManifest(t *testing.T, s *Server, path, state string) (code, gotState string) {
	t.Helper()
	m := `{"name":"LifeOS","url":"https://example.com","hook_attributes":{"url":"https://lifeos.example.com/api/github/hook"},"redirect_url":"https://lifeos.example.com/setup/callback","default_events":["issues"]}`
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(s.WebURL()+path+"?state="+state, url.Values{"manifest": {m}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("form answered %d, want a redirect", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), "https://lifeos.example.com/setup/callback?") {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func convert(t *testing.T, s *Server, code string) (int, manifestApp) {
	t.Helper()
	resp, err := http.Post(s.URL()+"app-manifests/"+code+"/conversions", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var app manifestApp
	_ = json.NewDecoder(resp.Body).Decode(&app)
	return resp.StatusCode, app
}

// A manifest code converts once, within the hour, into the App's
// credentials; a spent, expired or unknown code is a 404.
func TestManifestConversion(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := New(Options{Now: clock})
	defer s.Close()

	code, state := postManifest(t, s, "/organizations/acme/settings/apps/new", "st4te")
	if state != "st4te" || code == "" {
		t.Fatalf("code %q state %q", code, state)
	}
	status, app := convert(t, s, code)
	if status != http.StatusCreated || app.ID != s.AppID() || app.Slug != s.AppSlug() || app.PEM != string(s.PrivateKeyPEM()) ||
		app.WebhookSecret == "" || app.WebhookSecret != s.WebhookSecret() || app.ClientID == "" || app.Owner.Login != "acme" {
		t.Fatalf("conversion = %d %+v", status, app)
	}
	if status, _ := convert(t, s, code); status != http.StatusNotFound {
		t.Errorf("a spent code answered %d, want 404", status)
	}
	if status, _ := convert(t, s, "nonsense"); status != http.StatusNotFound {
		t.Errorf("an unknown code answered %d, want 404", status)
	}
	late, _ := postManifest(t, s, "/settings/apps/new", "x")
	mu.Lock()
	now = now.Add(time.Hour + time.Minute)
	mu.Unlock()
	if status, _ := convert(t, s, late); status != http.StatusNotFound {
		t.Errorf("a code an hour old answered %d, want 404", status)
	}
	if ms := s.Manifests(); len(ms) != 2 || ms[0].Owner != "acme" || ms[1].Owner != "" || ms[0].HookAttributes.URL != "https://lifeos.example.com/api/github/hook" {
		t.Errorf("manifests = %+v", ms)
	}
}
