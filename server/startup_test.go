package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/policy"
)

// The start-up line states the effective settings in one line and holds
// no secret: not the key, the webhook or client secret, the model key, the
// session key, the admin token, nor DATABASE_URL's password.
func TestLogSettingsOneLineNoSecrets(t *testing.T) {
	secrets := []string{"whsec-very-secret", "sk-model-key-123", "client-secret-456", "session-key-0123456789abcdef0123456789", "admin-token-abcdefghijkl", "hunter2pw", "sslkey=/x"}
	ceilings := policy.DefaultCeilings()
	ceilings.DefaultCheapModel = "llama3.1:8b"
	tests := []struct {
		name, dbURL, wantDB string
	}{
		{"postgres", "postgres://lifeos:hunter2pw@db.internal:5432/lifeos?sslmode=require&sslkey=/x", "postgres postgres://db.internal:5432/lifeos"},
		{"sqlite", "", "sqlite /data/lifeos.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &config.Config{
				IntegrationID: 123, PrivateKey: []byte("-----BEGIN RSA PRIVATE KEY-----\nMIIkeybody\n-----END RSA PRIVATE KEY-----\n"),
				WebhookSecret: secrets[0], OpenAIAPIKey: secrets[1], OpenAIBaseURL: "http://127.0.0.1:11434/v1",
				V3APIURL: "https://api.github.com/", Model: "qwen2.5-coder:32b", TriggerLabel: "lifeos:do", DataDir: "/data",
				DatabaseURL: tt.dbURL, Ceilings: ceilings, CredentialsFrom: "environment",
				Web: config.Web{ClientID: "Iv1.x", ClientSecret: secrets[2], SessionKey: []byte(secrets[3]), AdminToken: secrets[4]},
			}
			var buf bytes.Buffer
			logSettings(zerolog.New(&buf), cfg, gh.Identity{ID: 123, Slug: "acme-lifeos", Name: "Acme LifeOS"})
			out := buf.String()
			if strings.Count(out, "\n") != 1 {
				t.Fatalf("settings take %d lines:\n%s", strings.Count(out, "\n"), out)
			}
			var line map[string]any
			if err := json.Unmarshal([]byte(out), &line); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"app_id": float64(123), "app_slug": "acme-lifeos", "model": "qwen2.5-coder:32b", "cheap_model": "llama3.1:8b",
				"label": "lifeos:do", "database": tt.wantDB, "model_endpoint": "http://127.0.0.1:11434/v1", "github_api": "https://api.github.com/",
				"max_cost_per_run": ceilings.MaxCostPerRun.String(), "max_autonomy": float64(ceilings.MaxAutonomy)}
			for k, v := range want {
				if line[k] != v {
					t.Errorf("%s = %v, want %v", k, line[k], v)
				}
			}
			for _, s := range append(secrets, "MIIkeybody") {
				if strings.Contains(out, s) {
					t.Errorf("the settings line holds the secret %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestStartupChecksReasons(t *testing.T) {
	var c startupChecks
	c.record("model", errors.New("model endpoint down"))
	c.record("github", errors.New("GitHub rejected"))
	if r := c.reasons(); len(r) != 2 || r[0] != "GitHub rejected" {
		t.Errorf("reasons = %v", r)
	}
	c.record("model", nil)
	if r := c.reasons(); len(r) != 1 {
		t.Errorf("reasons after the model passed = %v", r)
	}
}
