-- The answer a request with an idempotency key gave, as its face sent it: a replay sends these
-- bytes again, however the object changed since. Written just after the change and its
-- outcome commit (a replay that finds none renders the stored outcome), in a table of its own
-- so that the key's row stays small and is written once.
CREATE TABLE idempotency_answers (
    merchant_id      TEXT NOT NULL,
    livemode         BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    idempotency_key  TEXT NOT NULL,
    status           BIGINT NOT NULL,
    content_type     TEXT,
    body             TEXT NOT NULL,
    PRIMARY KEY (merchant_id, livemode, idempotency_key)
);
