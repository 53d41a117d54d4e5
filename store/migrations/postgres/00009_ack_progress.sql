-- The progress comment of a command that waits for the issue's active
-- run: it says the command is queued and where, and becomes the progress
-- comment of the run the command starts. 0 for none; -1 while it is being
-- posted, so a retry after a crash looks for it on the thread instead of
-- posting a second.

-- +goose Up
ALTER TABLE lifeos_acks ADD COLUMN progress_comment_id BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE lifeos_acks DROP COLUMN progress_comment_id;
