package store

import (
	"context"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lifeos/lifeos/internal/testdb"
	"github.com/lifeos/lifeos/policy"
)

// legacyStatements is a copy of the schema list the store ran at every start
// before versioned migrations, with {{id}} and {{ts}} for the types that
// differ by dialect. It makes the databases that migration 1 must upgrade.
var legacyStatements = []string{
	`CREATE TABLE IF NOT EXISTS lifeos_runs (
		id {{id}},
		repo TEXT NOT NULL,
		installation_id BIGINT NOT NULL,
		issue_number INTEGER NOT NULL,
		delivery_id TEXT NOT NULL,
		job_id BIGINT NOT NULL DEFAULT 0,
		trigger TEXT NOT NULL,
		actor TEXT NOT NULL,
		status TEXT NOT NULL,
		model TEXT NOT NULL DEFAULT '',
		turns INTEGER NOT NULL DEFAULT 0,
		prompt_tokens BIGINT NOT NULL DEFAULT 0,
		completion_tokens BIGINT NOT NULL DEFAULT 0,
		total_tokens BIGINT NOT NULL DEFAULT 0,
		branch TEXT NOT NULL DEFAULT '',
		commit_sha TEXT NOT NULL DEFAULT '',
		pr_number INTEGER NOT NULL DEFAULT 0,
		summary TEXT NOT NULL DEFAULT '',
		error TEXT NOT NULL DEFAULT '',
		transcript TEXT NOT NULL DEFAULT '',
		created_at {{ts}} NOT NULL,
		started_at {{ts}},
		finished_at {{ts}}
	)`,
	// A redelivery of the same webhook never makes a second run.
	`CREATE UNIQUE INDEX IF NOT EXISTS lifeos_runs_delivery ON lifeos_runs (delivery_id)`,
	// At most one active run per issue, whichever replica works it.
	`CREATE UNIQUE INDEX IF NOT EXISTS lifeos_runs_active ON lifeos_runs (repo, issue_number)
		WHERE status IN ('queued', 'running')`,
	`CREATE INDEX IF NOT EXISTS lifeos_runs_issue ON lifeos_runs (repo, issue_number, id)`,
	`CREATE TABLE IF NOT EXISTS lifeos_model_calls (
		run_id BIGINT NOT NULL REFERENCES lifeos_runs (id),
		seq INTEGER NOT NULL,
		model TEXT NOT NULL,
		prompt_tokens BIGINT NOT NULL,
		completion_tokens BIGINT NOT NULL,
		total_tokens BIGINT NOT NULL,
		created_at {{ts}} NOT NULL,
		PRIMARY KEY (run_id, seq)
	)`,
	// A /lifeos stop for a run, seen by whichever replica works it.
	`CREATE TABLE IF NOT EXISTS lifeos_cancels (
		run_id BIGINT PRIMARY KEY REFERENCES lifeos_runs (id),
		actor TEXT NOT NULL,
		created_at {{ts}} NOT NULL
	)`,
	// What each model call cost, by month: the budget ledger. Stored,
	// so a restart never resets a month's spending.
	`CREATE TABLE IF NOT EXISTS lifeos_ledger (
		run_id BIGINT NOT NULL REFERENCES lifeos_runs (id),
		seq INTEGER NOT NULL,
		repo TEXT NOT NULL,
		installation_id BIGINT NOT NULL,
		month TEXT NOT NULL,
		model TEXT NOT NULL,
		cost_micros BIGINT NOT NULL,
		created_at {{ts}} NOT NULL,
		PRIMARY KEY (run_id, seq)
	)`,
	`CREATE INDEX IF NOT EXISTS lifeos_ledger_repo ON lifeos_ledger (repo, month)`,
	`CREATE INDEX IF NOT EXISTS lifeos_ledger_installation ON lifeos_ledger (installation_id, month)`,
	// The files each pushed run changed, for auto-merge bounds.
	`CREATE TABLE IF NOT EXISTS lifeos_run_changes (
		run_id BIGINT NOT NULL REFERENCES lifeos_runs (id),
		path TEXT NOT NULL,
		deleted BOOLEAN NOT NULL,
		added INTEGER NOT NULL,
		removed INTEGER NOT NULL,
		PRIMARY KEY (run_id, path)
	)`,
	// An issue's title and body as they were when a person with write
	// access asked for the work: later runs take the task from here, so
	// an edit made after the trigger never reaches the prompt.
	`CREATE TABLE IF NOT EXISTS lifeos_issue_texts (
		repo TEXT NOT NULL,
		issue_number INTEGER NOT NULL,
		title TEXT NOT NULL,
		body TEXT NOT NULL,
		author TEXT NOT NULL,
		taken_at {{ts}} NOT NULL,
		PRIMARY KEY (repo, issue_number)
	)`,
	// Commands acknowledged (role checked, 👀 given), by delivery.
	`CREATE TABLE IF NOT EXISTS lifeos_acks (
		delivery_id TEXT PRIMARY KEY,
		role TEXT NOT NULL,
		issue_number INTEGER NOT NULL,
		pr_number INTEGER NOT NULL,
		created_at {{ts}} NOT NULL
	)`,
	// Jobs waiting for an issue's active run to end; the run's end
	// wakes them.
	`CREATE TABLE IF NOT EXISTS lifeos_waiters (
		job_id BIGINT PRIMARY KEY,
		repo TEXT NOT NULL,
		issue_number INTEGER NOT NULL,
		created_at {{ts}} NOT NULL
	)`,
	// Every policy decision of a run, allowed or not: the audit trail.
	`CREATE TABLE IF NOT EXISTS lifeos_decisions (
		run_id BIGINT NOT NULL REFERENCES lifeos_runs (id),
		seq INTEGER NOT NULL,
		allow BOOLEAN NOT NULL,
		rule TEXT NOT NULL,
		reason TEXT NOT NULL,
		created_at {{ts}} NOT NULL,
		PRIMARY KEY (run_id, seq)
	)`,
	// One row per LifeOS PR head commit whose CI failed: what was done.
	`CREATE TABLE IF NOT EXISTS lifeos_ci_attempts (
		repo TEXT NOT NULL,
		pr_number INTEGER NOT NULL,
		head_sha TEXT NOT NULL,
		signature TEXT NOT NULL,
		action TEXT NOT NULL,
		created_at {{ts}} NOT NULL,
		PRIMARY KEY (repo, pr_number, head_sha)
	)`,
	// How each LifeOS PR ended, per repo: the autonomy statistics.
	`CREATE TABLE IF NOT EXISTS lifeos_outcomes (
		repo TEXT NOT NULL,
		pr_number INTEGER NOT NULL,
		issue_number INTEGER NOT NULL,
		outcome TEXT NOT NULL,
		actor TEXT NOT NULL,
		created_at {{ts}} NOT NULL,
		PRIMARY KEY (repo, pr_number)
	)`,
}

// legacySchema returns legacyStatements for dialect d.
func legacySchema(d Dialect) []string {
	r := strings.NewReplacer("{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{ts}}", "TIMESTAMP")
	if d == Postgres {
		r = strings.NewReplacer("{{id}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "{{ts}}", "TIMESTAMPTZ")
	}
	out := make([]string, len(legacyStatements))
	for i, stmt := range legacyStatements {
		out[i] = r.Replace(stmt)
	}
	return out
}

// target is a database a migration test opens: the SQLite file in dir, or
// the PostgreSQL schema behind url.
type target struct {
	name, url, dir string
}

// testTargets returns a fresh SQLite directory and, when
// LIFEOS_TEST_DATABASE_URL is set, a fresh PostgreSQL schema named schema.
func testTargets(t *testing.T, schema string) []target {
	t.Helper()
	out := []target{{name: "sqlite", dir: t.TempDir()}}
	if url := testdb.PostgresURL(t, schema); url != "" {
		out = append(out, target{name: "postgres", url: url})
	}
	return out
}

// open opens tg with the current code (migrating it) and closes it at the
// end of the test.
func (tg target) open(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), tg.url, tg.dir)
	if err != nil {
		t.Fatalf("%s: open: %v", tg.name, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openAt opens tg migrated only up to version, for comparing one
// migration's schema.
func (tg target) openAt(t *testing.T, version int64) *DB {
	t.Helper()
	db, err := connect(context.Background(), tg.url, tg.dir)
	if err != nil {
		t.Fatalf("%s: connect: %v", tg.name, err)
	}
	t.Cleanup(func() { db.Close() })
	fsys, err := fs.Sub(migrationFiles, path.Join("migrations", string(db.Dialect)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.migrationProvider(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatalf("%s: migrate up to %d: %v", tg.name, version, err)
	}
	return db
}

// makeLegacy creates tg's tables the way the previous version did, with one
// run in them, and returns that run's id.
func (tg target) makeLegacy(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := connect(ctx, tg.url, tg.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, stmt := range legacySchema(db.Dialect) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("legacy statement %d: %v", i+1, err)
		}
	}
	run, err := New(db, nil).StartRun(ctx, NewRun{Repo: "o/r", InstallationID: 7, IssueNumber: 3,
		DeliveryID: "legacy", JobID: 1, Trigger: "label", Actor: "alice", Status: StatusRunning})
	if err != nil {
		t.Fatal(err)
	}
	return run.ID
}

// schemaVersion returns the highest version in the version table.
func schemaVersion(t *testing.T, db *DB) int64 {
	t.Helper()
	var v int64
	if err := db.QueryRowContext(context.Background(), `SELECT MAX(version_id) FROM `+VersionTable).Scan(&v); err != nil {
		t.Fatalf("read schema version: %v", err)
	}
	return v
}

// latestVersion is the number of the newest embedded migration.
// migrationCount is how many migrations there are (versions may skip
// numbers).
func migrationCount(t *testing.T) int {
	t.Helper()
	names, err := fs.Glob(migrationFiles, "migrations/sqlite/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	return len(names)
}

func latestVersion(t *testing.T) int64 {
	t.Helper()
	names, err := fs.Glob(migrationFiles, "migrations/sqlite/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded migrations: %v, %v", names, err)
	}
	number, _, _ := strings.Cut(path.Base(names[len(names)-1]), "_")
	v, err := strconv.ParseInt(number, 10, 64)
	if err != nil {
		t.Fatalf("migration %s: %v", names[len(names)-1], err)
	}
	return v
}

func TestMonthKeyMatchesPolicy(t *testing.T) {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		newYork = time.FixedZone("EST", -5*3600)
	}
	for _, at := range []time.Time{
		time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 8, 0, 0, 0, time.UTC),
		// Still January in New York, already February in UTC.
		time.Date(2026, 1, 31, 22, 30, 0, 0, newYork),
		// Already March in Tokyo, still February in UTC.
		time.Date(2026, 3, 1, 3, 0, 0, 0, time.FixedZone("JST", 9*3600)),
	} {
		if got, want := monthKey(at), policy.Month(at); got != want {
			t.Errorf("monthKey(%s) = %q, policy.Month = %q", at, got, want)
		}
	}
}

func TestOpenUpgradesLegacyDatabase(t *testing.T) {
	ctx := context.Background()
	for _, tg := range testTargets(t, "lifeos_store_legacy") {
		t.Run(tg.name, func(t *testing.T) {
			id := tg.makeLegacy(t)
			for i := range 2 { // the upgrade, then a restart
				db := tg.open(t)
				if v := schemaVersion(t, db); v != latestVersion(t) {
					t.Fatalf("open %d: schema version = %d, want %d", i+1, v, latestVersion(t))
				}
				run, err := New(db, nil).Run(ctx, id)
				if err != nil || run.DeliveryID != "legacy" {
					t.Fatalf("open %d: legacy run = %+v, %v", i+1, run, err)
				}
				db.Close()
			}
		})
	}
}

func TestMigrationOneIsTheLegacySchema(t *testing.T) {
	// Both calls give the same dialects in the same order.
	legacy, fresh := testTargets(t, "lifeos_store_schema_old"), testTargets(t, "lifeos_store_schema_new")
	for i, tg := range legacy {
		t.Run(tg.name, func(t *testing.T) {
			tg.makeLegacy(t)
			old, err := connect(context.Background(), tg.url, tg.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer old.Close()
			got, want := describeSchema(t, fresh[i].openAt(t, 1)), describeSchema(t, old)
			if len(got) == 0 || !slices.Equal(got, want) {
				t.Fatalf("migrated schema differs from the legacy one:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// describeSchema lists LifeOS's tables, columns, indexes and constraints in
// a form that two databases with the same schema share, version table left
// out.
func describeSchema(t *testing.T, db *DB) []string {
	t.Helper()
	q := `SELECT type || ' ' || name || ' ' || sql FROM sqlite_master
		WHERE name LIKE 'lifeos_%' AND name != '` + VersionTable + `' AND sql IS NOT NULL`
	if db.Dialect == Postgres {
		q = `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' ||
				COALESCE(column_default, '') || ' ' || is_identity
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name LIKE 'lifeos_%'
				AND table_name != '` + VersionTable + `'
			UNION ALL SELECT 'index ' || replace(indexdef, schemaname || '.', '') FROM pg_indexes
			WHERE schemaname = current_schema() AND tablename LIKE 'lifeos_%' AND tablename != '` + VersionTable + `'
			UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
			FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
				AND conrelid::regclass::text LIKE 'lifeos_%' AND conrelid::regclass::text != '` + VersionTable + `'`
	}
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("describe schema: %v", err)
	}
	defer rows.Close()
	space := regexp.MustCompile(`\s+`)
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		out = append(out, space.ReplaceAllString(line, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestOpenAgainDoesNothing(t *testing.T) {
	for _, tg := range testTargets(t, "lifeos_store_reopen") {
		t.Run(tg.name, func(t *testing.T) {
			first := tg.open(t)
			applied := versionRows(t, first)
			first.Close()
			if again := versionRows(t, tg.open(t)); again != applied {
				t.Fatalf("version rows after a restart = %d, want %d", again, applied)
			}
		})
	}
}

// versionRows counts the rows of the version table.
func versionRows(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+VersionTable).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReplicasOpenPostgresTogether(t *testing.T) {
	url := testdb.PostgresURL(t, "lifeos_store_replicas")
	if url == "" {
		t.Skip("needs PostgreSQL")
	}
	const replicas = 4
	errs := make([]error, replicas)
	dbs := make([]*DB, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { dbs[i], errs[i] = Open(context.Background(), url, "") })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	if v := schemaVersion(t, dbs[0]); v != latestVersion(t) {
		t.Fatalf("schema version = %d, want %d", v, latestVersion(t))
	}
	// Each migration recorded once, plus goose's version-0 row.
	if n := versionRows(t, dbs[0]); n != migrationCount(t)+1 {
		t.Fatalf("version rows = %d, want %d", n, migrationCount(t)+1)
	}
}

func TestMigrationErrorNamesTheMigration(t *testing.T) {
	for _, tg := range testTargets(t, "lifeos_store_broken") {
		t.Run(tg.name, func(t *testing.T) {
			db := tg.open(t)
			fsys := fstest.MapFS{"00900_broken.sql": {Data: []byte("-- +goose Up\nCREATE TABLE lifeos_broken (;\n")}}
			if err := copyMigrations(fsys, db.Dialect); err != nil {
				t.Fatal(err)
			}
			err := db.migrateFS(context.Background(), fsys)
			if err == nil || !strings.Contains(err.Error(), "00900_broken.sql") {
				t.Fatalf("err = %v, want one naming 00900_broken.sql", err)
			}
			if v := schemaVersion(t, db); v != latestVersion(t) {
				t.Fatalf("schema version after the failure = %d, want %d", v, latestVersion(t))
			}
		})
	}
}

// copyMigrations adds the embedded migrations of dialect d to fsys.
func copyMigrations(fsys fstest.MapFS, d Dialect) error {
	dir := path.Join("migrations", string(d))
	entries, err := migrationFiles.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		data, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		fsys[e.Name()] = &fstest.MapFile{Data: data}
	}
	return nil
}

func TestDialectsHaveTheSameMigrations(t *testing.T) {
	names := func(d Dialect) []string {
		entries, err := migrationFiles.ReadDir(path.Join("migrations", string(d)))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	if s, p := names(SQLite), names(Postgres); !slices.Equal(s, p) {
		t.Fatalf("sqlite migrations %v, postgres migrations %v: a change goes in both", s, p)
	}
}
