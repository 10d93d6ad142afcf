-- Each capture is a record: its amount, time, status, and the refunds made against it.
CREATE TABLE captures (
    id                     TEXT PRIMARY KEY,
    merchant_id            TEXT NOT NULL REFERENCES merchants (id),
    livemode               BIGINT NOT NULL CHECK (livemode IN (0, 1)),
    payment_intent_id      TEXT NOT NULL REFERENCES payment_intents (id),
    amount                 BIGINT NOT NULL CHECK (amount > 0),
    currency               TEXT NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    final_capture          BIGINT NOT NULL CHECK (final_capture IN (0, 1)),
    amount_refunded        BIGINT NOT NULL CHECK (amount_refunded >= 0),
    amount_refund_pending  BIGINT NOT NULL CHECK (amount_refund_pending >= 0),
    description            TEXT,
    metadata               TEXT NOT NULL,
    failure                TEXT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    -- A capture's refunds never exceed it, enforced a second time by the database.
    CHECK (amount_refunded + amount_refund_pending <= amount)
);
CREATE INDEX captures_by_payment_intent ON captures (payment_intent_id, created_at, id);

ALTER TABLE refunds ADD COLUMN capture_id TEXT;
ALTER TABLE payment_intents ADD COLUMN latest_capture TEXT;

-- Payments captured before captures were records get one capture for all they captured (its id
-- derived from theirs: cap_ and the same 24 characters), and their refunds are its refunds.
INSERT INTO captures (id, merchant_id, livemode, payment_intent_id, amount, currency, status, final_capture,
                      amount_refunded, amount_refund_pending, description, metadata, failure, created_at, updated_at)
SELECT 'cap_' || substr(id, 4), merchant_id, livemode, id, amount_captured, currency, 'succeeded',
       CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END,
       amount_refunded, amount_refund_pending, NULL, '{}', NULL, updated_at, updated_at
FROM payment_intents WHERE amount_captured > 0;
UPDATE refunds SET capture_id = 'cap_' || substr(payment_intent_id, 4)
WHERE payment_intent_id IN (SELECT id FROM payment_intents WHERE amount_captured > 0);
UPDATE payment_intents SET latest_capture = 'cap_' || substr(id, 4) WHERE amount_captured > 0;
