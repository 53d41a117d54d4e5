package setup

import (
	"encoding/json"
	"net/url"
	"os"
	"testing"

	"github.com/lifeos/lifeos/config"
)

// The manifest is app.yml with the server's own addresses filled in.
func TestManifestFillsTheServersURLs(t *testing.T) {
	raw, err := os.ReadFile("../app.yml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  *config.Config
		hook string
		back string
	}{
		{"public URL", &config.Config{Port: 8080, Web: config.Web{PublicURL: &url.URL{Scheme: "https", Host: "lifeos.example.org"}}},
			"https://lifeos.example.org/api/github/hook", "https://lifeos.example.org/setup/callback"},
		{"smee channel", &config.Config{Port: 8080, WebhookURL: "https://smee.io/abc"},
			"https://smee.io/abc", "http://localhost:8080/setup/callback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Manifest(raw, URLsOf(tt.cfg))
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Name  string               `json:"name"`
				Hook  struct{ URL string } `json:"hook_attributes"`
				Back  string               `json:"redirect_url"`
				CBs   []string             `json:"callback_urls"`
				Setup string               `json:"setup_url"`
				Perms map[string]string    `json:"default_permissions"`
				Evs   []string             `json:"default_events"`
			}
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatal(err)
			}
			public := URLsOf(tt.cfg).Public
			if m.Name != "LifeOS" || m.Hook.URL != tt.hook || m.Back != tt.back || len(m.CBs) != 1 || m.CBs[0] != public+"/oauth/callback" ||
				m.Setup != public+"/runs" || m.Perms["contents"] != "write" || len(m.Evs) == 0 {
				t.Errorf("manifest = %s", out)
			}
		})
	}
	if _, err := Manifest([]byte("description: x\n"), URLs{}); err == nil {
		t.Error("a manifest without a name or permissions was built")
	}
}

func TestNewAppURL(t *testing.T) {
	tests := []struct{ web, org, want string }{
		{"https://github.com", "", "https://github.com/settings/apps/new?state=s1"},
		{"https://github.com/", "acme", "https://github.com/organizations/acme/settings/apps/new?state=s1"},
		{"https://ghe.example.com", "", "https://ghe.example.com/settings/apps/new?state=s1"},
	}
	for _, tt := range tests {
		if got := NewAppURL(tt.web, tt.org, "s1"); got != tt.want {
			t.Errorf("NewAppURL(%q, %q) = %q, want %q", tt.web, tt.org, got, tt.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"abc123": "abc123", "a b": "'a b'", "it's": `'it'\''s'`, "": "''"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
