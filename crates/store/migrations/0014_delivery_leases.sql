-- The deliveries in flight (pending, with a lease), found without reading the whole backlog:
-- counted per endpoint by every claim, which must stay cheap while thousands wait.
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (state, locked_until);
