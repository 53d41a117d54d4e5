package githubfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOAuthFlowAndUserToken: the authorize page redirects back with a code
// and the state; the code is exchanged once for a user token; the token
// answers GET /user and reads only the repositories its user can read.
func TestOAuthFlowAndUserToken(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	s.SetOAuthClient("cid", "csecret")
	s.AddInstallation(1, "o")
	s.AddRepo(1, "o/open", nil)
	s.AddRepo(1, "o/closed", nil)
	s.SetPermission("o/open", "alice", "read")
	s.SignIn("alice")

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.URL() + "login/oauth/authorize?client_id=cid&state=st1&redirect_uri=" + url.QueryEscape("http://127.0.0.1:1/cb"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("state") != "st1" || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %s", resp.StatusCode, loc)
	}
	exchange := func(secret string) (int, map[string]any) {
		body := url.Values{"client_id": {"cid"}, "client_secret": {secret}, "code": {loc.Query().Get("code")}}.Encode()
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"login/oauth/access_token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = jsonDecode(resp, &out)
		return resp.StatusCode, out
	}
	if _, out := exchange("wrong"); out["error"] != "incorrect_client_credentials" {
		t.Fatalf("wrong secret: %v", out)
	}
	_, out := exchange("csecret")
	tok, _ := out["access_token"].(string)
	if tok == "" {
		t.Fatalf("exchange: %v", out)
	}
	if _, again := exchange("csecret"); again["error"] != "bad_verification_code" {
		t.Fatalf("second exchange of one code: %v", again)
	}
	if code, u := send(t, "GET", s.URL()+"user", "Bearer "+tok, ""); code != 200 || u["login"] != "alice" {
		t.Fatalf("GET /user = %d %v", code, u)
	}
	if code, _ := send(t, "GET", s.URL()+"repos/o/open", "Bearer "+tok, ""); code != 200 {
		t.Errorf("readable repo = %d", code)
	}
	if code, _ := send(t, "GET", s.URL()+"repos/o/closed", "Bearer "+tok, ""); code != 404 {
		t.Errorf("unreadable repo = %d, want 404", code)
	}
	if code, _ := send(t, "GET", s.URL()+"repos/o/open/branches/main", "Bearer "+tok, ""); code != 403 {
		t.Errorf("user token on an App-only route = %d, want 403", code)
	}
	if errs := s.ValidationErrors(); len(errs) > 0 {
		t.Errorf("validation errors: %v", errs)
	}
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
