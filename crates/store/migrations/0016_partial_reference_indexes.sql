-- Most objects carry no reference: the uniqueness indexes keep only those that do, so a
-- create without one writes one index entry fewer. A lookup by reference (`reference = $1`)
-- implies `reference IS NOT NULL` and uses them on both databases.
DROP INDEX payment_intents_by_reference;
CREATE UNIQUE INDEX payment_intents_by_reference ON payment_intents (merchant_id, livemode, reference)
    WHERE reference IS NOT NULL;
DROP INDEX checkout_sessions_by_reference;
CREATE UNIQUE INDEX checkout_sessions_by_reference ON checkout_sessions (merchant_id, livemode, reference)
    WHERE reference IS NOT NULL;
