// Package config reads LifeOS's configuration. It is the one place that
// reads the environment: main hands it os.Getenv, and everything else takes
// a *Config (or the ceilings and prices it holds). Each setting is read once.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/workspace"
)

// Defaults for settings that have one.
const (
	DefaultPort     = 8080
	DefaultV3APIURL = "https://api.github.com/"
	DefaultV4APIURL = "https://api.github.com/graphql"
	DefaultDataDir  = "./data"
	// DefaultModel is the model of runs unless LIFEOS_MODEL or a
	// repository's policy names another.
	DefaultModel = policy.DefaultModel
	// DefaultMaxCIFixes bounds fix runs started by failed CI on one PR.
	DefaultMaxCIFixes = 2
	DefaultMaxTokens  = 0 // 0: the agent's own default
	// DefaultMaxRepoBytes caps a repository's unpacked size: the
	// workspace's own default (2 GiB), since contents go to disk.
	DefaultMaxRepoBytes = workspace.DefaultMaxRepoBytes
	// SnapshotDirName is the directory under LIFEOS_DATA_DIR where runs
	// unpack their repositories.
	SnapshotDirName = "snapshots"
)

// Config is everything LifeOS reads from its environment. TriggerLabel,
// Model and MaxTurns are copies of Ceilings.TriggerLabel,
// Ceilings.DefaultModel and Ceilings.MaxTurns, for the parts of the server
// that take them directly; each setting is read once, by LoadCeilings.
type Config struct {
	Port           int
	IntegrationID  int64
	PrivateKey     []byte
	WebhookSecret  string
	V3APIURL       string
	V4APIURL       string
	OpenAIAPIKey   string
	OpenAIBaseURL  string
	Model          string
	DatabaseURL    string
	DataDir        string
	TriggerLabel   string
	AppSlug        string
	MaxTurns       int
	MaxTokens      int64
	Workers        int
	DeleteBranches bool
	MaxCIFixes     int
	// MaxRepoBytes is LIFEOS_MAX_REPO_BYTES: the unpacked size a run's
	// repository may have.
	MaxRepoBytes int64
	Ceilings     policy.Ceilings
	Prices       policy.PriceTable
	Version      string
	// LogLevel is LOG_LEVEL as set: a zerolog level name, or empty.
	LogLevel string
	// LogFormat is LOG_FORMAT: LogJSON (the default) or LogConsole.
	LogFormat string
	// Web holds the run pages' settings: GitHub login and the admin token.
	Web Web
	// LeaseRenew, LeaseTTL and SweepInterval are how a worker keeps its
	// job's lease and how often the leader hands back the jobs of dead
	// processes; zero takes the runner's default.
	LeaseRenew    time.Duration
	LeaseTTL      time.Duration
	SweepInterval time.Duration
	// ScheduleMinInterval is LIFEOS_SCHEDULE_MIN_INTERVAL: how often one
	// schedule of a repository may fire at most (zero: the runner's
	// default, an hour).
	ScheduleMinInterval time.Duration
	// Stored is the App the manifest flow registered, when the
	// credentials came from the data directory rather than the environment.
	Stored *StoredApp
	// CredentialsFrom says where the App's credentials came from:
	// "environment" or the stored file's path.
	CredentialsFrom string
	// WebURL is GitHub's web address (GITHUB_WEB_URL), where Apps are
	// registered: github.com, or a GitHub Enterprise Server's.
	WebURL string
	// WebhookURL is where GitHub delivers webhooks, as the manifest flow
	// registers it (LIFEOS_WEBHOOK_URL; empty: the public URL's
	// /api/github/hook). A smee.io channel, for a server GitHub cannot reach.
	WebhookURL string
	// MemoryLimit is GOMEMLIMIT as set. The Go runtime applies it itself;
	// it is read here so that the command knows whether to apply its own
	// default when it is empty.
	MemoryLimit string
}

// SnapshotDir is where runs unpack their repositories: SnapshotDirName in
// the data directory.
func (c *Config) SnapshotDir() string { return filepath.Join(c.DataDir, SnapshotDirName) }

// Error names the setting that stopped start-up and why.
type Error struct {
	Name   string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s %s", e.Name, e.Reason) }

// graphQLURLOf is the GraphQL endpoint beside a REST API URL: GitHub's
// for GitHub's, https://HOST/api/graphql for Enterprise Server's
// https://HOST/api/v3/, and URL/graphql for anything else (a double).
func graphQLURLOf(v3 string) string {
	if v3 == "" || v3 == DefaultV3APIURL {
		return DefaultV4APIURL
	}
	v3 = strings.TrimSuffix(v3, "/")
	if base, ok := strings.CutSuffix(v3, "/api/v3"); ok {
		return base + "/api/graphql"
	}
	return v3 + "/graphql"
}

// Load reads the configuration from getenv (os.Getenv in production).
// The first missing or malformed setting is returned as an *Error. With no
// App credentials anywhere it returns the rest of the configuration and
// ErrNoApp, for set-up mode.
func Load(getenv func(string) string) (*Config, error) {
	v3 := getenv("GITHUB_V3_API_URL")
	c := &Config{
		V3APIURL:      orDefault(v3, DefaultV3APIURL),
		V4APIURL:      orDefault(getenv("GITHUB_V4_API_URL"), graphQLURLOf(v3)),
		OpenAIAPIKey:  getenv("OPENAI_API_KEY"),
		OpenAIBaseURL: getenv("OPENAI_BASE_URL"),
		AppSlug:       getenv("LIFEOS_APP_SLUG"), // an override: the slug is read from GitHub
		LogLevel:      getenv("LOG_LEVEL"),
		MemoryLimit:   getenv("GOMEMLIMIT"),
	}
	var err error
	if c.LogFormat, err = logFormat(getenv("LOG_FORMAT")); err != nil {
		return nil, err
	}
	if c.Port, err = LoadPort(getenv); err != nil {
		return nil, err
	}
	db, err := LoadDatabase(getenv)
	if err != nil {
		return nil, err
	}
	c.DatabaseURL, c.DataDir = db.URL, db.DataDir
	noApp := c.loadApp(appEnv{getenv("GITHUB_APP_INTEGRATION_ID"), getenv("GITHUB_APP_PRIVATE_KEY"),
		getenv("GITHUB_APP_PRIVATE_KEY_PATH"), getenv("GITHUB_APP_WEBHOOK_SECRET")})
	if noApp != nil && !errors.Is(noApp, ErrNoApp) {
		return nil, noApp
	}
	if c.WebURL, err = webURL(getenv("GITHUB_WEB_URL"), c.V3APIURL); err != nil {
		return nil, err
	}
	c.WebhookURL = getenv("LIFEOS_WEBHOOK_URL")
	for _, u := range []struct{ name, value string }{
		{"GITHUB_V3_API_URL", c.V3APIURL}, {"GITHUB_V4_API_URL", c.V4APIURL}, {"OPENAI_BASE_URL", c.OpenAIBaseURL},
		{"LIFEOS_WEBHOOK_URL", c.WebhookURL},
	} {
		if err := checkURL(u.name, u.value); err != nil {
			return nil, err
		}
	}
	if c.OpenAIAPIKey == "" && c.OpenAIBaseURL == "" {
		return nil, &Error{"OPENAI_API_KEY", "is required (or set OPENAI_BASE_URL to a local endpoint that needs no key)"}
	}
	maxTokens, err := intSetting(getenv, "LIFEOS_MAX_TOKENS", DefaultMaxTokens, 1000, 1<<40)
	if err != nil {
		return nil, err
	}
	c.MaxTokens = int64(maxTokens)
	if c.Workers, err = intSetting(getenv, "LIFEOS_WORKERS", 0, 1, 1000); err != nil {
		return nil, err
	}
	maxRepo, err := intSetting(getenv, "LIFEOS_MAX_REPO_BYTES", int(DefaultMaxRepoBytes), 1<<20, 1<<40)
	if err != nil {
		return nil, err
	}
	c.MaxRepoBytes = int64(maxRepo)
	if c.Ceilings, err = LoadCeilings(getenv); err != nil {
		return nil, err
	}
	c.TriggerLabel, c.Model, c.MaxTurns = c.Ceilings.TriggerLabel, c.Ceilings.DefaultModel, c.Ceilings.MaxTurns
	if c.Prices, err = LoadPrices(getenv); err != nil {
		return nil, err
	}
	if c.MaxCIFixes, err = intSetting(getenv, "LIFEOS_MAX_CI_FIXES", DefaultMaxCIFixes, 1, 100); err != nil {
		return nil, err
	}
	if c.Web, err = loadWeb(storedFallback(getenv, c.Stored)); err != nil {
		return nil, err
	}
	if err := c.loadLeases(getenv); err != nil {
		return nil, err
	}
	switch v := strings.ToLower(getenv("LIFEOS_DELETE_BRANCH")); v {
	case "", "true", "1", "yes":
		c.DeleteBranches = true
	case "false", "0", "no":
	default:
		return nil, &Error{"LIFEOS_DELETE_BRANCH", fmt.Sprintf("must be true or false, got %q", v)}
	}
	return c, noApp
}

// LoadPort reads PORT, the port serve listens on (DefaultPort if unset),
// for the commands that need only it, such as `lifeos healthcheck`.
func LoadPort(getenv func(string) string) (int, error) {
	return intSetting(getenv, "PORT", DefaultPort, 1, 65535)
}

// privateKey reads the App's key from GITHUB_APP_PRIVATE_KEY (key) or the
// file GITHUB_APP_PRIVATE_KEY_PATH names (path).
func privateKey(key, path string) ([]byte, error) {
	name := "GITHUB_APP_PRIVATE_KEY"
	switch {
	case key != "" && path != "":
		return nil, &Error{name, "and GITHUB_APP_PRIVATE_KEY_PATH are both set; set one"}
	case path != "":
		name = "GITHUB_APP_PRIVATE_KEY_PATH"
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, &Error{name, fmt.Sprintf("cannot be read: %v", err)}
		}
		key = string(b)
	case key == "":
		return nil, &Error{name, "is required (PEM text), or GITHUB_APP_PRIVATE_KEY_PATH (a .pem file)"}
	}
	return parseKey(name, key)
}

// parseKey checks that key is a PEM RSA private key, after turning the
// \n escapes of platforms that hold secrets on one line into newlines.
func parseKey(name, key string) ([]byte, error) {
	key = strings.ReplaceAll(key, `\n`, "\n")
	if _, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(key)); err != nil {
		return nil, &Error{name, fmt.Sprintf("is not a PEM RSA private key as GitHub issues them: %v", err)}
	}
	return []byte(key), nil
}

func intSetting(getenv func(string) string, name string, def, min, max int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < min || n > max {
		return 0, &Error{name, fmt.Sprintf("must be a whole number from %d to %d, got %q", min, max, v)}
	}
	return n, nil
}

// The log formats LOG_FORMAT names.
const (
	// LogJSON writes one JSON object a line, for a log collector.
	LogJSON = "json"
	// LogConsole writes readable, coloured lines for a terminal.
	LogConsole = "console"
)

// logFormat checks LOG_FORMAT's value; empty means LogJSON.
func logFormat(v string) (string, error) {
	switch v = strings.ToLower(v); v {
	case "", LogJSON:
		return LogJSON, nil
	case LogConsole:
		return LogConsole, nil
	}
	return "", &Error{"LOG_FORMAT", fmt.Sprintf("must be %q or %q, not %q", LogJSON, LogConsole, v)}
}

// loadLeases reads the lease and sweep times. A renewal must come well
// within the lease, or a live worker's job would be handed back; with only
// LIFEOS_LEASE_TTL set, renewals come at a third of it.
func (c *Config) loadLeases(getenv func(string) string) error {
	var err error
	if c.LeaseRenew, err = durationSetting(getenv, "LIFEOS_LEASE_RENEW"); err != nil {
		return err
	}
	if c.LeaseTTL, err = durationSetting(getenv, "LIFEOS_LEASE_TTL"); err != nil {
		return err
	}
	if c.SweepInterval, err = durationSetting(getenv, "LIFEOS_SWEEP_INTERVAL"); err != nil {
		return err
	}
	if c.ScheduleMinInterval, err = durationSetting(getenv, "LIFEOS_SCHEDULE_MIN_INTERVAL"); err != nil {
		return err
	}
	switch {
	case c.LeaseTTL > 0 && c.LeaseRenew == 0:
		c.LeaseRenew = c.LeaseTTL / 3 // the default's ratio: a few renewals per lease
	case c.LeaseTTL > 0 && 2*c.LeaseRenew > c.LeaseTTL:
		return &Error{"LIFEOS_LEASE_RENEW", fmt.Sprintf("must be at most half of LIFEOS_LEASE_TTL (%s), got %s", c.LeaseTTL, c.LeaseRenew)}
	}
	return nil
}

// durationSetting reads a Go duration ("2s", "500ms") from 100ms to a
// day; empty is 0, the default.
func durationSetting(getenv func(string) string, name string) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 100*time.Millisecond || d > 24*time.Hour {
		return 0, &Error{name, fmt.Sprintf("must be a duration from 100ms to 24h (e.g. 15s), got %q", v)}
	}
	return d, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
