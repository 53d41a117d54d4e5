package server

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/redact"
)

// The server's log writer blanks the configured secrets and installation
// tokens from whatever line quotes them.
func TestLogWriterRedactsConfiguredSecrets(t *testing.T) {
	key, err := os.ReadFile("../config/testdata/app-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{PrivateKey: key, WebhookSecret: "hook-secret-123", OpenAIAPIKey: "sk-proj-abcdef"}
	var buf bytes.Buffer
	out := NewLogWriter(&buf, LogSecrets(cfg)...)
	log := zerolog.New(out)
	token := "ghs_" + strings.Repeat("x1", 18)
	log.Error().Str("key", string(key)).Str("secret", cfg.WebhookSecret).
		Str("error", "401: Incorrect API key provided: "+cfg.OpenAIAPIKey).Str("auth", "token "+token).Msg("Leaky")
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	body := redact.PEMBody(key)
	if len(body) < 10 {
		t.Fatalf("the key's body has %d lines", len(body))
	}
	leaks := append(body, cfg.WebhookSecret, cfg.OpenAIAPIKey, token)
	for _, leak := range leaks {
		if strings.Contains(got, leak) {
			t.Errorf("log holds %q:\n%s", leak, got)
		}
	}
	if !strings.Contains(got, "Leaky") {
		t.Errorf("the line itself is lost: %q", got)
	}
}

// LOG_FORMAT=console writes readable lines; the default writes JSON.
func TestNewLoggerFormat(t *testing.T) {
	var jsonOut, consoleOut bytes.Buffer
	jsonLog := NewLogger(&jsonOut, &config.Config{LogFormat: config.LogJSON})
	consoleLog := NewLogger(&consoleOut, &config.Config{LogFormat: config.LogConsole})
	jsonLog.Info().Int("pr", 7).Msg("Run succeeded")
	consoleLog.Info().Int("pr", 7).Msg("Run succeeded")
	if !strings.HasPrefix(jsonOut.String(), "{") || !strings.Contains(jsonOut.String(), `"pr":7`) {
		t.Errorf("json log = %q", jsonOut.String())
	}
	if got := consoleOut.String(); strings.HasPrefix(got, "{") || !strings.Contains(got, "Run succeeded") || !strings.Contains(got, "pr=") {
		t.Errorf("console log = %q", got)
	}
}
