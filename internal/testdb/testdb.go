// Package testdb gives tests a PostgreSQL database of their own when
// LIFEOS_TEST_DATABASE_URL names a server, so packages tested in parallel
// never share tables.
package testdb

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// EnvVar names the PostgreSQL server tests may use.
const EnvVar = "LIFEOS_TEST_DATABASE_URL"

// PostgresURL returns a URL whose search_path is a fresh schema named
// schema, or "" (after logging how to enable it) when EnvVar is unset.
func PostgresURL(t testing.TB, schema string) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		t.Logf("PostgreSQL not tested: set %s=postgres://postgres@127.0.0.1:5432/test to run this against PostgreSQL too", EnvVar)
		return ""
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvVar, err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, stmt := range []string{`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`, `CREATE SCHEMA ` + schema} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("prepare schema %s: %v", schema, err)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvVar, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
