-- Short-lived bearer tokens a merchant exchanges its keys for (an OAuth-style client-credentials
-- grant, as Vipps' access token API does). Only a token's SHA-256 is stored.
CREATE TABLE access_tokens (
    token_hash   TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    livemode     BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    key_id       TEXT NOT NULL REFERENCES api_keys (id),
    expires_at   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX access_tokens_expiring ON access_tokens (expires_at);
