-- What Kassa heard from a provider about a payment through a connector: each notification that
-- passed its check, and what the provider said when Kassa asked it then (the payment's
-- dashboard timeline shows them beside its events).
CREATE TABLE provider_notices (
    payment_intent_id TEXT NOT NULL,
    connector_id      TEXT NOT NULL,
    received_at       BIGINT NOT NULL,
    outcome           TEXT NOT NULL
);
CREATE INDEX provider_notices_by_payment ON provider_notices (payment_intent_id, received_at);
