-- Payments through a merchant's connector: which connector (a column, so a connector with an
-- unfinished payment can be found) and the rest of the attempt (the provider's reference, where
-- the customer approves and returns, who pays) as JSON.
ALTER TABLE payment_intents ADD COLUMN connector_id TEXT;
ALTER TABLE payment_intents ADD COLUMN connector TEXT;
CREATE INDEX payment_intents_by_connector ON payment_intents (connector_id, status) WHERE connector_id IS NOT NULL;
