-- When a job was first claimed: the time between `created_at` and `started_at` is queueing,
-- the time to `finished_at` is the work (and its retries).
ALTER TABLE jobs ADD COLUMN started_at BIGINT;
