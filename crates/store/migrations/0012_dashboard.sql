-- People who sign in to a merchant's dashboard, and their signed-in sessions. A password is
-- stored only as an Argon2id hash (PHC string); a session only as the SHA-256 of its cookie.
CREATE TABLE dashboard_users (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    email            TEXT NOT NULL UNIQUE,
    password_hash    TEXT NOT NULL,
    failed_attempts  BIGINT NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until     BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX dashboard_users_merchant ON dashboard_users (merchant_id);

CREATE TABLE dashboard_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES dashboard_users (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_expiring ON dashboard_sessions (expires_at);
CREATE INDEX dashboard_sessions_user ON dashboard_sessions (user_id);
