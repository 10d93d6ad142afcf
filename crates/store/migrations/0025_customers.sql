-- Customers: the people a merchant's payments are for. A deleted customer keeps its row
-- (`deleted_at`) for what names it; `email_key` is the address in lower case, for lookups.
CREATE TABLE customers (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    livemode     BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    email        TEXT,
    email_key    TEXT,
    name         TEXT,
    phone        TEXT,
    description  TEXT,
    metadata     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    deleted_at   BIGINT
);
CREATE INDEX customers_by_created ON customers (merchant_id, livemode, created_at DESC, id DESC);
CREATE INDEX customers_by_email ON customers (merchant_id, livemode, email_key, created_at DESC, id DESC)
    WHERE email_key IS NOT NULL;
