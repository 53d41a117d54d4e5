package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/config"
)

// waitReason polls the health check until a reason holds every one of
// parts; it returns the last health seen.
func (e *env) waitReason(t *testing.T, parts ...string) (healthBody, bool) {
	t.Helper()
	var h healthBody
	for range 300 {
		h = e.health(t)
		for _, r := range h.Reasons {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(r, p)
			}
			if all {
				return h, true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return h, false
}

// With the slug known (here LIFEOS_APP_SLUG), a key GitHub rejects does
// not stop start-up: GET /app's 401 is stated with its fix, and health
// reports it.
func TestStartupCheckBadKeyIsDegraded(t *testing.T) {
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	wrong := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)})
	e := start(t, envOpts{configure: func(c *config.Config) { c.PrivateKey, c.AppSlug = wrong, "lifeos" }})
	e.expectStatus(http.MethodGet, "/app", http.StatusUnauthorized)
	h, ok := e.waitReason(t, "GET /app answered 401", "GITHUB_APP_PRIVATE_KEY")
	if !ok || h.Status != "degraded" {
		t.Errorf("health = %+v, want degraded naming the rejected key", h)
	}
}

// A model endpoint that is down does not stop start-up: health says so,
// naming the setting to check.
func TestStartupCheckModelDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL + "/v1/"
	down.Close()
	e := start(t, envOpts{configure: func(c *config.Config) { c.OpenAIBaseURL = downURL }})
	h, ok := e.waitReason(t, "model endpoint", "unreachable", "OPENAI_BASE_URL")
	if !ok || h.Status != "degraded" {
		t.Errorf("health = %+v, want degraded naming the model endpoint", h)
	}
}

// A model endpoint that answers leaves health ok.
func TestStartupCheckModelUp(t *testing.T) {
	e := start(t, envOpts{})
	e.model.SetModels("gpt-e2e")
	time.Sleep(100 * time.Millisecond)
	if h := e.health(t); h.Status != "ok" {
		t.Errorf("health = %+v, want ok", h)
	}
}
