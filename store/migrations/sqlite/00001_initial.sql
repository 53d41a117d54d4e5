-- LifeOS's schema as it was before versioned migrations (the list of
-- statements the store ran at every start). Every statement says IF NOT
-- EXISTS, so on a database made by that version this migration changes
-- nothing and only records version 1.
--
-- Never edit this file: a schema change is a new numbered file in both
-- dialect directories (see ../README.md).

-- +goose Up
CREATE TABLE IF NOT EXISTS lifeos_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
  created_at TIMESTAMP NOT NULL,
  started_at TIMESTAMP,
  finished_at TIMESTAMP
);

-- A redelivery of the same webhook never makes a second run.
CREATE UNIQUE INDEX IF NOT EXISTS lifeos_runs_delivery ON lifeos_runs (delivery_id);

-- At most one active run per issue, whichever replica works it.
CREATE UNIQUE INDEX IF NOT EXISTS lifeos_runs_active ON lifeos_runs (repo, issue_number)
  WHERE status IN ('queued', 'running');

CREATE INDEX IF NOT EXISTS lifeos_runs_issue ON lifeos_runs (repo, issue_number, id);

CREATE TABLE IF NOT EXISTS lifeos_model_calls (
  run_id BIGINT NOT NULL REFERENCES lifeos_runs (id),
  seq INTEGER NOT NULL,
  model TEXT NOT NULL,
  prompt_tokens BIGINT NOT NULL,
  completion_tokens BIGINT NOT NULL,
  total_tokens BIGINT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  PRIMARY KEY (run_id, seq)
);

-- A /lifeos stop for a run, seen by whichever replica works it.
CREATE TABLE IF NOT EXISTS lifeos_cancels (
  run_id BIGINT PRIMARY KEY REFERENCES lifeos_runs (id),
  actor TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);

-- What each model call cost, by month: the budget ledger. Stored,
-- so a restart never resets a month's spending.
CREATE TABLE IF NOT EXISTS lifeos_ledger (
  run_id BIGINT NOT NULL REFERENCES lifeos_runs (id),
  seq INTEGER NOT NULL,
  repo TEXT NOT NULL,
  installation_id BIGINT NOT NULL,
  month TEXT NOT NULL,
  model TEXT NOT NULL,
  cost_micros BIGINT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  PRIMARY KEY (run_id, seq)
);

CREATE INDEX IF NOT EXISTS lifeos_ledger_repo ON lifeos_ledger (repo, month);

CREATE INDEX IF NOT EXISTS lifeos_ledger_installation ON lifeos_ledger (installation_id, month);

-- The files each pushed run changed, for auto-merge bounds.
CREATE TABLE IF NOT EXISTS lifeos_run_changes (
  run_id BIGINT NOT NULL REFERENCES lifeos_runs (id),
  path TEXT NOT NULL,
  deleted BOOLEAN NOT NULL,
  added INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  PRIMARY KEY (run_id, path)
);

-- An issue's title and body as they were when a person with write
-- access asked for the work: later runs take the task from here, so
-- an edit made after the trigger never reaches the prompt.
CREATE TABLE IF NOT EXISTS lifeos_issue_texts (
  repo TEXT NOT NULL,
  issue_number INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  author TEXT NOT NULL,
  taken_at TIMESTAMP NOT NULL,
  PRIMARY KEY (repo, issue_number)
);

-- Commands acknowledged (role checked, 👀 given), by delivery.
CREATE TABLE IF NOT EXISTS lifeos_acks (
  delivery_id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  issue_number INTEGER NOT NULL,
  pr_number INTEGER NOT NULL,
  created_at TIMESTAMP NOT NULL
);

-- Jobs waiting for an issue's active run to end; the run's end
-- wakes them.
CREATE TABLE IF NOT EXISTS lifeos_waiters (
  job_id BIGINT PRIMARY KEY,
  repo TEXT NOT NULL,
  issue_number INTEGER NOT NULL,
  created_at TIMESTAMP NOT NULL
);

-- Every policy decision of a run, allowed or not: the audit trail.
CREATE TABLE IF NOT EXISTS lifeos_decisions (
  run_id BIGINT NOT NULL REFERENCES lifeos_runs (id),
  seq INTEGER NOT NULL,
  allow BOOLEAN NOT NULL,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  PRIMARY KEY (run_id, seq)
);

-- One row per LifeOS PR head commit whose CI failed: what was done.
CREATE TABLE IF NOT EXISTS lifeos_ci_attempts (
  repo TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  head_sha TEXT NOT NULL,
  signature TEXT NOT NULL,
  action TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  PRIMARY KEY (repo, pr_number, head_sha)
);

-- How each LifeOS PR ended, per repo: the autonomy statistics.
CREATE TABLE IF NOT EXISTS lifeos_outcomes (
  repo TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  issue_number INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  PRIMARY KEY (repo, pr_number)
);
