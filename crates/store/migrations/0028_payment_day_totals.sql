-- Payments counted per UTC day of their creation, status, currency and failure, with what they
-- captured and refunded: kept by every write of a payment in its transaction, read by the
-- dashboard's overview (a month of a million payments is a few hundred of these rows). Each
-- bucket is spread over `shard`s so concurrent writers do not queue on one row; only the sums
-- over the shards mean anything.
CREATE TABLE payment_day_totals (
    merchant_id  TEXT NOT NULL,
    livemode     BIGINT NOT NULL,
    day          BIGINT NOT NULL,
    status       TEXT NOT NULL,
    currency     TEXT NOT NULL,
    failed       BIGINT NOT NULL,
    shard        BIGINT NOT NULL,
    payments     BIGINT NOT NULL,
    captured     BIGINT NOT NULL,
    refunded     BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, livemode, day, status, currency, failed, shard)
);

INSERT INTO payment_day_totals (merchant_id, livemode, day, status, currency, failed, shard, payments, captured, refunded)
SELECT merchant_id, livemode, created_at / 86400000000, status, currency,
       CASE WHEN last_error IS NULL THEN 0 ELSE 1 END, 0, COUNT(*), SUM(amount_captured), SUM(amount_refunded)
FROM payment_intents
GROUP BY merchant_id, livemode, created_at / 86400000000, status, currency, CASE WHEN last_error IS NULL THEN 0 ELSE 1 END;

-- The overview's reasons for failed payments read the failed ones only.
CREATE INDEX payment_intents_failed ON payment_intents (merchant_id, livemode, created_at) WHERE last_error IS NOT NULL;
