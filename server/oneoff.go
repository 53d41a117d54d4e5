package server

import (
	"context"
	"fmt"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/runner"
	"github.com/lifeos/lifeos/store"
)

// OneOff is what a terminal run (`lifeos run`) works with: the runner over
// the real ports, built as New builds the server's, with no queue and no
// HTTP, and the repository it runs on.
type OneOff struct {
	Runner *runner.Runner
	Repo   jobs.Repo
	db     *store.DB
}

// NewOneOff opens and migrates cfg's database, reads the App's identity,
// locates owner/name through the App's installation, and builds the
// runner. wrap, if set, stands between the workflows and GitHub (a dry run
// holds back the writes). Close the OneOff when done.
func NewOneOff(ctx context.Context, cfg *config.Config, log zerolog.Logger, owner, name string, wrap func(runner.GitHub) runner.GitHub) (*OneOff, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	o, err := newOneOff(ctx, cfg, log, db, owner, name, wrap)
	if err != nil {
		db.Close()
		return nil, err
	}
	return o, nil
}

func newOneOff(ctx context.Context, cfg *config.Config, log zerolog.Logger, db *store.DB, owner, name string, wrap func(runner.GitHub) runner.GitHub) (*OneOff, error) {
	clients, err := gh.NewClients(gh.Config{
		V3APIURL: cfg.V3APIURL, V4APIURL: cfg.V4APIURL, IntegrationID: cfg.IntegrationID,
		PrivateKey: cfg.PrivateKey, WebhookSecret: cfg.WebhookSecret, UserAgent: "lifeos/" + cfg.Version,
	})
	if err != nil {
		return nil, err
	}
	app, err := readIdentity(ctx, clients, cfg.AppSlug, log)
	if err != nil {
		return nil, err
	}
	repo, err := clients.Locate(ctx, owner, name)
	if err != nil {
		return nil, err
	}
	run := newRunner(cfg, Options{}, store.New(db, nil), clients, app, log)
	run.Leases = nil // no job, so no lease
	if wrap != nil {
		real := run.GitHub
		run.GitHub = func(r jobs.Repo) (runner.GitHub, error) {
			g, err := real(r)
			if err != nil {
				return nil, fmt.Errorf("reach %s: %w", r.FullName(), err)
			}
			return wrap(g), nil
		}
	}
	return &OneOff{Runner: run, Repo: repo, db: db}, nil
}

// Close closes the database.
func (o *OneOff) Close() error { return o.db.Close() }
