-- Every job's end is its run's end: the worker finds the running run its
-- job started, and the sweeper finds running runs whose River job has
-- ended. Both look running runs up by job.

-- +goose Up
CREATE INDEX lifeos_runs_running_job ON lifeos_runs (job_id) WHERE status = 'running';

-- +goose Down
DROP INDEX lifeos_runs_running_job;
