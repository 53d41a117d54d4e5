package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"net"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/server"
	"github.com/lifeos/lifeos/setup"
)

// appManifest is app.yml, the App's manifest, as set-up mode posts it.
//
//go:embed app.yml
var appManifest []byte

// registerFirst serves set-up mode on ln until the App is registered, then
// loads the configuration again, now with the stored credentials, and the
// log writer and logger that blank its new secrets.
func registerFirst(ctx context.Context, cfg *config.Config, getenv func(string) string, ln net.Listener, log zerolog.Logger, stderr io.Writer) (*config.Config, io.WriteCloser, zerolog.Logger, error) {
	h, err := setup.New(cfg, setup.Options{Manifest: appManifest, Terminal: stderr, Log: log, UserAgent: "lifeos/" + cfg.Version})
	if err != nil {
		return nil, nil, log, err
	}
	if err := setup.Serve(ctx, h, ln); err != nil {
		return nil, nil, log, err
	}
	version := cfg.Version
	if cfg, err = config.Load(getenv); err != nil {
		return nil, nil, log, fmt.Errorf("load the registered App: %w", err)
	}
	cfg.Version = version
	logOut := server.NewLogWriter(stderr, server.LogSecrets(cfg)...)
	return cfg, logOut, server.NewLogger(logOut, cfg), nil
}
