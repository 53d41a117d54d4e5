package server

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
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
		{map[string]string{"LIFEOS_PRICES": "llama=cheap"}, "LIFEOS_PRICES"},
		{map[string]string{"LIFEOS_PRICES": "=1:2"}, "LIFEOS_PRICES"},
		{map[string]string{"LIFEOS_TRIGGER_LABEL": "  "}, "LIFEOS_TRIGGER_LABEL"},
		{map[string]string{"LIFEOS_TRIGGER_LABEL": strings.Repeat("x", 51)}, "LIFEOS_TRIGGER_LABEL"},
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

func TestLoadConfigServerSettingsReachTheCeilings(t *testing.T) {
	tests := []struct {
		name  string
		over  map[string]string
		check func(t *testing.T, c *Config)
	}{
		{"trigger label", map[string]string{"LIFEOS_TRIGGER_LABEL": "lifeos:go"}, func(t *testing.T, c *Config) {
			if c.TriggerLabel != "lifeos:go" || c.Ceilings.TriggerLabel != "lifeos:go" || c.Ceilings.LabelNamespace != names.LabelNamespace {
				t.Errorf("label %q, ceilings %+v", c.TriggerLabel, c.Ceilings)
			}
		}},
		{"default trigger label", nil, func(t *testing.T, c *Config) {
			if c.TriggerLabel != names.TriggerLabel || c.Ceilings.TriggerLabel != names.TriggerLabel {
				t.Errorf("label %q, ceilings %+v", c.TriggerLabel, c.Ceilings)
			}
		}},
		{"model", map[string]string{"LIFEOS_MODEL": "my-model"}, func(t *testing.T, c *Config) {
			if c.Model != "my-model" || c.Ceilings.DefaultModel != "my-model" {
				t.Errorf("model %q, ceilings %+v", c.Model, c.Ceilings)
			}
		}},
		{"max turns", map[string]string{"LIFEOS_MAX_TURNS": "12"}, func(t *testing.T, c *Config) {
			if c.MaxTurns != 12 || c.Ceilings.MaxTurns != 12 {
				t.Errorf("max turns %d, ceilings %+v", c.MaxTurns, c.Ceilings)
			}
		}},
		{"default max turns", nil, func(t *testing.T, c *Config) {
			if c.MaxTurns != policy.DefaultMaxTurns || c.Ceilings.MaxTurns != policy.DefaultMaxTurns {
				t.Errorf("max turns %d, ceilings %+v", c.MaxTurns, c.Ceilings)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadConfig(testEnv(t, tt.over))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

// TestLoadConfigReadsEachSettingOnce: one setting has one reader, so the
// server and its ceilings cannot disagree about it.
func TestLoadConfigReadsEachSettingOnce(t *testing.T) {
	env := testEnv(t, nil)
	reads := map[string]int{}
	if _, err := LoadConfig(func(k string) string { reads[k]++; return env(k) }); err != nil {
		t.Fatal(err)
	}
	for k, n := range reads {
		if n != 1 {
			t.Errorf("%s read %d times", k, n)
		}
	}
	for _, k := range []string{"LIFEOS_TRIGGER_LABEL", "LIFEOS_MODEL", "LIFEOS_MAX_TURNS", "LIFEOS_PRICES"} {
		if reads[k] == 0 {
			t.Errorf("%s never read", k)
		}
	}
}

func TestLoadPricesMarksModelsFree(t *testing.T) {
	prices, err := LoadPrices(func(k string) string {
		if k == policy.PricesSetting {
			return "llama3=free, local=0:0, my-model=2.5:10"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"llama3", "local", "my-model", "gpt-4.1"} {
		if d := policy.PriceDecision(prices, m); !d.Allow {
			t.Errorf("%s: %s", m, d.Reason)
		}
	}
	if d := policy.PriceDecision(prices, "other"); d.Allow {
		t.Errorf("an unlisted model is priced: %s", d.Reason)
	}
}
