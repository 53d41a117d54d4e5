-- The commits LifeOS wrote, so an auto-merge can tell them from
-- commits someone else pushed to the same branch.

-- +goose Up
CREATE TABLE lifeos_commits (
  repo TEXT NOT NULL,
  sha TEXT NOT NULL,
  run_id BIGINT NOT NULL REFERENCES lifeos_runs (id),
  PRIMARY KEY (repo, sha)
);

-- +goose Down
DROP TABLE lifeos_commits;
