package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Cookie names and lifetimes.
const (
	sessionCookie = "lifeos_session"
	stateCookie   = "lifeos_oauth_state"
	// SessionTTL is how long a login lasts: a working day, after which
	// the person logs in again (GitHub remembers the authorisation).
	SessionTTL = 12 * time.Hour
	// StateTTL bounds the time between leaving for GitHub's authorize page
	// and coming back.
	StateTTL = 10 * time.Minute
)

// session is what a signed session cookie holds.
type session struct {
	Login   string `json:"l"`
	Token   string `json:"t"` // the person's GitHub user token
	Expires int64  `json:"e"` // Unix seconds
}

// oauthState is what the signed state cookie holds while a person is on
// GitHub's authorize page.
type oauthState struct {
	State   string `json:"s"`
	Next    string `json:"n"` // the local path to return to
	Expires int64  `json:"e"`
}

// signer signs and checks cookie values with HMAC-SHA256; purpose keeps a
// value signed for one cookie from being accepted as another.
type signer struct{ key []byte }

func (s signer) mac(purpose, payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose + "\x00" + payload))
	return m.Sum(nil)
}

// seal encodes v as base64(JSON).base64(HMAC).
func (s signer) seal(purpose string, v any) (string, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %s cookie: %w", purpose, err)
	}
	payload := base64.RawURLEncoding.EncodeToString(js)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(purpose, payload)), nil
}

// errBadCookie is a cookie that is malformed or not signed by this key.
var errBadCookie = errors.New("cookie is malformed or its signature is wrong")

// open checks a sealed value's signature and decodes it into v.
func (s signer) open(purpose, value string, v any) error {
	payload, sig, ok := strings.Cut(value, ".")
	if !ok {
		return errBadCookie
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(purpose, payload)) {
		return errBadCookie
	}
	js, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return errBadCookie
	}
	if err := json.Unmarshal(js, v); err != nil {
		return fmt.Errorf("decode %s cookie: %w", purpose, err)
	}
	return nil
}

// cookie builds a cookie with the pages' attributes: HttpOnly, SameSite=Lax,
// and Secure unless the public URL is http on a loopback host.
func (h *Handler) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode}
}

// readSession returns the request's valid, unexpired session, if any.
func (h *Handler) readSession(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	var s session
	if err := h.sign.open(sessionCookie, c.Value, &s); err != nil || s.Login == "" || h.now().Unix() >= s.Expires {
		return session{}, false
	}
	return s, true
}
