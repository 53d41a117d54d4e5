package config

import (
	"strconv"

	"github.com/lifeos/lifeos/policy"
)

// Setting is one environment variable LifeOS reads, as `lifeos help`
// lists it and README's settings table documents it (a test holds the two
// to the same names and defaults).
type Setting struct {
	Name string
	// Default is what applies when the variable is unset, in words when it
	// is not a value ("required").
	Default string
	// Summary says what it sets, in one line.
	Summary string
}

// Settings lists every setting, in README's order, with defaults taken
// from the constants that apply them.
func Settings() []Setting {
	ceil := policy.DefaultCeilings()
	num := strconv.Itoa
	return []Setting{
		{"PORT", num(DefaultPort), "HTTP port"},
		{"GITHUB_APP_INTEGRATION_ID", "required, unless set-up mode stored the App", "the App ID from the App's settings page; none of the App's credentials: serve starts in set-up mode"},
		{"GITHUB_APP_PRIVATE_KEY", "one of the two", "the App's private key, PEM text (\\n escapes accepted)"},
		{"GITHUB_APP_PRIVATE_KEY_PATH", "one of the two", "path to the App's .pem file instead"},
		{"GITHUB_APP_WEBHOOK_SECRET", "required, unless set-up mode stored the App", "the webhook secret set on the App"},
		{"GITHUB_V3_API_URL", DefaultV3APIURL, "REST API base (GitHub Enterprise: https://HOST/api/v3/)"},
		{"GITHUB_V4_API_URL", "beside GITHUB_V3_API_URL (" + DefaultV4APIURL + ")", "GraphQL API URL (GitHub Enterprise: https://HOST/api/graphql)"},
		{"GITHUB_WEB_URL", "https://github.com (GitHub Enterprise: https://HOST, from GITHUB_V3_API_URL)", "GitHub's web address, where set-up mode registers the App"},
		{"LIFEOS_WEBHOOK_URL", "LIFEOS_PUBLIC_URL + /api/github/hook", "where set-up mode tells GitHub to deliver webhooks (a smee.io channel for a server GitHub cannot reach)"},
		{"OPENAI_API_KEY", "required unless OPENAI_BASE_URL is set", "key for the model endpoint"},
		{"OPENAI_BASE_URL", "OpenAI", "any OpenAI-compatible endpoint (Azure, Ollama, vLLM)"},
		{"LIFEOS_MODEL", ceil.DefaultModel, "model of runs unless a repository's policy names another"},
		{"DATABASE_URL", "empty", "empty: SQLite in LIFEOS_DATA_DIR; postgres://...: PostgreSQL"},
		{"LIFEOS_DATA_DIR", DefaultDataDir, "where the SQLite file and the runs' unpacked snapshots live"},
		{"LIFEOS_MAX_REPO_BYTES", num(int(DefaultMaxRepoBytes)) + " (2 GiB)", "the unpacked size a repository may have (on disk, not in memory)"},
		{"LIFEOS_TRIGGER_LABEL", ceil.TriggerLabel, "the label that starts a run"},
		{"LIFEOS_APP_SLUG", "read from GitHub", "an override of the slug read from GET /app"},
		{"LIFEOS_MAX_TURNS", num(ceil.MaxTurns), "ceiling: model calls per run"},
		{"LIFEOS_MAX_RUN_MINUTES", num(ceil.MaxMinutes), "ceiling: minutes the agent works on one run"},
		{"LIFEOS_MAX_TOKENS", "agent default (1,500,000)", "tokens per run"},
		{"LIFEOS_MAX_COST_PER_RUN", ceil.MaxCostPerRun.Decimal(), "ceiling: US dollars per run"},
		{"LIFEOS_MONTHLY_BUDGET", ceil.MonthlyBudgetRepo.Decimal(), "ceiling: US dollars per repository per month"},
		{"LIFEOS_MONTHLY_BUDGET_INSTALLATION", ceil.MonthlyBudgetInstallation.Decimal(), "US dollars per installation per month"},
		{"LIFEOS_MAX_AUTONOMY", num(ceil.MaxAutonomy), "ceiling: the highest autonomy rung (1 to 4)"},
		{"LIFEOS_MAX_FILES", num(ceil.MaxFiles), "ceiling: files changed per run"},
		{"LIFEOS_MAX_LINES", num(ceil.MaxLines), "ceiling: lines changed per run"},
		{"LIFEOS_MAX_BYTES", num(ceil.MaxBytes), "ceiling: bytes of new content a run writes"},
		{"LIFEOS_CHEAP_MODEL", ceil.DefaultCheapModel, "the model used from 80% of a monthly budget"},
		{"LIFEOS_ALLOWED_MODELS", "any", "comma-separated models a repository may choose"},
		{policy.PricesSetting, "built in", "extra prices: model=input:output[:cached] (USD per million tokens) or model=free"},
		{"LIFEOS_WORKERS", "10", "runs worked at once by one process"},
		{"LIFEOS_SCHEDULE_MIN_INTERVAL", "1h", "the shortest time between two firings of one schedule"},
		{"LIFEOS_MAX_CI_FIXES", num(DefaultMaxCIFixes), "fix runs failed CI may start on one PR"},
		{"LIFEOS_DELETE_BRANCH", "true", "delete a LifeOS PR's branch once it is closed"},
		{"GITHUB_APP_CLIENT_ID", "empty (no login)", "the App's OAuth client ID: turns on GitHub login for /runs"},
		{"GITHUB_APP_CLIENT_SECRET", "required with the client ID", "a client secret from the App's settings page"},
		{"LIFEOS_SESSION_KEY", "required with the client ID", "at least 32 random bytes that sign session cookies"},
		{"LIFEOS_PUBLIC_URL", "required with the client ID", "the https URL people open LifeOS at"},
		{"LIFEOS_ADMIN_TOKEN", "empty (none)", "a bearer token (20+ characters) that sees every run"},
		{"LIFEOS_LEASE_TTL", "45s", "how long a running job's lease lasts past its last renewal"},
		{"LIFEOS_LEASE_RENEW", "10s (a third of LIFEOS_LEASE_TTL when only that is set)", "how often a worker renews its job's lease"},
		{"LIFEOS_SWEEP_INTERVAL", "5s", "how often the leader hands back the jobs of dead processes"},
		{"LOG_LEVEL", "info", "zerolog level (debug logs every GitHub request)"},
		{"LOG_FORMAT", LogJSON, "json (for a log collector) or console (for a terminal)"},
		{"GOMEMLIMIT", "160MiB", "Go's soft heap limit"},
	}
}
