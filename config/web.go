package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// MinSessionKeyBytes is the shortest LIFEOS_SESSION_KEY accepted: 32 bytes,
// the size of the HMAC-SHA256 output that signs session cookies.
const MinSessionKeyBytes = 32

// Web is the run pages' configuration. Login is on when ClientID is set;
// the admin token works with or without it.
type Web struct {
	// ClientID and ClientSecret are the GitHub App's OAuth credentials.
	ClientID     string
	ClientSecret string
	// SessionKey signs session and OAuth state cookies.
	SessionKey []byte
	// AdminToken, when set, is a bearer token that sees every run.
	AdminToken string
	// PublicURL is where people reach LifeOS: the OAuth callback is under
	// it, and cookies are Secure unless it is http on a loopback host.
	PublicURL *url.URL
}

// LoginEnabled reports whether GitHub login is configured.
func (w Web) LoginEnabled() bool { return w.ClientID != "" }

// loadWeb reads the run pages' settings: the client ID turns login on,
// and then the secret, the session key and the public URL are required.
func loadWeb(getenv func(string) string) (Web, error) {
	w := Web{
		ClientID:     getenv("GITHUB_APP_CLIENT_ID"),
		ClientSecret: getenv("GITHUB_APP_CLIENT_SECRET"),
		SessionKey:   []byte(getenv("LIFEOS_SESSION_KEY")),
		AdminToken:   getenv("LIFEOS_ADMIN_TOKEN"),
	}
	public := getenv("LIFEOS_PUBLIC_URL")
	if w.AdminToken != "" && len(w.AdminToken) < 20 {
		return Web{}, &Error{"LIFEOS_ADMIN_TOKEN", "must be at least 20 characters (it sees every run)"}
	}
	if public != "" {
		u, err := url.Parse(strings.TrimSuffix(public, "/"))
		if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && IsLoopback(u))) {
			return Web{}, &Error{"LIFEOS_PUBLIC_URL", fmt.Sprintf("must be an https URL (http only on localhost), got %q", public)}
		}
		w.PublicURL = u
	}
	if !w.LoginEnabled() {
		return w, nil
	}
	switch {
	case w.ClientSecret == "":
		return Web{}, &Error{"GITHUB_APP_CLIENT_SECRET", "is required with GITHUB_APP_CLIENT_ID: a client secret generated on the App's settings page"}
	case len(w.SessionKey) < MinSessionKeyBytes:
		return Web{}, &Error{"LIFEOS_SESSION_KEY", fmt.Sprintf("is required with GITHUB_APP_CLIENT_ID: at least %d random bytes (openssl rand -hex 32)", MinSessionKeyBytes)}
	case w.PublicURL == nil:
		return Web{}, &Error{"LIFEOS_PUBLIC_URL", "is required with GITHUB_APP_CLIENT_ID: the https URL people open LifeOS at"}
	}
	return w, nil
}

// IsLoopback reports whether u's host is localhost or a loopback address.
func IsLoopback(u *url.URL) bool {
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
