package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/lifeos/lifeos/store"
)

// FailedJobsWindow is how far back the health check looks for jobs River
// gave up on: long enough to catch a run that failed since the last
// scrape or page load, short enough that one bad hour does not linger.
const FailedJobsWindow = 15 * time.Minute

// healthTimeout bounds the database checks of one health request.
const healthTimeout = 2 * time.Second

// healthResponse is the body of GET /api/health.
type healthResponse struct {
	// Status is ok, degraded (working, with Reasons), unavailable (the
	// database cannot be reached) or draining.
	Status   string   `json:"status"`
	Reasons  []string `json:"reasons,omitempty"`
	Version  string   `json:"version"`
	Build    build    `json:"build"`
	Database string   `json:"database"`
}

// build is what the binary says of its source.
type build struct {
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go,omitempty"`
}

// signals are what the health check found, each independent of the rest.
type signals struct {
	draining bool
	// reachErr is the database ping's error; writeErr a write's.
	reachErr, writeErr error
	githubRejected     bool
	modelFailing       bool
	// failedJobs counted in FailedJobsWindow; failedErr if uncounted.
	failedJobs int64
	failedErr  error
	// startup are the start-up checks' failures, each a line with its
	// cause and fix.
	startup []string
}

// assess turns the signals into a status, its reasons and the HTTP code:
// 503 only when this replica should get no traffic (draining, or no
// database); a degraded server still takes deliveries and answers 200.
func assess(sig signals) (status string, reasons []string, code int) {
	switch {
	case sig.draining:
		return "draining", nil, http.StatusServiceUnavailable
	case sig.reachErr != nil:
		return "unavailable", []string{"database unreachable: " + sig.reachErr.Error()}, http.StatusServiceUnavailable
	}
	if sig.writeErr != nil {
		reasons = append(reasons, "database unwritable: "+sig.writeErr.Error())
	}
	reasons = append(reasons, sig.startup...)
	if sig.githubRejected {
		reasons = append(reasons, "GitHub credentials rejected: the latest GitHub answer was 401")
	}
	if sig.modelFailing {
		reasons = append(reasons, "model endpoint unreachable: the latest model call failed")
	}
	if sig.failedErr != nil {
		reasons = append(reasons, "jobs unknown: "+sig.failedErr.Error())
	} else if sig.failedJobs > 0 {
		reasons = append(reasons, fmt.Sprintf("jobs failing: %d failed for good in the last %s", sig.failedJobs, FailedJobsWindow))
	}
	if len(reasons) > 0 {
		return "degraded", reasons, http.StatusOK
	}
	return "ok", nil, http.StatusOK
}

// health reports ok, degraded with its reasons, unavailable without a
// database, or 503 "draining" once the server is shutting down.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	sig := signals{draining: s.draining.Load()}
	if !sig.draining {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		sig.reachErr = s.db.PingContext(ctx)
		if sig.reachErr == nil {
			sig.writeErr = writeProbe(ctx, s.db.DB)
			sig.failedJobs, sig.failedErr = s.jobs.FailedSince(ctx, FailedJobsWindow)
		}
		sig.githubRejected, sig.modelFailing = s.metrics.GitHubRejected(), s.metrics.ModelFailing()
		sig.startup = s.checks.reasons()
	}
	status, reasons, code := assess(sig)
	bi, ok := debug.ReadBuildInfo()
	version, b := buildOf(s.cfg.Version, bi, ok)
	resp := healthResponse{Status: status, Reasons: reasons, Version: version, Build: b, Database: string(s.db.Dialect)}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(resp)
}

// writeProbe writes to the database and rolls the write back: a row of
// the schema's version table is rewritten with its own value, which needs
// the write lock (SQLite) or a writable primary (PostgreSQL).
func writeProbe(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	q := `UPDATE ` + store.VersionTable + ` SET version_id = version_id WHERE id = (SELECT MAX(id) FROM ` + store.VersionTable + `)`
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// buildOf is the version to report and the build it came from: the set
// version, or when none was (empty or "dev") the VCS revision Go stamped
// into the binary.
func buildOf(version string, bi *debug.BuildInfo, ok bool) (string, build) {
	var b build
	if ok && bi != nil {
		b.Go = bi.GoVersion
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				b.Revision = kv.Value
			case "vcs.time":
				b.Time = kv.Value
			case "vcs.modified":
				b.Modified = kv.Value == "true"
			}
		}
	}
	if (version == "" || version == "dev") && b.Revision != "" {
		version = b.Revision[:min(12, len(b.Revision))]
		if b.Modified {
			version += "-dirty"
		}
	}
	return version, b
}
