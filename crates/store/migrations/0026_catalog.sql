-- What a merchant sells: products and their prices, each a JSON document (`data`) with the
-- columns its lists filter on.
CREATE TABLE products (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    livemode     BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    active       BIGINT NOT NULL CHECK (active IN (0, 1)),
    data         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX products_by_created ON products (merchant_id, livemode, created_at DESC, id DESC);

CREATE TABLE prices (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    livemode     BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    product_id   TEXT NOT NULL REFERENCES products (id),
    active       BIGINT NOT NULL CHECK (active IN (0, 1)),
    lookup_key   TEXT,
    data         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX prices_by_created ON prices (merchant_id, livemode, created_at DESC, id DESC);
CREATE INDEX prices_by_product ON prices (product_id, created_at DESC, id DESC);
CREATE INDEX prices_by_lookup_key ON prices (merchant_id, livemode, lookup_key) WHERE lookup_key IS NOT NULL;
