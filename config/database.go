package config

import "strings"

// Database names the database LifeOS keeps its records in: a PostgreSQL URL,
// or with an empty URL the SQLite file in DataDir.
type Database struct {
	URL     string
	DataDir string
}

// LoadDatabase reads just the database settings (DATABASE_URL and
// LIFEOS_DATA_DIR), for commands that read the records on this machine
// without the GitHub App's settings. It is the one reader of those two
// variables: Load takes their values from it.
func LoadDatabase(getenv func(string) string) (Database, error) {
	d := Database{
		URL:     getenv("DATABASE_URL"),
		DataDir: orDefault(getenv("LIFEOS_DATA_DIR"), DefaultDataDir),
	}
	if d.URL != "" && !strings.HasPrefix(d.URL, "postgres://") && !strings.HasPrefix(d.URL, "postgresql://") {
		return d, &Error{"DATABASE_URL", "must be a postgres:// URL, or empty for the embedded SQLite file"}
	}
	return d, nil
}
