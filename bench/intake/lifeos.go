package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/server"
)

func numCPU() int { return runtime.GOMAXPROCS(0) }

// startLifeOS serves LifeOS, workers and all, on db ("sqlite" in a data
// directory under dir, or "postgres" in a schema of its own at pgURL),
// with GitHub a black hole. stop shuts it down and drops what it made.
func startLifeOS(dir, db, pgURL string) (string, func(), error) {
	github, closeGitHub, err := blackHole()
	if err != nil {
		return "", nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", nil, err
	}
	data := filepath.Join(dir, db)
	env := map[string]string{
		"GITHUB_APP_INTEGRATION_ID": "1",
		"GITHUB_APP_PRIVATE_KEY":    string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		"GITHUB_APP_WEBHOOK_SECRET": secret,
		"OPENAI_API_KEY":            "unused",
		"LIFEOS_DATA_DIR":           data,
		"GITHUB_V3_API_URL":         github,
		"OPENAI_BASE_URL":           github + "v1",
	}
	drop := func() {}
	if db == "postgres" {
		const schema = "lifeos_bench_intake"
		if err := resetSchema(pgURL, schema); err != nil {
			return "", nil, err
		}
		env["DATABASE_URL"] = withSchema(pgURL, schema)
		drop = func() { dropSchema(pgURL, schema) }
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(data, 0o750); err != nil {
		return "", nil, err
	}
	logFile, err := os.Create(filepath.Join(data, "lifeos.log"))
	if err != nil {
		return "", nil, err
	}
	// Production logging: info, JSON, through the same asynchronous writer
	// as `lifeos serve`, to a file.
	logOut := server.NewLogWriter(logFile)
	log := zerolog.New(logOut).With().Timestamp().Logger().Level(zerolog.InfoLevel)
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, log, server.Options{ShutdownGrace: time.Second})
	if err != nil {
		cancel()
		return "", nil, err
	}
	ln, err := listenTCP()
	if err != nil {
		cancel()
		return "", nil, err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	stop := func() {
		closeGitHub()
		cancel()
		<-served
		logOut.Close()
		logFile.Close()
		drop()
	}
	return "http://" + ln.Addr().String() + "/api/github/hook", stop, nil
}

// withSchema points a PostgreSQL URL at schema through search_path.
func withSchema(pgURL, schema string) string {
	u, err := url.Parse(pgURL)
	if err != nil {
		return pgURL
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func resetSchema(pgURL, schema string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE; CREATE SCHEMA "+schema)
	return err
}

func dropSchema(pgURL, schema string) {
	ctx := context.Background()
	if conn, err := pgx.Connect(ctx, pgURL); err == nil {
		conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") //nolint:errcheck // best effort
		conn.Close(ctx)
	}
}

// profile starts a CPU profile into dir/name.pprof when dir is set.
func profile(dir, name string) (func(), error) {
	if dir == "" {
		return func() {}, nil
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		os.WriteFile(filepath.Join(dir, name+".pprof"), buf.Bytes(), 0o600) //nolint:errcheck // a benchmark's by-product
	}, nil
}
