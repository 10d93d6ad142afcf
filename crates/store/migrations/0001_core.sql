-- Kassa core schema. One dialect for SQLite and PostgreSQL: TEXT and BIGINT only
-- (booleans are 0/1, instants are microseconds since the Unix epoch, JSON is TEXT).

CREATE TABLE merchants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    kind         TEXT NOT NULL CHECK (kind IN ('secret', 'publishable')),
    livemode     BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    key_hash     TEXT NOT NULL UNIQUE,
    last4        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_merchant ON api_keys (merchant_id, created_at);

-- Gateway-wide secrets generated on first start (e.g. the card fingerprint key).
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE payment_intents (
    id                       TEXT PRIMARY KEY,
    merchant_id              TEXT NOT NULL REFERENCES merchants (id),
    livemode                 BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    status                   TEXT NOT NULL,
    amount                   BIGINT NOT NULL CHECK (amount > 0),
    currency                 TEXT NOT NULL,
    capture_method           TEXT NOT NULL,
    amount_authorized        BIGINT NOT NULL CHECK (amount_authorized >= 0),
    amount_captured          BIGINT NOT NULL CHECK (amount_captured >= 0),
    amount_refunded          BIGINT NOT NULL CHECK (amount_refunded >= 0),
    amount_refund_pending    BIGINT NOT NULL CHECK (amount_refund_pending >= 0),
    amount_canceled          BIGINT NOT NULL CHECK (amount_canceled >= 0),
    payment_method           TEXT,
    customer                 TEXT,
    description              TEXT,
    statement_descriptor     TEXT,
    metadata                 TEXT NOT NULL,
    last_error               TEXT,
    cancellation_reason      TEXT,
    pending_capture          TEXT,
    processor_authorization  TEXT,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    -- The money rules, enforced a second time by the database.
    CHECK (amount_authorized <= amount),
    CHECK (amount_captured + amount_canceled <= amount_authorized),
    CHECK (amount_refunded + amount_refund_pending <= amount_captured)
);
CREATE INDEX payment_intents_by_created ON payment_intents (merchant_id, livemode, created_at DESC, id DESC);
CREATE INDEX payment_intents_by_status ON payment_intents (merchant_id, livemode, status, created_at DESC, id DESC);

CREATE TABLE refunds (
    id                 TEXT PRIMARY KEY,
    merchant_id        TEXT NOT NULL REFERENCES merchants (id),
    livemode           BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    payment_intent_id  TEXT NOT NULL REFERENCES payment_intents (id),
    amount             BIGINT NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    reason             TEXT,
    status             TEXT NOT NULL,
    failure            TEXT,
    metadata           TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX refunds_by_created ON refunds (merchant_id, livemode, created_at DESC, id DESC);
CREATE INDEX refunds_by_payment_intent ON refunds (payment_intent_id, created_at DESC, id DESC);

-- Written in the same transaction as the change each one describes.
CREATE TABLE events (
    id                 TEXT PRIMARY KEY,
    merchant_id        TEXT NOT NULL,
    livemode           BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    event_type         TEXT NOT NULL,
    object_id          TEXT NOT NULL,
    payment_intent_id  TEXT,
    data               TEXT NOT NULL,
    request_id         TEXT,
    idempotency_key    TEXT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX events_by_created ON events (merchant_id, livemode, created_at DESC, id DESC);
CREATE INDEX events_by_payment_intent ON events (payment_intent_id, created_at, id);
CREATE INDEX events_by_object ON events (object_id, created_at, id);

-- One row per (merchant, mode, Idempotency-Key). state: started → applied → done.
CREATE TABLE idempotency_keys (
    merchant_id      TEXT NOT NULL,
    livemode         BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    idempotency_key  TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('started', 'applied', 'done')),
    lock_token       TEXT NOT NULL,
    locked_until     BIGINT NOT NULL,
    outcome          TEXT,
    request_id       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, livemode, idempotency_key)
);
CREATE INDEX idempotency_keys_by_created ON idempotency_keys (created_at);

-- Durable work for the processor connector, claimed with leases.
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    merchant_id   TEXT NOT NULL,
    livemode      BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    target_id     TEXT NOT NULL,
    payload       TEXT,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    run_at        BIGINT NOT NULL,
    locked_until  BIGINT,
    lock_token    TEXT,
    attempts      BIGINT NOT NULL,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_by_target ON jobs (target_id, created_at);

-- The card simulator's own books: what the "network" has seen, keyed by the caller's
-- idempotency key, so a repeated call returns the recorded answer.
CREATE TABLE simulator_authorizations (
    id          TEXT PRIMARY KEY,
    reference   TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    currency    TEXT NOT NULL,
    captured    BIGINT NOT NULL,
    refunded    BIGINT NOT NULL,
    voided      BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    CHECK (captured + voided <= amount),
    CHECK (refunded <= captured)
);

CREATE TABLE simulator_operations (
    idempotency_key   TEXT PRIMARY KEY,
    operation         TEXT NOT NULL,
    reference         TEXT NOT NULL,
    authorization_id  TEXT,
    amount            BIGINT,
    currency          TEXT,
    outcome           TEXT NOT NULL,
    decline_code      TEXT,
    auth_code         TEXT,
    created_at        BIGINT NOT NULL
);
CREATE INDEX simulator_operations_by_reference ON simulator_operations (reference, created_at);
