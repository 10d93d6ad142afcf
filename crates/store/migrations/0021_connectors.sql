-- Connectors: a merchant's accounts at payment providers. `credentials` is sealed with the
-- operator's master key (never plain text); a deleted connector keeps its row (`deleted_at`) for
-- the payments that went through it, and one live connector per provider, merchant and mode.
CREATE TABLE connectors (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    livemode     BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    provider     TEXT NOT NULL,
    base_url     TEXT NOT NULL,
    description  TEXT,
    credentials  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    deleted_at   BIGINT
);
CREATE UNIQUE INDEX connectors_one_per_provider ON connectors (merchant_id, livemode, provider)
    WHERE deleted_at IS NULL;
CREATE INDEX connectors_by_created ON connectors (merchant_id, livemode, created_at DESC, id DESC);
