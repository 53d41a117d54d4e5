package config

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

func TestLoadDefaults(t *testing.T) {
	c, err := Load(testEnv(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.V3APIURL != DefaultV3APIURL || c.DataDir != "./data" || c.DatabaseURL != "" ||
		c.TriggerLabel != "lifeos:do" || c.Model != DefaultModel || c.IntegrationID != 42 {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestLoadKeyWithEscapedNewlines(t *testing.T) {
	key, _ := os.ReadFile("testdata/app-key.pem")
	oneLine := strings.ReplaceAll(string(key), "\n", `\n`)
	if _, err := Load(testEnv(t, map[string]string{"GITHUB_APP_PRIVATE_KEY": oneLine})); err != nil {
		t.Fatal(err)
	}
}

func TestLoadErrorsNameTheSetting(t *testing.T) {
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
		{map[string]string{"LIFEOS_MAX_RUN_MINUTES": "0"}, "LIFEOS_MAX_RUN_MINUTES"},
		{map[string]string{"LIFEOS_MAX_RUN_MINUTES": "20m"}, "LIFEOS_MAX_RUN_MINUTES"},
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
		_, err := Load(testEnv(t, tt.over))
		var ce *Error
		if !errors.As(err, &ce) || ce.Name != tt.name {
			t.Errorf("Load(%v) = %v, want an error naming %s", tt.over, err, tt.name)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error for %s spans lines: %q", tt.name, err)
		}
	}
}

func TestLoadLocalModelNeedsNoKey(t *testing.T) {
	c, err := Load(testEnv(t, map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}))
	if err != nil || c.OpenAIBaseURL == "" {
		t.Fatalf("got %+v, %v", c, err)
	}
}

func TestLoadPricesAndCeilings(t *testing.T) {
	c, err := Load(testEnv(t, map[string]string{
		"LIFEOS_PRICES": "llama3=0:0, my-model=2.5:10, cached-model=2:8:0.5", "LIFEOS_MONTHLY_BUDGET": "20", "LIFEOS_MAX_AUTONOMY": "3",
		"LIFEOS_ALLOWED_MODELS": "gpt-4.1, my-model",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Prices.Cost("my-model", 1_000_000, 1_000_000); got.String() != "$12.50" {
		t.Errorf("my-model cost = %s", got)
	}
	if got := c.Prices.CallCost("cached-model", 1_000_000, 1_000_000, 0); got.String() != "$0.50" {
		t.Errorf("cached-model cost of a million cached tokens = %s", got)
	}
	if c.Ceilings.MonthlyBudgetRepo.String() != "$20.00" || c.Ceilings.MaxAutonomy != 3 || len(c.Ceilings.AllowedModels) != 2 {
		t.Errorf("ceilings = %+v", c.Ceilings)
	}
}

func TestLoadServerSettingsReachTheCeilings(t *testing.T) {
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
		{"max run minutes", map[string]string{"LIFEOS_MAX_RUN_MINUTES": "15"}, func(t *testing.T, c *Config) {
			if c.Ceilings.MaxMinutes != 15 {
				t.Errorf("ceilings %+v", c.Ceilings)
			}
		}},
		{"default max run minutes", nil, func(t *testing.T, c *Config) {
			if c.Ceilings.MaxMinutes != policy.DefaultMaxMinutes {
				t.Errorf("ceilings %+v", c.Ceilings)
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
			c, err := Load(testEnv(t, tt.over))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

// allSet sets every setting to a valid value that is not its default, so
// that every branch that reads a setting is taken.
var allSet = map[string]string{
	"PORT":                               "9090",
	"GITHUB_V3_API_URL":                  "https://ghe.example/api/v3/",
	"GITHUB_V4_API_URL":                  "https://ghe.example/api/graphql",
	"OPENAI_BASE_URL":                    "http://127.0.0.1:11434/v1",
	"DATABASE_URL":                       "postgres://lifeos@127.0.0.1/lifeos",
	"LIFEOS_DATA_DIR":                    "/var/lib/lifeos",
	"LIFEOS_APP_SLUG":                    "my-lifeos",
	"LIFEOS_MAX_TOKENS":                  "200000",
	"LIFEOS_WORKERS":                     "4",
	"LIFEOS_TRIGGER_LABEL":               "lifeos:go",
	"LIFEOS_MAX_TURNS":                   "12",
	"LIFEOS_MAX_RUN_MINUTES":             "15",
	"LIFEOS_MAX_AUTONOMY":                "3",
	"LIFEOS_MAX_FILES":                   "10",
	"LIFEOS_MAX_LINES":                   "500",
	"LIFEOS_MAX_BYTES":                   "300000",
	"LIFEOS_MAX_COST_PER_RUN":            "2.50",
	"LIFEOS_MONTHLY_BUDGET":              "20",
	"LIFEOS_MONTHLY_BUDGET_INSTALLATION": "50",
	"LIFEOS_MODEL":                       "my-model",
	"LIFEOS_CHEAP_MODEL":                 "my-cheap-model",
	"LIFEOS_ALLOWED_MODELS":              "my-model, my-cheap-model",
	"LIFEOS_PRICES":                      "my-model=2.5:10,my-cheap-model=free",
	"LIFEOS_MAX_CI_FIXES":                "3",
	"LIFEOS_DELETE_BRANCH":               "false",
	"LOG_LEVEL":                          "debug",
	"LOG_FORMAT":                         "console",
	"GOMEMLIMIT":                         "1GiB",
}

// reads calls Load with getenv and returns how often each name was read.
func reads(t *testing.T, getenv func(string) string) map[string]int {
	t.Helper()
	n := map[string]int{}
	if _, err := Load(func(k string) string { n[k]++; return getenv(k) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLoadReadsEachSettingOnce: one setting has one reader, so the
// server and its ceilings cannot disagree about it.
func TestLoadReadsEachSettingOnce(t *testing.T) {
	tests := []struct {
		name string
		over map[string]string
	}{
		{"required only", nil},
		{"every setting set", allSet},
		{"key from a file", map[string]string{"GITHUB_APP_PRIVATE_KEY": "", "GITHUB_APP_PRIVATE_KEY_PATH": "testdata/app-key.pem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := reads(t, testEnv(t, tt.over))
			for k, c := range n {
				if c != 1 {
					t.Errorf("%s read %d times", k, c)
				}
			}
			for _, k := range []string{"LIFEOS_TRIGGER_LABEL", "LIFEOS_MODEL", "LIFEOS_MAX_TURNS", "LIFEOS_PRICES"} {
				if n[k] == 0 {
					t.Errorf("%s never read", k)
				}
			}
		})
	}
}

func TestLoadEverySettingSet(t *testing.T) {
	c, err := Load(testEnv(t, allSet))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 9090 || c.DatabaseURL == "" || c.AppSlug != "my-lifeos" || c.MaxTokens != 200000 || c.Workers != 4 ||
		c.TriggerLabel != "lifeos:go" || c.Model != "my-model" || c.MaxTurns != 12 || c.MaxCIFixes != 3 || c.DeleteBranches ||
		c.LogLevel != "debug" || c.LogFormat != LogConsole || c.MemoryLimit != "1GiB" || c.Ceilings.DefaultCheapModel != "my-cheap-model" ||
		c.Ceilings.MaxFiles != 10 || c.Ceilings.MaxLines != 500 || c.Ceilings.MaxBytes != 300000 || c.Ceilings.MaxCostPerRun.String() != "$2.50" ||
		c.Ceilings.MonthlyBudgetInstallation.String() != "$50.00" {
		t.Errorf("config = %+v", c)
	}
}

func TestLoadPricesMarksModelsFree(t *testing.T) {
	prices, err := LoadPrices(func(k string) string {
		if k == policy.PricesSetting {
			return "llama3=free, local=0:0, my-model=2.5:10, qwen2.5-coder:32b=free, Qwen/Qwen2.5-Coder-32B-Instruct=free"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	// Ollama's model names hold a colon and vLLM's a slash, as README's
	// worked example writes them.
	for _, m := range []string{"qwen2.5-coder:32b", "Qwen/Qwen2.5-Coder-32B-Instruct"} {
		if p, ok := prices[m]; !ok || p != (policy.Price{}) {
			t.Errorf("%s: price %+v, %v; want free", m, p, ok)
		}
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

// TestLoadDatabaseNeedsNoAppSettings: the database settings load alone, so
// `lifeos runs` works on a machine without the App's key or secret.
func TestLoadDatabaseNeedsNoAppSettings(t *testing.T) {
	d, err := LoadDatabase(func(string) string { return "" })
	if err != nil || d.URL != "" || d.DataDir != DefaultDataDir {
		t.Fatalf("defaults = %+v, %v", d, err)
	}
	env := map[string]string{"DATABASE_URL": "postgres://h/db", "LIFEOS_DATA_DIR": "/srv/lifeos"}
	d, err = LoadDatabase(func(k string) string { return env[k] })
	if err != nil || d.URL != "postgres://h/db" || d.DataDir != "/srv/lifeos" {
		t.Fatalf("set = %+v, %v", d, err)
	}
	var cerr *Error
	if _, err := LoadDatabase(func(k string) string { return map[string]string{"DATABASE_URL": "mysql://x"}[k] }); !errors.As(err, &cerr) || cerr.Name != "DATABASE_URL" {
		t.Fatalf("bad URL: %v", err)
	}
}

// LOG_FORMAT is json unless set to console, in any case; anything else is
// refused, naming the setting.
func TestLoadLogFormat(t *testing.T) {
	for v, want := range map[string]string{"": LogJSON, "json": LogJSON, "console": LogConsole, "Console": LogConsole} {
		c, err := Load(testEnv(t, map[string]string{"LOG_FORMAT": v}))
		if err != nil || c.LogFormat != want {
			t.Errorf("LOG_FORMAT=%q: got %v, %v; want %q", v, c, err, want)
		}
	}
	_, err := Load(testEnv(t, map[string]string{"LOG_FORMAT": "pretty"}))
	var cerr *Error
	if !errors.As(err, &cerr) || cerr.Name != "LOG_FORMAT" {
		t.Errorf("LOG_FORMAT=pretty: got %v, want an Error naming LOG_FORMAT", err)
	}
}
