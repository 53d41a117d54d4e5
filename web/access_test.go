package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestWithoutLoginNoRunData: pages redirect to the login, keeping where
// the person was going; the API answers 401; neither shows a run.
func TestWithoutLoginNoRunData(t *testing.T) {
	w := newWorld(t)
	c := w.client()
	for _, p := range []string{"/runs", fmt.Sprintf("/runs/%d", w.open), "/runs?repo=o/open"} {
		resp := w.do(c, "GET", w.srv.URL+p, "")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s = %d to %q, want a redirect to /login", p, resp.StatusCode, resp.Header.Get("Location"))
		}
		if strings.Contains(body(resp), "o/open") {
			t.Errorf("GET %s shows run data without login", p)
		}
	}
	for _, p := range []string{"/api/runs", fmt.Sprintf("/api/runs/%d", w.open)} {
		resp := w.do(c, "GET", w.srv.URL+p, "")
		if resp.StatusCode != http.StatusUnauthorized || strings.Contains(body(resp), "o/open") {
			t.Errorf("GET %s = %d %s, want 401 without run data", p, resp.StatusCode, body(resp))
		}
	}
	if resp := w.do(c, "GET", w.srv.URL+"/api/runs", "wrong-admin-token-0123456789"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong admin token = %d, want 401", resp.StatusCode)
	}
}

// TestAnotherRepositorysRunIsNotFound: a logged-in person sees the runs of
// repositories they can read; a run of one they cannot answers exactly as
// an id that does not exist, on the page and in the API.
func TestAnotherRepositorysRunIsNotFound(t *testing.T) {
	w := newWorld(t)
	c := w.login()
	list := body(w.do(c, "GET", w.srv.URL+"/runs", ""))
	if !strings.Contains(list, "o/open#1") || strings.Contains(list, "o/closed") {
		t.Fatalf("alice's list should show o/open only:\n%s", list)
	}
	if got := body(w.do(c, "GET", w.srv.URL+"/runs?repo=o/closed", "")); strings.Contains(got, "o/closed#") {
		t.Errorf("filtering by an unreadable repository shows its runs")
	}
	if resp := w.do(c, "GET", fmt.Sprintf("%s/runs/%d", w.srv.URL, w.open), ""); resp.StatusCode != 200 || !strings.Contains(body(resp), "Fixed o/open") {
		t.Errorf("alice's own run = %d", resp.StatusCode)
	}
	for _, prefix := range []string{"/runs/", "/api/runs/"} {
		hidden := w.do(c, "GET", fmt.Sprintf("%s%s%d", w.srv.URL, prefix, w.closed), "")
		missing := w.do(c, "GET", w.srv.URL+prefix+"999999", "")
		if hidden.StatusCode != http.StatusNotFound || missing.StatusCode != http.StatusNotFound {
			t.Errorf("%s: hidden = %d, missing = %d, want 404 both", prefix, hidden.StatusCode, missing.StatusCode)
		}
		if body(hidden) != body(missing) || hidden.Header.Get("Content-Type") != missing.Header.Get("Content-Type") ||
			hidden.Header.Get("Content-Length") != missing.Header.Get("Content-Length") {
			t.Errorf("%s: a hidden run (%q) differs from a missing one (%q)", prefix, body(hidden), body(missing))
		}
	}
	api := body(w.do(c, "GET", w.srv.URL+"/api/runs", ""))
	if !strings.Contains(api, `"repo": "o/open"`) || strings.Contains(api, "o/closed") {
		t.Errorf("API list for alice:\n%s", api)
	}
}

// TestAccessIsCachedBriefly: a second page asks GitHub nothing new.
func TestAccessIsCachedBriefly(t *testing.T) {
	w := newWorld(t)
	c := w.login()
	w.do(c, "GET", w.srv.URL+"/runs", "")
	w.gh.ResetRequests()
	w.do(c, "GET", w.srv.URL+"/runs", "")
	w.do(c, "GET", fmt.Sprintf("%s/runs/%d", w.srv.URL, w.open), "")
	if n := len(w.gh.Requests()); n != 0 {
		t.Errorf("cached access still sent %d GitHub requests: %+v", n, w.gh.Requests())
	}
}

// TestAdminTokenSeesEverything: the bearer token sees every repository's
// runs in the API and on the pages.
func TestAdminTokenSeesEverything(t *testing.T) {
	w := newWorld(t)
	c := w.client()
	api := w.do(c, "GET", w.srv.URL+"/api/runs", testAdmin)
	if api.StatusCode != 200 || !strings.Contains(body(api), "o/open") || !strings.Contains(body(api), "o/closed") {
		t.Errorf("admin API list = %d %s", api.StatusCode, body(api))
	}
	one := w.do(c, "GET", fmt.Sprintf("%s/api/runs/%d", w.srv.URL, w.closed), testAdmin)
	if one.StatusCode != 200 || !strings.Contains(body(one), `"cost_micros": 2500`) {
		t.Errorf("admin API run = %d %s", one.StatusCode, body(one))
	}
	if page := w.do(c, "GET", fmt.Sprintf("%s/runs/%d", w.srv.URL, w.closed), testAdmin); page.StatusCode != 200 {
		t.Errorf("admin page = %d", page.StatusCode)
	}
}

// TestTamperedCookieIsRejected: a session cookie whose payload or
// signature was changed is no session.
func TestTamperedCookieIsRejected(t *testing.T) {
	w := newWorld(t)
	c := w.login()
	var sess *http.Cookie
	for _, k := range c.Jar.Cookies(mustURL(t, w.srv.URL)) {
		if k.Name == sessionCookie {
			sess = k
		}
	}
	if sess == nil {
		t.Fatal("no session cookie after login")
	}
	payload, sig, _ := strings.Cut(sess.Value, ".")
	forged, err := signer{key: []byte(strings.Repeat("x", 32))}.seal(sessionCookie, session{Login: "alice", Expires: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{
		"payload changed":   flip(payload) + "." + sig,
		"signature changed": payload + "." + flip(sig),
		"other key":         forged,
		"no signature":      payload,
	} {
		req, _ := http.NewRequest("GET", w.srv.URL+"/runs", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: v})
		resp, err := w.client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Errorf("%s: GET /runs = %d, want a redirect to login", name, resp.StatusCode)
		}
	}
}

// TestBadStateIsRejected: a callback whose state is missing, wrong or
// from no login is refused before any code is exchanged.
func TestBadStateIsRejected(t *testing.T) {
	w := newWorld(t)
	c := w.client()
	start := w.do(c, "GET", w.srv.URL+"/login", "")
	authorize := start.Header.Get("Location")
	if start.StatusCode != http.StatusFound || !strings.Contains(authorize, "state=") {
		t.Fatalf("login = %d to %q", start.StatusCode, authorize)
	}
	back := w.do(c, "GET", authorize, "").Header.Get("Location")
	code := mustURL(t, back).Query().Get("code")
	w.gh.ResetRequests()
	for name, u := range map[string]string{
		"wrong state": w.srv.URL + "/oauth/callback?state=forged&code=" + code,
		"no state":    w.srv.URL + "/oauth/callback?code=" + code,
	} {
		if resp := w.do(c, "GET", u, ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: callback = %d, want 400", name, resp.StatusCode)
		}
	}
	// The state cookie is spent by a failed callback, so the right state
	// is refused now too, and a fresh browser never had one.
	if resp := w.do(w.client(), "GET", back, ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback in a browser that never started the login = %d, want 400", resp.StatusCode)
	}
	for _, r := range w.gh.Requests() {
		if strings.Contains(r.Path, "access_token") {
			t.Errorf("a code was exchanged despite a bad state")
		}
	}
}

// TestLogoutClearsTheSession and the cookies carry their attributes.
func TestLogoutClearsTheSession(t *testing.T) {
	w := newWorld(t)
	c := w.login()
	out := w.do(c, "POST", w.srv.URL+"/logout", "")
	cleared := false
	for _, k := range out.Cookies() {
		if k.Name == sessionCookie && k.MaxAge < 0 && k.HttpOnly && k.SameSite == http.SameSiteLaxMode {
			cleared = true
		}
	}
	if !cleared {
		t.Errorf("logout did not clear the session cookie: %v", out.Cookies())
	}
	if out.StatusCode != http.StatusOK || !strings.Contains(body(out), "logged out") {
		t.Errorf("logout page = %d", out.StatusCode)
	}
	if resp := w.do(c, "GET", w.srv.URL+"/runs", ""); resp.StatusCode != http.StatusFound {
		t.Errorf("after logout GET /runs = %d, want a redirect to login", resp.StatusCode)
	}
	if k := w.h.cookie(sessionCookie, "v", 1); !k.HttpOnly || k.Secure || k.SameSite != http.SameSiteLaxMode {
		t.Errorf("loopback http cookie = %+v", k)
	}
	h2, err := New(Config{Store: w.st, ClientID: "id", ClientSecret: "s", SessionKey: []byte("k"), PublicURL: mustURL(t, "https://lifeos.example")})
	if err != nil {
		t.Fatal(err)
	}
	if k := h2.cookie(sessionCookie, "v", 1); !k.Secure {
		t.Errorf("an https public URL must give Secure cookies: %+v", k)
	}
}

func flip(s string) string {
	if s == "" {
		return "A"
	}
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

// TestAccessFailsClosed: when GitHub cannot answer, the run is not shown,
// and the failure is not remembered: the next page asks again.
func TestAccessFailsClosed(t *testing.T) {
	w := newWorld(t)
	c := w.login()
	w.gh.FailRoute("GET /repos/{owner}/{repo}", http.StatusBadGateway)
	if resp := w.do(c, "GET", fmt.Sprintf("%s/runs/%d", w.srv.URL, w.open), ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("with GitHub failing, the run = %d, want 404", resp.StatusCode)
	}
	w.gh.FailRoute("GET /repos/{owner}/{repo}", 0)
	if resp := w.do(c, "GET", fmt.Sprintf("%s/runs/%d", w.srv.URL, w.open), ""); resp.StatusCode != http.StatusOK {
		t.Errorf("with GitHub back, the run = %d, want 200", resp.StatusCode)
	}
}
