-- Webhooks: endpoints, one delivery per (event, endpoint) written in the event's
-- transaction (the outbox), and every attempt at it.

CREATE TABLE webhook_endpoints (
    id                  TEXT PRIMARY KEY,
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    livemode            BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    url                 TEXT NOT NULL,
    description         TEXT,
    enabled_events      TEXT NOT NULL,
    metadata            TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    disabled_reason     TEXT,
    secret              TEXT NOT NULL,
    previous_secret     TEXT,
    previous_secret_expires_at BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    deleted_at          BIGINT
);
CREATE INDEX webhook_endpoints_by_created ON webhook_endpoints (merchant_id, livemode, created_at DESC, id DESC);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    livemode         BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id),
    event_id         TEXT NOT NULL REFERENCES events (id),
    state            TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts         BIGINT NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    locked_until     BIGINT,
    lock_token       TEXT,
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, state);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    livemode         BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    delivery_id      TEXT NOT NULL REFERENCES webhook_deliveries (id),
    endpoint_id      TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    attempt          BIGINT NOT NULL,
    url              TEXT NOT NULL,
    status_code      BIGINT,
    error            TEXT,
    response_body    TEXT,
    latency_ms       BIGINT NOT NULL,
    succeeded        BIGINT NOT NULL CHECK (succeeded IN (0, 1)),
    created_at       BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_attempts_by_event ON webhook_attempts (event_id, created_at DESC, id DESC);
