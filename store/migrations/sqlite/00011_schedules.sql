-- Schedules (the policy file's schedules, stored when the App is installed
-- and whenever a push to the default branch touches the policy), their
-- firings (one row per schedule and tick: however many leaders, a tick
-- fires once) and the proposals LifeOS opened (so it never proposes the
-- same work twice).

-- +goose Up
CREATE TABLE lifeos_schedules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repo TEXT NOT NULL,
  installation_id BIGINT NOT NULL,
  default_branch TEXT NOT NULL,
  name TEXT NOT NULL,
  cron TEXT NOT NULL,
  timezone TEXT NOT NULL DEFAULT '',
  recipe TEXT NOT NULL DEFAULT '',
  task TEXT NOT NULL DEFAULT '',
  next_at TIMESTAMP NOT NULL,
  last_fired_at TIMESTAMP,
  updated_at TIMESTAMP NOT NULL,
  UNIQUE (repo, name)
);
CREATE INDEX lifeos_schedules_next ON lifeos_schedules (next_at);

CREATE TABLE lifeos_schedule_firings (
  schedule_id BIGINT NOT NULL,
  tick TIMESTAMP NOT NULL,
  created_at TIMESTAMP NOT NULL,
  PRIMARY KEY (schedule_id, tick)
);

CREATE TABLE lifeos_proposals (
  repo TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  title TEXT NOT NULL,
  issue_number INTEGER NOT NULL,
  created_at TIMESTAMP NOT NULL,
  PRIMARY KEY (repo, fingerprint)
);

-- +goose Down
DROP TABLE lifeos_proposals;
DROP TABLE lifeos_schedule_firings;
DROP TABLE lifeos_schedules;
