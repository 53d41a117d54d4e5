-- The bytes each recorded change wrote, so an auto-merge can bound a
-- PR's size in bytes as well as lines: one long line is one line. Rows
-- from before this migration have no size (NULL), which an auto-merge
-- treats as unknown.

-- +goose Up
ALTER TABLE lifeos_run_changes ADD COLUMN bytes BIGINT;

-- +goose Down
ALTER TABLE lifeos_run_changes DROP COLUMN bytes;
