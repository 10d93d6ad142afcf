-- What a face remembers of an object that Kassa has no field for (Smartpay's references, Vipps'
-- user flow, a face's webhook subscriptions in its own words) moves out of the merchant's
-- `metadata` into its own column (JSON: face → name → text); checkout sessions and tokens keep
-- theirs in their `data`. The rows an earlier Kassa wrote are moved at first start (settings
-- `face_notes_lifted`), as SQL has no JSON functions common to SQLite and PostgreSQL.
ALTER TABLE payment_intents ADD COLUMN face_notes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE captures ADD COLUMN face_notes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE refunds ADD COLUMN face_notes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE webhook_endpoints ADD COLUMN face_notes TEXT NOT NULL DEFAULT '{}';
