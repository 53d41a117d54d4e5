package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles holds the schema as numbered goose SQL files, one directory
// per dialect. A schema change is a new numbered file in both directories,
// never an edit of an old one (see migrations/README.md).
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// VersionTable is where goose records the applied migrations. Its own name
// keeps it apart from River's migration tables in the same database.
const VersionTable = "lifeos_schema_version"

// migrationLockID is the PostgreSQL advisory lock held while migrating, so
// replicas that start together take turns and the later ones find nothing
// to do. It is LifeOS's own number (crc64-ECMA of "lifeos_schema_version"),
// not goose's default, so another goose-managed schema in the same database
// never waits on ours.
const migrationLockID int64 = -9059187220185544990

// migrationLockRetry and migrationLockTries bound the wait for another
// replica's migration: a try every second (goose's default is every 5s,
// slow for a migration that takes milliseconds), for up to 5 minutes.
const (
	migrationLockRetry = 1
	migrationLockTries = 300
)

// migrate runs the embedded migrations of db's dialect that have not run yet.
func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrationFiles, path.Join("migrations", string(db.Dialect)))
	if err != nil {
		return fmt.Errorf("migrate store: %w", err)
	}
	return db.migrateFS(ctx, fsys)
}

// migrateFS runs the goose migrations in fsys that have not run yet; an error
// names the migration that failed.
func (db *DB) migrateFS(ctx context.Context, fsys fs.FS) error {
	p, err := db.migrationProvider(fsys)
	if err != nil {
		return fmt.Errorf("migrate store: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		var partial *goose.PartialError
		if errors.As(err, &partial) {
			src := partial.Failed.Source
			return fmt.Errorf("migrate store: migration %s (version %d) failed: %w", path.Base(src.Path), src.Version, partial.Err)
		}
		return fmt.Errorf("migrate store: %w", err)
	}
	return nil
}

// migrationProvider returns a goose provider for db over fsys: no global
// state, LifeOS's version table, and on PostgreSQL a session advisory lock.
func (db *DB) migrationProvider(fsys fs.FS) (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{
		goose.WithTableName(VersionTable),
		goose.WithDisableGlobalRegistry(true),
		// Failures come back as errors; a successful start needs no lines.
		goose.WithLogger(goose.NopLogger()),
	}
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(migrationLockID),
			lock.WithLockTimeout(migrationLockRetry, migrationLockTries),
		)
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	// SQLite needs no lock: the file belongs to one process, which opens it
	// with a single connection.
	return goose.NewProvider(dialect, db.DB, fsys, opts...)
}
