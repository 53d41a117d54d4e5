package githubfake

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v89/github"
)

// post sends a raw request with an Authorization header and decodes the
// JSON answer.
func send(t *testing.T, method, url, auth, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func signJWT(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAccessTokenExchange(t *testing.T) {
	s := New(Options{AppID: 777})
	defer s.Close()
	s.AddInstallation(testInstallation, testOrg)
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	good := jwt.MapClaims{"iss": "777", "iat": now.Add(-30 * time.Second).Unix(), "exp": now.Add(9 * time.Minute).Unix()}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name   string
		auth   string
		inst   int64
		status int
	}{
		{"good, iss as string", "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, good), testInstallation, 201},
		{"good, iss as number", "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, with("iss", 777)), testInstallation, 201},
		{"docs' advice: iat 60s ago, exp in 10 min", "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, with("iat", now.Add(-60*time.Second).Unix())), testInstallation, 201},
		{"unknown installation", "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, good), 999, 404},
		{"signed by another key", "Bearer " + signJWT(t, jwt.SigningMethodRS256, other, good), testInstallation, 401},
		{"HS256", "Bearer " + signJWT(t, jwt.SigningMethodHS256, []byte("secret"), good), testInstallation, 401},
		{"wrong iss", "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, with("iss", "778")), testInstallation, 401},
		{"no iss", "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, with("iss", nil)), testInstallation, 401},
		{"expired", "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, with("exp", now.Add(-time.Minute).Unix())), testInstallation, 401},
		{"exp too far", "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, with("exp", now.Add(30*time.Minute).Unix())), testInstallation, 401},
		{"iat in the future", "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, with("iat", now.Add(5*time.Minute).Unix())), testInstallation, 401},
		{"no iat", "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, with("iat", nil)), testInstallation, 401},
		{"no credentials", "", testInstallation, 401},
		{"garbage", "Bearer a.b.c", testInstallation, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(t, "POST", s.URL()+"app/installations/"+itoa(tt.inst)+"/access_tokens", tt.auth, "")
			if status != tt.status {
				t.Fatalf("status = %d (%v), want %d", status, body, tt.status)
			}
			switch {
			case status == 201:
				tok, _ := body["token"].(string)
				exp, err := time.Parse(time.RFC3339, body["expires_at"].(string))
				if !strings.HasPrefix(tok, "ghs_") || err != nil || exp.Sub(now) < 59*time.Minute {
					t.Errorf("token response = %v", body)
				}
				if body["permissions"] == nil || body["repository_selection"] == nil {
					t.Errorf("token response lacks permissions/repository_selection: %v", body)
				}
			case status >= 400:
				if body["message"] == nil || body["documentation_url"] == nil {
					t.Errorf("error body = %v, want GitHub's shape", body)
				}
			}
		})
	}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestInstallationTokenRules(t *testing.T) {
	clk := &clock{t: time.Now()}
	s := New(Options{Now: clk.now})
	defer s.Close()
	s.AddInstallation(1, "acme")
	s.AddInstallation(2, "globex")
	s.AddRepo(1, "acme/widgets", map[string]string{"a": "a"})
	s.AddRepo(2, "globex/secret", map[string]string{"a": "a"})

	appJWT := "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, jwt.MapClaims{
		"iss": s.AppID(), "iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(5 * time.Minute).Unix(),
	})
	status, body := send(t, "POST", s.URL()+"app/installations/1/access_tokens", appJWT, "")
	if status != 201 {
		t.Fatalf("token: %d %v", status, body)
	}
	token := body["token"].(string)

	tests := []struct {
		name, path, auth string
		status           int
	}{
		{"own repo, token scheme", "repos/acme/widgets", "token " + token, 200},
		{"own repo, bearer scheme", "repos/acme/widgets", "Bearer " + token, 200},
		{"with /api/v3 prefix", "api/v3/repos/acme/widgets", "token " + token, 200},
		{"other installation's repo", "repos/globex/secret", "token " + token, 404},
		{"missing repo", "repos/acme/nope", "token " + token, 404},
		{"no credentials", "repos/acme/widgets", "", 401},
		{"unknown token", "repos/acme/widgets", "token ghs_nope", 401},
		{"JWT where a token is needed", "repos/acme/widgets", appJWT, 403},
		{"token where a JWT is needed", "app", "token " + token, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(t, "GET", s.URL()+tt.path, tt.auth, "")
			if status != tt.status {
				t.Errorf("status = %d (%v), want %d", status, body, tt.status)
			}
		})
	}

	clk.add(61 * time.Minute)
	if status, _ := send(t, "GET", s.URL()+"repos/acme/widgets", "token "+token, ""); status != 401 {
		t.Errorf("expired token: status = %d, want 401", status)
	}
	if reqs := s.Requests(); len(reqs) == 0 || reqs[1].Installation != 1 || reqs[1].Route != "GET /repos/{owner}/{repo}" {
		t.Errorf("request log = %+v", reqs)
	}
	noValidationErrors(t, s)
}

// TestShortTokenLifetime: with Options.TokenLifetime a token's expires_at
// says that lifetime and the token is refused with 401 once it has passed.
func TestShortTokenLifetime(t *testing.T) {
	clk := &clock{t: time.Now()}
	s := New(Options{Now: clk.now, TokenLifetime: 2 * time.Second})
	defer s.Close()
	s.AddInstallation(1, "acme")
	s.AddRepo(1, "acme/widgets", map[string]string{"a": "a"})
	appJWT := "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, jwt.MapClaims{
		"iss": s.AppID(), "iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(5 * time.Minute).Unix(),
	})
	status, body := send(t, "POST", s.URL()+"app/installations/1/access_tokens", appJWT, "")
	if status != 201 {
		t.Fatalf("token: %d %v", status, body)
	}
	token := body["token"].(string)
	if exp, err := time.Parse(time.RFC3339, body["expires_at"].(string)); err != nil || exp.Sub(clk.now()) > 2*time.Second {
		t.Errorf("expires_at = %v (%v); want within the 2 s lifetime", body["expires_at"], err)
	}
	if status, _ := send(t, "GET", s.URL()+"repos/acme/widgets", "token "+token, ""); status != 200 {
		t.Fatalf("fresh token: status = %d, want 200", status)
	}
	clk.add(3 * time.Second)
	if status, body := send(t, "GET", s.URL()+"repos/acme/widgets", "token "+token, ""); status != 401 || body["message"] != "Bad credentials" {
		t.Errorf("expired token: %d %v, want 401 Bad credentials", status, body)
	}
}

func TestTokenScopingAndPermissions(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	s.AddInstallation(1, "acme")
	s.AddRepo(1, "acme/one", map[string]string{"a": "a"})
	s.AddRepo(1, "acme/two", map[string]string{"a": "a"})
	s.SetInstallationPermissions(1, map[string]string{"metadata": "read", "contents": "read", "issues": "write"})
	appJWT := "Bearer " + signJWT(t, jwt.SigningMethodRS256, s.key, jwt.MapClaims{
		"iss": s.AppID(), "iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(5 * time.Minute).Unix(),
	})
	url := s.URL() + "app/installations/1/access_tokens"
	if status, body := send(t, "POST", url, appJWT, `{"permissions":{"contents":"write"}}`); status != 422 {
		t.Errorf("asking for more than granted: %d %v, want 422", status, body)
	}
	if status, body := send(t, "POST", url, appJWT, `{"repositories":["nope"]}`); status != 422 {
		t.Errorf("asking for a foreign repo: %d %v, want 422", status, body)
	}
	status, body := send(t, "POST", url, appJWT, `{"repositories":["one"],"permissions":{"contents":"read"}}`)
	if status != 201 || body["repository_selection"] != "selected" {
		t.Fatalf("scoped token: %d %v", status, body)
	}
	token := "token " + body["token"].(string)
	if status, _ := send(t, "GET", s.URL()+"repos/acme/one", token, ""); status != 200 {
		t.Errorf("scoped repo: %d", status)
	}
	if status, _ := send(t, "GET", s.URL()+"repos/acme/two", token, ""); status != 404 {
		t.Errorf("repo outside the scope: %d, want 404", status)
	}
	if status, body := send(t, "POST", s.URL()+"repos/acme/one/issues", token, `{"title":"x"}`); status != 403 {
		t.Errorf("issue write without issues permission: %d %v, want 403", status, body)
	}
	noValidationErrors(t, s)
}

func TestWorkflowFilesNeedWorkflowsPermission(t *testing.T) {
	f := newFixture(t, map[string]string{"README.md": "x"})
	mainSHA, _ := f.repo.BranchSHA("main")
	base, _, _ := f.gh.Git.GetCommit(ctx, "acme", "widgets", mainSHA)
	tree, _, err := f.gh.Git.CreateTree(ctx, "acme", "widgets", base.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.Ptr(".github/workflows/ci.yml"), Mode: github.Ptr("100644"), Type: github.Ptr("blob"), Content: github.Ptr("on: push\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	commit, _, err := f.gh.Git.CreateCommit(ctx, "acme", "widgets", github.Commit{
		Message: github.Ptr("ci"), Tree: tree, Parents: []*github.Commit{{SHA: github.Ptr(mainSHA)}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.gh.Git.UpdateRef(ctx, "acme", "widgets", "heads/main", github.UpdateRef{SHA: commit.GetSHA(), Force: github.Ptr(false)})
	if statusOf(err) != 422 || !strings.Contains(errorText(err), "workflows") {
		t.Errorf("err = %v, want 422 about the workflows permission", err)
	}
}
