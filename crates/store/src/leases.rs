//! Leases a stopped process left behind. A job, a webhook delivery or an idempotency key is
//! held by a lease so that another node takes it over only when its holder is gone; a gateway
//! that knows it is the only one on the database (SQLite, with the data directory locked)
//! knows the holder is gone and releases them all at start, instead of waiting them out.

use crate::{Result, WriteTx};

/// How many leases were released, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Released {
    /// Jobs (their work is retried now, keyed as before, so it is never done twice).
    pub jobs: u64,
    /// Webhook deliveries (sent again now: at least once).
    pub deliveries: u64,
    /// Idempotency keys whose request never finished: a retry takes over one that changed
    /// nothing, and gets the applied outcome of one whose change committed, at once.
    pub idempotency_keys: u64,
}

/// Releases every lease; only for a process that holds the database alone.
pub async fn release_all(tx: &mut WriteTx) -> Result<Released> {
    let jobs = sqlx::query("UPDATE jobs SET locked_until = NULL WHERE state = 'pending' AND locked_until IS NOT NULL")
        .execute(tx.conn())
        .await?
        .rows_affected();
    let deliveries = sqlx::query(
        "UPDATE webhook_deliveries SET locked_until = NULL WHERE state = 'pending' AND locked_until IS NOT NULL",
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    let idempotency_keys = sqlx::query(
        "UPDATE idempotency_keys SET locked_until = 0 WHERE state IN ('started', 'applied') AND locked_until > 0",
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(Released { jobs, deliveries, idempotency_keys })
}
