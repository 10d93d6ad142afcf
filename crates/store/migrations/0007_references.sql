-- Payment intents and checkout sessions may carry the merchant's own reference, unique per
-- merchant and mode among objects of the kind (NULLs, objects without one, do not collide).
ALTER TABLE payment_intents ADD COLUMN reference TEXT;
CREATE UNIQUE INDEX payment_intents_by_reference ON payment_intents (merchant_id, livemode, reference);
ALTER TABLE checkout_sessions ADD COLUMN reference TEXT;
CREATE UNIQUE INDEX checkout_sessions_by_reference ON checkout_sessions (merchant_id, livemode, reference);
