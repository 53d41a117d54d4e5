package server

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func testEnv(t *testing.T, over map[string]string) func(string) string {
	t.Helper()
	key, err := os.ReadFile("testdata/app-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"GITHUB_APP_INTEGRATION_ID": "42",
		"GITHUB_APP_PRIVATE_KEY":    string(key),
		"GITHUB_APP_WEBHOOK_SECRET": "s3cret",
		"OPENAI_API_KEY":            "sk-test",
	}
	for k, v := range over {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(testEnv(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.V3APIURL != DefaultV3APIURL || c.DataDir != "./data" || c.DatabaseURL != "" ||
		c.TriggerLabel != "lifeos:do" || c.Model != DefaultModel || c.IntegrationID != 42 {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestLoadConfigKeyWithEscapedNewlines(t *testing.T) {
	key, _ := os.ReadFile("testdata/app-key.pem")
	oneLine := strings.ReplaceAll(string(key), "\n", `\n`)
	if _, err := LoadConfig(testEnv(t, map[string]string{"GITHUB_APP_PRIVATE_KEY": oneLine})); err != nil {
		t.Fatal(err)
	}
}

func TestLoadConfigErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		over map[string]string
		name string
	}{
		{map[string]string{"GITHUB_APP_INTEGRATION_ID": ""}, "GITHUB_APP_INTEGRATION_ID"},
		{map[string]string{"GITHUB_APP_INTEGRATION_ID": "abc"}, "GITHUB_APP_INTEGRATION_ID"},
		{map[string]string{"GITHUB_APP_PRIVATE_KEY": ""}, "GITHUB_APP_PRIVATE_KEY"},
		{map[string]string{"GITHUB_APP_PRIVATE_KEY": "not a key"}, "GITHUB_APP_PRIVATE_KEY"},
		{map[string]string{"GITHUB_APP_PRIVATE_KEY": "", "GITHUB_APP_PRIVATE_KEY_PATH": "/nonexistent.pem"}, "GITHUB_APP_PRIVATE_KEY_PATH"},
		{map[string]string{"GITHUB_APP_PRIVATE_KEY_PATH": "testdata/app-key.pem"}, "GITHUB_APP_PRIVATE_KEY"},
		{map[string]string{"GITHUB_APP_WEBHOOK_SECRET": ""}, "GITHUB_APP_WEBHOOK_SECRET"},
		{map[string]string{"PORT": "70000"}, "PORT"},
		{map[string]string{"PORT": "eighty"}, "PORT"},
		{map[string]string{"GITHUB_V3_API_URL": "ftp://x"}, "GITHUB_V3_API_URL"},
		{map[string]string{"OPENAI_BASE_URL": "localhost:11434"}, "OPENAI_BASE_URL"},
		{map[string]string{"OPENAI_API_KEY": ""}, "OPENAI_API_KEY"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{map[string]string{"LIFEOS_MAX_TURNS": "0"}, "LIFEOS_MAX_TURNS"},
		{map[string]string{"LIFEOS_PRICES": "llama"}, "LIFEOS_PRICES"},
		{map[string]string{"LIFEOS_PRICES": "llama=a:b"}, "LIFEOS_PRICES"},
		{map[string]string{"LIFEOS_MONTHLY_BUDGET": "-3"}, "LIFEOS_MONTHLY_BUDGET"},
		{map[string]string{"LIFEOS_MAX_AUTONOMY": "5"}, "LIFEOS_MAX_AUTONOMY"},
	}
	for _, tt := range tests {
		_, err := LoadConfig(testEnv(t, tt.over))
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Name != tt.name {
			t.Errorf("LoadConfig(%v) = %v, want an error naming %s", tt.over, err, tt.name)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error for %s spans lines: %q", tt.name, err)
		}
	}
}

func TestLoadConfigLocalModelNeedsNoKey(t *testing.T) {
	c, err := LoadConfig(testEnv(t, map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}))
	if err != nil || c.OpenAIBaseURL == "" {
		t.Fatalf("got %+v, %v", c, err)
	}
}

func TestLoadConfigPricesAndCeilings(t *testing.T) {
	c, err := LoadConfig(testEnv(t, map[string]string{
		"LIFEOS_PRICES": "llama3=0:0, my-model=2.5:10", "LIFEOS_MONTHLY_BUDGET": "20", "LIFEOS_MAX_AUTONOMY": "3",
		"LIFEOS_ALLOWED_MODELS": "gpt-4.1, my-model",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Prices.Cost("my-model", 1_000_000, 1_000_000); got.String() != "$12.50" {
		t.Errorf("my-model cost = %s", got)
	}
	if c.Ceilings.MonthlyBudgetRepo.String() != "$20.00" || c.Ceilings.MaxAutonomy != 3 || len(c.Ceilings.AllowedModels) != 2 {
		t.Errorf("ceilings = %+v", c.Ceilings)
	}
}
