-- An endpoint may be bound to one object (a checkout's callback URL): it hears only about that
-- object, and endpoint lists do not show it.
ALTER TABLE webhook_endpoints ADD COLUMN bound_to TEXT;
CREATE INDEX webhook_endpoints_bound ON webhook_endpoints (bound_to);
