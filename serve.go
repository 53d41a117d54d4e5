package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/runner"
	"github.com/lifeos/lifeos/server"
)

// serveCommand runs `lifeos serve`: the server, configured by the
// environment, until SIGINT or SIGTERM.
func serveCommand(c *cli, args []string) int {
	if _, code, ok := newFlags("serve", 0).parse(c, args); !ok {
		return code
	}
	cfg, err := config.Load(c.getenv)
	unregistered := errors.Is(err, config.ErrNoApp)
	if err != nil && !unregistered {
		fmt.Fprintf(c.stderr, "lifeos: %v\n", err)
		return 2
	}
	cfg.Version, _ = server.Version(version)
	setMemoryLimit(cfg.MemoryLimit)
	logOut := server.NewLogWriter(c.stderr, server.LogSecrets(cfg)...)
	defer func() { logOut.Close() }()
	log := server.NewLogger(logOut, cfg)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		log.Error().Err(err).Msg("Listen failed")
		return 1
	}
	if unregistered {
		setupOut := logOut
		if cfg, logOut, log, err = registerFirst(ctx, cfg, c.getenv, ln, log, c.stderr); err != nil {
			logOut = setupOut
			if errors.Is(err, context.Canceled) {
				return 0 // stopped before an App was registered
			}
			log.Error().Err(err).Msg("Set-up failed")
			return 1
		}
		setupOut.Close()
	}
	srv, err := server.New(ctx, cfg, log, server.Options{
		Leases:        runner.LeaseTimes{Renew: cfg.LeaseRenew, TTL: cfg.LeaseTTL},
		SweepInterval: cfg.SweepInterval,
	})
	if err != nil {
		ln.Close()
		log.Error().Err(err).Msg("Start-up failed")
		return 1
	}
	if err := srv.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		log.Error().Err(err).Msg("Server stopped with an error")
		return 1
	}
	return 0
}

// DefaultMemoryLimit is the Go heap's soft limit when GOMEMLIMIT is unset:
// sized for the smallest Fly machine (256 MB) with ten runs on 10 MB
// repositories. Without it the heap may grow to twice what is live before
// the collector runs. Set GOMEMLIMIT (e.g. 1GiB) for more workers or
// larger repositories; the limit is soft, so exceeding it costs CPU, not a
// crash.
const DefaultMemoryLimit = 160 << 20

func setMemoryLimit(gomemlimit string) {
	if gomemlimit == "" {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
}
