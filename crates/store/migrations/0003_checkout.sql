-- Checkout sessions, coupons, promotion codes and their redemptions.

CREATE TABLE coupons (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    livemode         BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    name             TEXT,
    value            TEXT NOT NULL,
    expires_at       BIGINT,
    max_redemptions  BIGINT,
    times_redeemed   BIGINT NOT NULL CHECK (times_redeemed >= 0),
    reserved         BIGINT NOT NULL CHECK (reserved >= 0),
    active           BIGINT NOT NULL CHECK (active IN (0, 1)),
    metadata         TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK (max_redemptions IS NULL OR times_redeemed + reserved <= max_redemptions)
);
CREATE INDEX coupons_by_created ON coupons (merchant_id, livemode, created_at DESC, id DESC);

CREATE TABLE promotion_codes (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    livemode         BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    code             TEXT NOT NULL,
    code_key         TEXT NOT NULL,
    coupon_id        TEXT NOT NULL REFERENCES coupons (id),
    active           BIGINT NOT NULL CHECK (active IN (0, 1)),
    expires_at       BIGINT,
    max_redemptions  BIGINT,
    times_redeemed   BIGINT NOT NULL CHECK (times_redeemed >= 0),
    reserved         BIGINT NOT NULL CHECK (reserved >= 0),
    restrictions     TEXT NOT NULL,
    metadata         TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK (max_redemptions IS NULL OR times_redeemed + reserved <= max_redemptions)
);
-- Codes are unique per merchant and mode whatever their case.
CREATE UNIQUE INDEX promotion_codes_code ON promotion_codes (merchant_id, livemode, code_key);
CREATE INDEX promotion_codes_by_created ON promotion_codes (merchant_id, livemode, created_at DESC, id DESC);

CREATE TABLE checkout_sessions (
    id                 TEXT PRIMARY KEY,
    merchant_id        TEXT NOT NULL REFERENCES merchants (id),
    livemode           BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    status             TEXT NOT NULL,
    payment_status     TEXT NOT NULL,
    payment_intent_id  TEXT NOT NULL UNIQUE REFERENCES payment_intents (id),
    customer_key       TEXT,
    expires_at         BIGINT NOT NULL,
    data               TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX checkout_sessions_by_created ON checkout_sessions (merchant_id, livemode, created_at DESC, id DESC);
CREATE INDEX checkout_sessions_expiring ON checkout_sessions (status, expires_at);
CREATE INDEX checkout_sessions_by_customer ON checkout_sessions (merchant_id, livemode, customer_key, status);

-- One row per session that used a code: reserved while its payment runs.
CREATE TABLE promotion_redemptions (
    session_id         TEXT PRIMARY KEY REFERENCES checkout_sessions (id),
    merchant_id        TEXT NOT NULL,
    livemode           BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    promotion_code_id  TEXT NOT NULL REFERENCES promotion_codes (id),
    coupon_id          TEXT NOT NULL REFERENCES coupons (id),
    customer_key       TEXT,
    state              TEXT NOT NULL CHECK (state IN ('reserved', 'redeemed', 'released')),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX promotion_redemptions_by_customer ON promotion_redemptions (promotion_code_id, customer_key, state);
