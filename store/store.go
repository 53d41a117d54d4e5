// Package store keeps LifeOS's own records (runs and the model calls they made)
// in the same database as River's job tables: an embedded SQLite file by
// default, PostgreSQL when several replicas share the work.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite", pure Go

	"github.com/lifeos/lifeos/datadir"
)

// Dialect names the SQL database behind a Store.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// SQLiteFileName is the database file created in the data directory.
const SQLiteFileName = "lifeos.db"

// DB is an open database and its dialect.
type DB struct {
	*sql.DB
	Dialect Dialect
	// URL is the PostgreSQL connection string ("" for SQLite); River's
	// PostgreSQL driver opens its own pgx pool from it.
	URL string
}

// Open opens the database named by databaseURL, or with an empty URL the
// SQLite file in dataDir (created if needed), and runs the migrations it has
// not run yet (see migrations/README.md).
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	db, err := connect(ctx, databaseURL, dataDir)
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// connect opens the database named by databaseURL, or the SQLite file in
// dataDir, without migrating it.
func connect(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	if databaseURL == "" {
		return openSQLite(ctx, dataDir)
	}
	if !strings.HasPrefix(databaseURL, "postgres://") && !strings.HasPrefix(databaseURL, "postgresql://") {
		return nil, fmt.Errorf("DATABASE_URL must start with postgres:// or postgresql:// (or be empty for the embedded SQLite file)")
	}
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{DB: db, Dialect: Postgres, URL: databaseURL}, nil
}

func openSQLite(ctx context.Context, dataDir string) (*DB, error) {
	if err := datadir.Writable(dataDir); err != nil {
		return nil, err
	}
	path := filepath.Join(dataDir, SQLiteFileName)
	// WAL lets readers proceed beside the single writer; synchronous(FULL)
	// makes every commit durable, which is what "queued" promises GitHub.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_time_format=sqlite"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// SQLite allows one writer; one connection avoids SQLITE_BUSY between
	// River's maintenance and our own writes (River's documented advice).
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{DB: db, Dialect: SQLite}, nil
}

// Store reads and writes LifeOS's records.
type Store struct {
	db  *DB
	now func() time.Time
}

// New returns a Store over db; now is the clock (time.Now in production).
func New(db *DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}
