-- The prompt tokens of each model call the endpoint served from its prompt
-- cache (usage.prompt_tokens_details.cached_tokens), which are priced at
-- the cached rate. Calls from before this migration have 0.

-- +goose Up
ALTER TABLE lifeos_model_calls ADD COLUMN cached_tokens BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE lifeos_model_calls DROP COLUMN cached_tokens;
