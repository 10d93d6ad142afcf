-- Saved cards (tokens) and setup checkout sessions, which save a card instead of collecting a
-- payment.

CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id),
    livemode      BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    status        TEXT NOT NULL
                  CHECK (status IN ('requires_authorization', 'active', 'rejected', 'disabled', 'deleted')),
    customer_key  TEXT,
    data          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX tokens_by_created ON tokens (merchant_id, livemode, created_at DESC, id DESC);

-- A payment made with a saved card names it.
ALTER TABLE payment_intents ADD COLUMN token_id TEXT REFERENCES tokens (id);

-- A session has a payment intent or a token, never both. SQLite cannot drop a NOT NULL in
-- place, so the table is rebuilt (with the redemptions that reference it: dropping a parent
-- table while foreign keys are enforced must leave no child row behind). Copies first, then the
-- old tables go and the copies take their names (SQLite renames the references with them).
CREATE TABLE checkout_sessions_0009 (
    id                 TEXT PRIMARY KEY,
    merchant_id        TEXT NOT NULL REFERENCES merchants (id),
    livemode           BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    status             TEXT NOT NULL,
    payment_status     TEXT NOT NULL,
    payment_intent_id  TEXT UNIQUE REFERENCES payment_intents (id),
    token_id           TEXT UNIQUE REFERENCES tokens (id),
    customer_key       TEXT,
    expires_at         BIGINT NOT NULL,
    data               TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    reference          TEXT,
    CHECK ((payment_intent_id IS NULL) <> (token_id IS NULL))
);
INSERT INTO checkout_sessions_0009 (id, merchant_id, livemode, status, payment_status, payment_intent_id, token_id,
                                    customer_key, expires_at, data, created_at, updated_at, reference)
SELECT id, merchant_id, livemode, status, payment_status, payment_intent_id, NULL,
       customer_key, expires_at, data, created_at, updated_at, reference
FROM checkout_sessions;

CREATE TABLE promotion_redemptions_0009 (
    session_id         TEXT PRIMARY KEY REFERENCES checkout_sessions_0009 (id),
    merchant_id        TEXT NOT NULL,
    livemode           BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    promotion_code_id  TEXT NOT NULL REFERENCES promotion_codes (id),
    coupon_id          TEXT NOT NULL REFERENCES coupons (id),
    customer_key       TEXT,
    state              TEXT NOT NULL CHECK (state IN ('reserved', 'redeemed', 'released')),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
INSERT INTO promotion_redemptions_0009 (session_id, merchant_id, livemode, promotion_code_id, coupon_id, customer_key,
                                        state, created_at, updated_at)
SELECT session_id, merchant_id, livemode, promotion_code_id, coupon_id, customer_key, state, created_at, updated_at
FROM promotion_redemptions;

DROP TABLE promotion_redemptions;
DROP TABLE checkout_sessions;
ALTER TABLE checkout_sessions_0009 RENAME TO checkout_sessions;
ALTER TABLE promotion_redemptions_0009 RENAME TO promotion_redemptions;

CREATE INDEX checkout_sessions_by_created ON checkout_sessions (merchant_id, livemode, created_at DESC, id DESC);
CREATE INDEX checkout_sessions_expiring ON checkout_sessions (status, expires_at);
CREATE INDEX checkout_sessions_by_customer ON checkout_sessions (merchant_id, livemode, customer_key, status);
CREATE UNIQUE INDEX checkout_sessions_by_reference ON checkout_sessions (merchant_id, livemode, reference);
CREATE INDEX promotion_redemptions_by_customer ON promotion_redemptions (promotion_code_id, customer_key, state);
