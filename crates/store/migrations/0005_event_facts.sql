-- Events hold domain facts, not rendered JSON. `payload_version` says how `data` reads:
-- 0 = the object already rendered as v1 JSON (every event written before this migration),
-- 1 = a domain fact (the object after the change and the money it moved), rendered by each
-- face in its own words.
ALTER TABLE events ADD COLUMN payload_version BIGINT NOT NULL DEFAULT 0;

-- Each endpoint has a dialect: which face renders and signs its deliveries.
ALTER TABLE webhook_endpoints ADD COLUMN dialect TEXT NOT NULL DEFAULT 'v1';
