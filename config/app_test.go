package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// storeApp writes what the manifest flow stores into a new data directory.
func storeApp(t *testing.T, app StoredApp) string {
	t.Helper()
	dir := t.TempDir()
	key, err := os.ReadFile("testdata/app-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(app)
	if err := os.WriteFile(filepath.Join(dir, AppFile), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, AppKeyFile), key, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// With no App credentials anywhere, Load returns the rest of the settings
// and ErrNoApp, so serve starts in set-up mode.
func TestLoadWithoutAppIsSetUpMode(t *testing.T) {
	c, err := Load(testEnv(t, map[string]string{
		"GITHUB_APP_INTEGRATION_ID": "", "GITHUB_APP_PRIVATE_KEY": "", "GITHUB_APP_WEBHOOK_SECRET": "",
		"LIFEOS_DATA_DIR": t.TempDir(), "PORT": "9000",
	}))
	if !errors.Is(err, ErrNoApp) {
		t.Fatalf("err = %v, want ErrNoApp", err)
	}
	if c == nil || c.Port != 9000 || c.WebURL != DefaultWebURL {
		t.Fatalf("config = %+v, want the other settings loaded", c)
	}
}

// The stored App's credentials are used when the environment has none; any
// App setting in the environment wins over them.
func TestLoadStoredApp(t *testing.T) {
	dir := storeApp(t, StoredApp{ID: 77, Slug: "acme-lifeos", WebhookSecret: "stored-secret", ClientID: "Iv1.stored",
		ClientSecret: "stored-client-secret", SessionKey: "0123456789abcdef0123456789abcdef", PublicURL: "https://lifeos.example.com"})
	none := map[string]string{"GITHUB_APP_INTEGRATION_ID": "", "GITHUB_APP_PRIVATE_KEY": "", "GITHUB_APP_WEBHOOK_SECRET": "", "LIFEOS_DATA_DIR": dir}
	c, err := Load(testEnv(t, none))
	if err != nil {
		t.Fatal(err)
	}
	if c.IntegrationID != 77 || c.WebhookSecret != "stored-secret" || c.Stored == nil || c.Stored.Slug != "acme-lifeos" ||
		c.Web.ClientID != "Iv1.stored" || c.Web.PublicURL.String() != "https://lifeos.example.com" || c.CredentialsFrom != filepath.Join(dir, AppFile) {
		t.Errorf("stored config = %+v web %+v", c, c.Web)
	}
	env, err := Load(testEnv(t, map[string]string{"LIFEOS_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if env.IntegrationID != 42 || env.WebhookSecret != "s3cret" || env.Stored != nil || env.CredentialsFrom != "environment" {
		t.Errorf("environment config = %+v, want the environment's App", env)
	}
	if err := os.Remove(filepath.Join(dir, AppKeyFile)); err != nil {
		t.Fatal(err)
	}
	var ce *Error
	if _, err := Load(testEnv(t, none)); !errors.As(err, &ce) || ce.Name != "LIFEOS_DATA_DIR" {
		t.Errorf("without the key file: %v, want an error naming LIFEOS_DATA_DIR", err)
	}
}

func TestWebURL(t *testing.T) {
	tests := []struct{ set, api, want string }{
		{"", DefaultV3APIURL, "https://github.com"},
		{"", "https://ghe.example.com/api/v3/", "https://ghe.example.com"},
		{"https://ghe.example.com/", DefaultV3APIURL, "https://ghe.example.com"},
	}
	for _, tt := range tests {
		if got, err := webURL(tt.set, tt.api); err != nil || got != tt.want {
			t.Errorf("webURL(%q, %q) = %q, %v; want %q", tt.set, tt.api, got, err, tt.want)
		}
	}
	if _, err := webURL("ftp://x", DefaultV3APIURL); err == nil {
		t.Error("ftp URL accepted")
	}
}
