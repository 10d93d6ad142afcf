-- The answer a request with an idempotency key gave, as its face rendered it: a replay sends
-- these bytes again, however the object changed since. Empty until the answer is written
-- (just after the change and its outcome commit); a replay that finds none renders the
-- stored outcome instead.
ALTER TABLE idempotency_keys ADD COLUMN answer_status BIGINT;
ALTER TABLE idempotency_keys ADD COLUMN answer_type TEXT;
ALTER TABLE idempotency_keys ADD COLUMN answer_body TEXT;
