// Package setup is LifeOS's set-up mode: with no GitHub App credentials,
// `lifeos serve` serves only /setup, which registers the App from app.yml
// through GitHub's manifest flow
// (https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest),
// stores the credentials GitHub hands over in the data directory, and then
// hands its listener to the real server.
package setup

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lifeos/lifeos/config"
)

// Paths set-up mode answers, and the ones it writes into the manifest.
const (
	PagePath     = "/setup"
	CallbackPath = "/setup/callback"
	HookPath     = "/api/github/hook"
	// OAuthCallbackPath is the run pages' login callback (package web).
	OAuthCallbackPath = "/oauth/callback"
	// InstalledPath is where GitHub sends people after they install the App.
	InstalledPath = "/runs"
)

// URLs are the server's addresses the manifest names.
type URLs struct {
	// Public is where people's browsers reach the server (no trailing slash).
	Public string
	// Webhook is where GitHub delivers webhooks.
	Webhook string
}

// URLsOf are the addresses of cfg: LIFEOS_PUBLIC_URL (http://localhost:PORT
// when unset) and LIFEOS_WEBHOOK_URL (the public URL's hook path when unset).
func URLsOf(cfg *config.Config) URLs {
	u := URLs{Public: fmt.Sprintf("http://localhost:%d", cfg.Port), Webhook: cfg.WebhookURL}
	if cfg.Web.PublicURL != nil {
		u.Public = strings.TrimSuffix(cfg.Web.PublicURL.String(), "/")
	}
	if u.Webhook == "" {
		u.Webhook = u.Public + HookPath
	}
	return u
}

// Manifest is the App manifest to post to GitHub: app.yml as written, with
// the server's own addresses as the webhook, redirect, callback and set-up
// URLs.
func Manifest(appYML []byte, u URLs) ([]byte, error) {
	var m map[string]any
	if err := yaml.Unmarshal(appYML, &m); err != nil {
		return nil, fmt.Errorf("parse app.yml: %w", err)
	}
	if m == nil || m["name"] == nil || m["default_permissions"] == nil {
		return nil, fmt.Errorf("app.yml names no App or no permissions")
	}
	hook, _ := m["hook_attributes"].(map[string]any)
	if hook == nil {
		hook = map[string]any{"active": true}
	}
	hook["url"] = u.Webhook
	m["hook_attributes"] = hook
	m["redirect_url"] = u.Public + CallbackPath
	m["callback_urls"] = []string{u.Public + OAuthCallbackPath}
	m["setup_url"] = u.Public + InstalledPath
	return json.Marshal(m)
}

// NewAppURL is GitHub's form that registers an App from a manifest: for
// the signed-in person's account, or for the organization org.
func NewAppURL(webURL, org, state string) string {
	base := strings.TrimSuffix(webURL, "/")
	path := "/settings/apps/new"
	if org != "" {
		path = "/organizations/" + url.PathEscape(org) + path
	}
	return base + path + "?state=" + url.QueryEscape(state)
}
