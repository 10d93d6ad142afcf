-- Gateways serving this database, each heartbeating. A lease (a job's, a webhook delivery's, an
-- idempotency key's) carries its holder's node id as the prefix of its lock token, so the
-- leases of a node that stopped heartbeating can be released by the others at once, while a
-- slow node that still heartbeats renews its own.
CREATE TABLE nodes (
    id            TEXT PRIMARY KEY,
    address       TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    heartbeat_at  BIGINT NOT NULL
);

-- Keys still held by a request: what a heartbeat renews and a takeover releases, found without
-- reading every key of the last day.
CREATE INDEX idempotency_keys_held ON idempotency_keys (lock_token) WHERE state IN ('started', 'applied');
