-- A run's lease: the process working a job renews lease_until while the
-- job runs, so the leader's sweep can tell a job whose process died (its
-- lease expired while River still says running) and hand it back to River
-- in seconds instead of River's hour. attempt is the River attempt that
-- holds the lease, so a lease left by a dead attempt never hands back the
-- attempt that took over. Keyed by job: a job holds its lease before its
-- run exists.

-- +goose Up
CREATE TABLE lifeos_run_leases (
  job_id BIGINT PRIMARY KEY,
  attempt INTEGER NOT NULL,
  lease_until TIMESTAMP NOT NULL
);
CREATE INDEX lifeos_run_leases_until ON lifeos_run_leases (lease_until);

-- +goose Down
DROP TABLE lifeos_run_leases;
