package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
)

// login sends the person to GitHub's authorize page with a fresh state,
// kept in a signed cookie to be checked on the way back.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if h.oauth == nil || h.cfg.ClientID == "" {
		http.Error(w, "GitHub login is not configured on this server (GITHUB_APP_CLIENT_ID).", http.StatusNotFound)
		return
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		h.fail(w, "make OAuth state", err)
		return
	}
	st := oauthState{State: hex.EncodeToString(b), Next: localPath(r.URL.Query().Get("next")), Expires: h.now().Add(StateTTL).Unix()}
	sealed, err := h.sign.seal(stateCookie, st)
	if err != nil {
		h.fail(w, "seal OAuth state", err)
		return
	}
	http.SetCookie(w, h.cookie(stateCookie, sealed, int(StateTTL.Seconds())))
	http.Redirect(w, r, h.oauth.AuthCodeURL(st.State), http.StatusFound)
}

// callback checks the state against the cookie, exchanges the code for the
// person's token, reads their login and starts a session.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	if h.oauth == nil {
		http.NotFound(w, r)
		return
	}
	http.SetCookie(w, h.cookie(stateCookie, "", -1)) // a state is used once
	var st oauthState
	c, err := r.Cookie(stateCookie)
	if err != nil || h.sign.open(stateCookie, c.Value, &st) != nil || h.now().Unix() >= st.Expires ||
		subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("state")), []byte(st.State)) != 1 || st.State == "" {
		http.Error(w, "The login could not be checked (its state is missing, expired or wrong). Please log in again.", http.StatusBadRequest)
		return
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, h.client)
	tok, err := h.oauth.Exchange(ctx, r.URL.Query().Get("code"))
	if err != nil {
		h.cfg.Log.Warn().Err(err).Msg("OAuth code exchange failed")
		http.Error(w, "GitHub did not accept the login. Please log in again.", http.StatusBadGateway)
		return
	}
	login, err := h.userLogin(r.Context(), tok.AccessToken)
	if err != nil {
		h.fail(w, "read the logged-in user", err)
		return
	}
	sealed, err := h.sign.seal(sessionCookie, session{Login: login, Token: tok.AccessToken, Expires: h.now().Add(SessionTTL).Unix()})
	if err != nil {
		h.fail(w, "seal session", err)
		return
	}
	http.SetCookie(w, h.cookie(sessionCookie, sealed, int(SessionTTL.Seconds())))
	h.cfg.Log.Info().Str("login", login).Msg("Logged in to the run pages")
	next := st.Next
	if next == "" {
		next = "/runs"
	}
	http.Redirect(w, r, next, http.StatusFound)
}

// logout clears the session cookie and says so; it does not go to the
// login, which GitHub would approve again at once.
func (h *Handler) logout(w http.ResponseWriter, _ *http.Request) {
	http.SetCookie(w, h.cookie(sessionCookie, "", -1))
	h.render(w, "loggedout.html", nil)
}

// localPath keeps next only when it is a path on this server, so the login
// cannot be used to send someone elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	return next
}
