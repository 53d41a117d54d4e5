package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoDatabase means there is no LifeOS database where the settings point.
var ErrNoDatabase = errors.New("no LifeOS database")

// OpenReadOnly opens the database named by databaseURL, or with an empty
// URL the SQLite file in dataDir, for reading only: it never creates the
// file, never migrates, and the connection refuses writes. It is for the
// operator's commands, which may run beside a serving process. A database
// LifeOS has not set up yet is ErrNoDatabase.
func OpenReadOnly(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	var db *DB
	var err error
	if databaseURL == "" {
		db, err = openSQLiteReadOnly(ctx, dataDir)
	} else {
		db, err = openPostgresReadOnly(ctx, databaseURL)
	}
	if err != nil {
		return nil, err
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM lifeos_runs WHERE id < 0`).Scan(&n); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: it has no runs table (has `lifeos serve` run against it?): %v", ErrNoDatabase, err)
	}
	return db, nil
}

func openSQLiteReadOnly(ctx context.Context, dataDir string) (*DB, error) {
	path := filepath.Join(dataDir, SQLiteFileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w at %s (set LIFEOS_DATA_DIR or DATABASE_URL as for serve): %v", ErrNoDatabase, path, err)
	}
	dsn := "file:" + path + "?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)&_time_format=sqlite"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s read-only: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s read-only: %w", path, err)
	}
	return &DB{DB: db, Dialect: SQLite}, nil
}

func openPostgresReadOnly(ctx context.Context, databaseURL string) (*DB, error) {
	if !strings.HasPrefix(databaseURL, "postgres://") && !strings.HasPrefix(databaseURL, "postgresql://") {
		return nil, fmt.Errorf("DATABASE_URL must start with postgres:// or postgresql:// (or be empty for the embedded SQLite file)")
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	// pgx sends unknown URL parameters as run-time parameters: every
	// transaction on these connections is read-only.
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{DB: db, Dialect: Postgres, URL: databaseURL}, nil
}
