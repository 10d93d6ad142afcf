-- A provider's notifications to a connector: the subscription (its id and signing secret, sealed
-- with the master key), and the provider's reference of each payment, to find the payment a
-- notification is about.
ALTER TABLE connectors ADD COLUMN notifications TEXT;
ALTER TABLE payment_intents ADD COLUMN connector_reference TEXT;
CREATE INDEX payment_intents_by_connector_reference ON payment_intents (connector_id, connector_reference)
    WHERE connector_reference IS NOT NULL;
