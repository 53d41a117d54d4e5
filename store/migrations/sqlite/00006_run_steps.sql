-- The durable steps of a run, recorded as each lands on GitHub (the
-- commit, the branch written, the pull request, the final comment), so a
-- retried job resumes its run from the last one instead of doing it again.

-- +goose Up
CREATE TABLE lifeos_run_steps (
  run_id BIGINT NOT NULL REFERENCES lifeos_runs (id),
  step TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  PRIMARY KEY (run_id, step)
);

-- +goose Down
DROP TABLE lifeos_run_steps;
