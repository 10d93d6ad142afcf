-- The queues' indexes hold only what is pending: every query that walks them says
-- `state = 'pending'`, and a finished job or delivery then leaves them (one index write)
-- instead of moving inside them (two), and the indexes stay as small as the backlog.
DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (state, run_at) WHERE state = 'pending';
DROP INDEX webhook_deliveries_due;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at) WHERE state = 'pending';
DROP INDEX webhook_deliveries_leased;
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (state, locked_until) WHERE state = 'pending';
-- No query reads deliveries by endpoint or by event, and endpoints and events are never
-- deleted (which would want them for the foreign keys): two index writes per delivery,
-- one of them at a random key, for nothing.
DROP INDEX webhook_deliveries_by_endpoint;
DROP INDEX webhook_deliveries_by_event;
