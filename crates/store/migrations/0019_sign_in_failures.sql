-- Wrong dashboard sign-ins are counted per email and client address, for an email that has a
-- user and one that has none alike: a lock keeps that address out for that email, never the
-- user from elsewhere, and answers as it would for an email no one has. The per-user counters
-- of dashboard_users (failed_attempts, locked_until) are no longer read or written.
CREATE TABLE dashboard_sign_in_failures (
    email_hash    TEXT NOT NULL,
    client        TEXT NOT NULL,
    failures      BIGINT NOT NULL CHECK (failures > 0),
    locked_until  BIGINT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (email_hash, client)
);
CREATE INDEX dashboard_sign_in_failures_by_age ON dashboard_sign_in_failures (updated_at);
