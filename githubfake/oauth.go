package githubfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// The OAuth web flow and the user-token calls are served beside the API
// pipeline: /login/oauth/* are GitHub's web endpoints, not REST operations,
// and GET /user is outside the embedded description's subset, so its answer
// is the few fields of GitHub's that LifeOS reads.
const (
	oauthAuthorizePath = "/login/oauth/authorize"
	oauthTokenPath     = "/login/oauth/access_token"
	userPath           = "/user"
)

// oauthState is the double's OAuth App side: the registered client, the
// user signed in to the browser, issued codes and user tokens.
type oauthState struct {
	clientID, clientSecret string
	// signedIn is the login the authorize page answers for, unless the
	// request's login parameter names another.
	signedIn string
	codes    map[string]oauthCode
	tokens   map[string]string // user access token -> login
}

// oauthCode is an authorization code waiting to be exchanged.
type oauthCode struct {
	login, redirectURI string
}

// SetOAuthClient registers the App's OAuth client ID and secret.
func (s *Server) SetOAuthClient(id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.clientID, s.oauth.clientSecret = id, secret
}

// SignIn makes login the person signed in to GitHub in the browser: the
// authorize page approves for them at once. The login must be a user.
func (s *Server) SignIn(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user(login)
	s.oauth.signedIn = login
}

// UserTokens lists the user access tokens the double issued.
func (s *Server) UserTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for t := range s.oauth.tokens {
		out = append(out, t)
	}
	return out
}

// serveOAuth answers the OAuth web flow and GET /user, reporting whether
// the request was one of them.
func (s *Server) serveOAuth(w http.ResponseWriter, r *http.Request, path string) bool {
	var rep reply
	switch {
	case path == oauthAuthorizePath && r.Method == http.MethodGet:
		rep = s.oauthAuthorize(r)
	case path == oauthTokenPath && r.Method == http.MethodPost:
		s.oauthToken(w, r)
		return true
	case path == userPath && r.Method == http.MethodGet:
		rep = s.getUser(r)
	default:
		return false
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Status: rep.status, Time: s.now()})
	s.mu.Unlock()
	writeReply(w, rep)
	return true
}

// oauthAuthorize approves the signed-in user at once and redirects back
// with a code and the state, as GitHub does for an App already authorised.
func (s *Server) oauthAuthorize(r *http.Request) reply {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.oauth.clientID == "" || q.Get("client_id") != s.oauth.clientID {
		return errReply(http.StatusNotFound, "Not Found (githubfake: unknown client_id)")
	}
	login := s.oauth.signedIn
	if l := q.Get("login"); l != "" {
		login = l
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if login == "" || err != nil || back.Scheme == "" {
		return errReply(http.StatusBadRequest, "githubfake: no signed-in user or no redirect_uri")
	}
	code := randomString(20)
	if s.oauth.codes == nil {
		s.oauth.codes = map[string]oauthCode{}
	}
	s.oauth.codes[code] = oauthCode{login: s.user(login).login, redirectURI: back.String()}
	v := back.Query()
	v.Set("code", code)
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	back.RawQuery = v.Encode()
	return redirect(back.String())
}

// oauthToken exchanges a code for a user token once; GitHub answers a bad
// code or secret with 200 and an error field.
func (s *Server) oauthToken(w http.ResponseWriter, r *http.Request) {
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	code := r.PostFormValue("code")
	s.mu.Lock()
	c, ok := s.oauth.codes[code]
	body := map[string]string{"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."}
	switch {
	case s.oauth.clientID == "" || id != s.oauth.clientID || secret != s.oauth.clientSecret:
		body = map[string]string{"error": "incorrect_client_credentials", "error_description": "The client_id and/or client_secret passed are incorrect."}
	case ok:
		delete(s.oauth.codes, code) // spent by the first exchange with the right client
		if back := r.PostFormValue("redirect_uri"); back != "" && back != c.redirectURI {
			break
		}
		tok := "ghu_" + randomString(36)
		if s.oauth.tokens == nil {
			s.oauth.tokens = map[string]string{}
		}
		s.oauth.tokens[tok] = c.login
		body = map[string]string{"access_token": tok, "token_type": "bearer", "scope": ""}
	}
	s.requests = append(s.requests, Request{Method: r.Method, Path: oauthTokenPath, Status: http.StatusOK, Time: s.now()})
	s.mu.Unlock()
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(body)
		return
	}
	v := url.Values{}
	for k, x := range body {
		v.Set(k, x)
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	_, _ = w.Write([]byte(v.Encode()))
}

// userJSON is the part of GET /user's answer LifeOS reads.
type userJSON struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
	Type  string `json:"type"`
}

// getUser answers GET /user for a user token.
func (s *Server) getUser(r *http.Request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	login, ok := s.userOf(r.Header.Get("Authorization"))
	if !ok {
		return errReply(http.StatusUnauthorized, "Bad credentials")
	}
	u := s.user(login)
	return jsonReply(http.StatusOK, userJSON{Login: u.login, ID: u.id, Type: u.typ})
}

// userOf is the login whose user token an Authorization header carries.
func (s *Server) userOf(header string) (string, bool) {
	scheme, cred, _ := strings.Cut(strings.TrimSpace(header), " ")
	scheme = strings.ToLower(scheme)
	if scheme != "token" && scheme != "bearer" {
		return "", false
	}
	login, ok := s.oauth.tokens[strings.TrimSpace(cred)]
	return login, ok
}
