package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoApp is what Load returns, beside an otherwise complete Config, when
// no GitHub App credentials are set in the environment and none are stored
// in the data directory: the server then starts in set-up mode, which
// registers the App (package setup).
var ErrNoApp = errors.New("config: no GitHub App credentials: none of GITHUB_APP_INTEGRATION_ID, GITHUB_APP_PRIVATE_KEY(_PATH), GITHUB_APP_WEBHOOK_SECRET is set, and the data directory holds no " + AppFile)

// The files the manifest flow stores in the data directory, each mode 0600:
// the App's settings and secrets, and its private key.
const (
	AppFile    = "github-app.json"
	AppKeyFile = "github-app.pem"
)

// DefaultWebURL is github.com's web address, where Apps are registered.
const DefaultWebURL = "https://github.com"

// StoredApp is what the manifest flow learnt of the App it registered, as
// kept in AppFile (the private key is beside it in AppKeyFile).
type StoredApp struct {
	ID            int64  `json:"id"`
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	HTMLURL       string `json:"html_url"`
	WebhookSecret string `json:"webhook_secret"`
	ClientID      string `json:"client_id"`
	ClientSecret  string `json:"client_secret"`
	// SessionKey signs the run pages' cookies: set-up generates one so
	// that GitHub login works without another setting.
	SessionKey string `json:"session_key"`
	// PublicURL is the address the App was registered with.
	PublicURL string `json:"public_url"`
}

// ReadStoredApp reads the App stored in dataDir, or returns nil when there
// is none.
func ReadStoredApp(dataDir string) (*StoredApp, []byte, error) {
	path := filepath.Join(dataDir, AppFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, &Error{"LIFEOS_DATA_DIR", fmt.Sprintf("holds %s, which cannot be read: %v", AppFile, err)}
	}
	var app StoredApp
	if err := json.Unmarshal(raw, &app); err != nil || app.ID == 0 || app.WebhookSecret == "" {
		return nil, nil, &Error{"LIFEOS_DATA_DIR", fmt.Sprintf("holds %s, which is not the App's settings (remove it to register again): %v", path, err)}
	}
	key, err := os.ReadFile(filepath.Join(dataDir, AppKeyFile))
	if err != nil {
		return nil, nil, &Error{"LIFEOS_DATA_DIR", fmt.Sprintf("holds %s but not its key %s: %v", AppFile, AppKeyFile, err)}
	}
	return &app, key, nil
}

// appEnv is the App's credentials as the environment sets them.
type appEnv struct{ id, key, keyPath, secret string }

func (a appEnv) set() bool { return a.id != "" || a.key != "" || a.keyPath != "" || a.secret != "" }

// loadApp takes the App's credentials from the environment when any of them
// is set there (the environment wins), or else from the data directory.
// It returns ErrNoApp when neither has them.
func (c *Config) loadApp(env appEnv) error {
	if !env.set() {
		app, key, err := ReadStoredApp(c.DataDir)
		if err != nil {
			return err
		}
		if app == nil {
			return ErrNoApp
		}
		if _, err := parseKey("GITHUB_APP_PRIVATE_KEY", string(key)); err != nil {
			return &Error{"LIFEOS_DATA_DIR", fmt.Sprintf("holds %s, which is not a PEM RSA private key", AppKeyFile)}
		}
		c.IntegrationID, c.PrivateKey, c.WebhookSecret, c.Stored = app.ID, key, app.WebhookSecret, app
		c.CredentialsFrom = filepath.Join(c.DataDir, AppFile)
		return nil
	}
	id, err := intSetting(func(string) string { return env.id }, "GITHUB_APP_INTEGRATION_ID", 0, 1, 1<<62)
	if err != nil {
		return err
	}
	if id == 0 {
		return &Error{"GITHUB_APP_INTEGRATION_ID", "is required: the App ID shown on the GitHub App's settings page"}
	}
	c.IntegrationID = int64(id)
	if c.PrivateKey, err = privateKey(env.key, env.keyPath); err != nil {
		return err
	}
	if env.secret == "" {
		return &Error{"GITHUB_APP_WEBHOOK_SECRET", "is required: the webhook secret set on the GitHub App"}
	}
	c.WebhookSecret, c.CredentialsFrom = env.secret, "environment"
	return nil
}

// storedFallback answers the run pages' settings the environment leaves
// empty from the stored App, so a registered App's login works at once.
func storedFallback(getenv func(string) string, app *StoredApp) func(string) string {
	if app == nil {
		return getenv
	}
	stored := map[string]string{
		"GITHUB_APP_CLIENT_ID":     app.ClientID,
		"GITHUB_APP_CLIENT_SECRET": app.ClientSecret,
		"LIFEOS_SESSION_KEY":       app.SessionKey,
		"LIFEOS_PUBLIC_URL":        app.PublicURL,
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return stored[k]
	}
}

// webURL is GITHUB_WEB_URL, or the web address that goes with the REST
// API's: github.com for api.github.com, https://HOST for a GitHub
// Enterprise Server's https://HOST/api/v3/.
func webURL(set, api string) (string, error) {
	if set != "" {
		u, err := url.Parse(set)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", &Error{"GITHUB_WEB_URL", fmt.Sprintf("is not an http(s) URL: %q", set)}
		}
		return strings.TrimSuffix(set, "/"), nil
	}
	u, err := url.Parse(api)
	if err != nil || u.Host == "" || u.Host == "api.github.com" {
		return DefaultWebURL, nil
	}
	return u.Scheme + "://" + u.Host, nil
}
