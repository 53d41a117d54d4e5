-- A run's end that could not be told on its thread (GitHub unreachable
-- when the run ended): the leader's sweep posts it as soon as GitHub
-- answers, then drops it. One per run.

-- +goose Up
CREATE TABLE lifeos_run_notices (
  run_id BIGINT PRIMARY KEY,
  number INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE lifeos_run_notices;
