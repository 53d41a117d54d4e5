package server

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/store"
)

// startupChecks are the failures of the checks made at start-up (the
// App's credentials, the model endpoint), each one line with its cause
// and fix, until a later check of the same thing passes. Health reports
// them as degraded reasons.
type startupChecks struct {
	mu     sync.Mutex
	failed map[string]string
}

func (c *startupChecks) record(name string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed == nil {
		c.failed = map[string]string{}
	}
	if err == nil {
		delete(c.failed, name)
		return
	}
	c.failed[name] = err.Error()
}

// reasons are the failures, in a stable order.
func (c *startupChecks) reasons() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.failed {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// knownSlug is the App's slug when start-up knows it without GitHub: the
// LIFEOS_APP_SLUG override, or the slug the manifest flow stored.
func knownSlug(cfg *config.Config) string {
	if cfg.AppSlug != "" {
		return cfg.AppSlug
	}
	if cfg.Stored != nil {
		return cfg.Stored.Slug
	}
	return ""
}

// startIdentity is the App's identity. With the slug known it does not
// wait for GitHub: GET /app checks the credentials in the background and a
// failure is logged in one line and reported by health. With no slug known
// it must ask first (the slug is how LifeOS tells its own PRs and comments
// from people's), so a failure stops start-up.
func startIdentity(ctx context.Context, cfg *config.Config, clients *gh.Clients, checks *startupChecks, log zerolog.Logger) (gh.Identity, error) {
	slug := knownSlug(cfg)
	if slug == "" {
		return readIdentity(ctx, clients, "", log)
	}
	go func() {
		id, err := readIdentity(ctx, clients, cfg.AppSlug, log)
		checks.record("github", err)
		switch {
		case err != nil:
			log.Error().Err(err).Msg("GitHub App check failed at start-up")
		case id.Slug != slug:
			log.Warn().Str("stored", slug).Str("github", id.Slug).Msg("The App's slug on GitHub differs from the stored one; set LIFEOS_APP_SLUG or register again")
		}
	}()
	id := gh.Identity{ID: cfg.IntegrationID, Slug: slug}
	if cfg.Stored != nil {
		id.Name = cfg.Stored.Name
	}
	return id, nil
}

// checkModel asks the model endpoint for its models in the background; a
// failure is logged in one line and reported by health, and a list that
// lacks a configured model is a warning.
func checkModel(ctx context.Context, cfg *config.Config, checks *startupChecks, log zerolog.Logger) {
	go func() {
		ctx, cancel := context.WithTimeout(ctx, agent.CheckTimeout)
		defer cancel()
		models, err := agent.CheckEndpoint(ctx, cfg.OpenAIBaseURL, cfg.OpenAIAPIKey)
		checks.record("model", err)
		if err != nil {
			log.Error().Err(err).Msg("Model endpoint check failed at start-up")
			return
		}
		for _, m := range []string{cfg.Model, cfg.Ceilings.DefaultCheapModel} {
			if m != "" && len(models) > 0 && !slices.Contains(models, m) {
				log.Warn().Str("model", m).Strs("listed", models).Msg("The model endpoint does not list this model: set LIFEOS_MODEL / LIFEOS_CHEAP_MODEL to one it serves")
			}
		}
	}()
}

// logSettings writes the one start-up line of the effective settings.
// It names no secret: no key, no token, no password (a DATABASE_URL is
// reduced to its host and database).
func logSettings(log zerolog.Logger, cfg *config.Config, app gh.Identity) {
	endpoint := cfg.OpenAIBaseURL
	if endpoint == "" {
		endpoint = agent.DefaultBaseURL
	}
	c := cfg.Ceilings
	log.Info().Int64("app_id", app.ID).Str("app_slug", app.Slug).Str("app_name", app.Name).Str("credentials", cfg.CredentialsFrom).
		Str("github_api", cfg.V3APIURL).Str("model_endpoint", redactURL(endpoint)).Str("model", cfg.Model).Str("cheap_model", c.DefaultCheapModel).
		Str("label", cfg.TriggerLabel).Str("database", describeDatabase(cfg)).
		Str("max_cost_per_run", c.MaxCostPerRun.String()).Str("monthly_budget", c.MonthlyBudgetRepo.String()).
		Str("monthly_budget_installation", c.MonthlyBudgetInstallation.String()).Int("max_autonomy", c.MaxAutonomy).
		Int("max_turns", c.MaxTurns).Int("max_minutes", c.MaxMinutes).Bool("login", cfg.Web.LoginEnabled()).
		Msg("LifeOS settings")
}

// describeDatabase names the database without credentials.
func describeDatabase(cfg *config.Config) string {
	if cfg.DatabaseURL == "" {
		return "sqlite " + filepath.Join(cfg.DataDir, store.SQLiteFileName)
	}
	return "postgres " + redactURL(cfg.DatabaseURL)
}

// redactURL is u's scheme, host and path: no user, password or query.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
