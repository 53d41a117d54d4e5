-- +goose Up
-- What each running run holds of its month's budgets: its per-run cap,
-- less what it has spent since. A run may start only while the month's
-- spending and what other running runs hold leave room under the budgets
-- (Store.Reserve), so runs started at once cannot all spend the same
-- remaining dollar. Only rows of runs still running count.
CREATE TABLE IF NOT EXISTS lifeos_reservations (
  run_id BIGINT PRIMARY KEY REFERENCES lifeos_runs (id),
  repo TEXT NOT NULL,
  installation_id BIGINT NOT NULL,
  month TEXT NOT NULL,
  held_micros BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS lifeos_reservations_installation ON lifeos_reservations (installation_id, month);
