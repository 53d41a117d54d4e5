package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/demo"
	"github.com/lifeos/lifeos/server"
)

// defaultDemoAddr is where the demo serves: loopback only, on serve's
// default port.
const defaultDemoAddr = "127.0.0.1:8080"

// demoCommand runs `lifeos demo` (package demo).
func demoCommand(c *cli, args []string) int {
	f := newFlags("demo", 0)
	once := f.Bool("once", false, "exit once the run has ended, rather than serving the run pages until ^C")
	addr := f.String("addr", defaultDemoAddr, "address to serve on (127.0.0.1:0 for any free port)")
	dataDir := f.String("data-dir", "", "a new directory to keep the demo's SQLite database in (default: a temporary one, removed at the end)")
	if _, code, ok := f.parse(c, args); !ok {
		return code
	}
	model, useModel, err := config.LoadDemoModel(c.getenv)
	if err != nil {
		fmt.Fprintf(c.stderr, "lifeos: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	v, _ := server.Version(version)
	err = demo.Run(ctx, demo.Options{Addr: *addr, DataDir: *dataDir, Once: *once, Model: model, UseModel: useModel,
		Version: v, Out: c.stdout})
	if err != nil {
		fmt.Fprintf(c.stderr, "lifeos demo: %v\n", err)
		return 1
	}
	return 0
}
