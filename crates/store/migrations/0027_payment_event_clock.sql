-- The time of a payment's latest event, kept on its row: on PostgreSQL, where several nodes
-- stamp events, each new event of the payment is stamped after it. Read from the row every
-- writer of the payment's events locks, not from `events`, whose cached generic plan could
-- scan a merchant's whole history for a new payment's (none). NULL for payments written before
-- this column: their next event reads the log once.
ALTER TABLE payment_intents ADD COLUMN last_event_at BIGINT;
