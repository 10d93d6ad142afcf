//! Leases a stopped process left behind. A job, a webhook delivery or an idempotency key is
//! held by a lease so that another node takes it over only when its holder is gone; a gateway
//! that knows it is the only one on the database (SQLite, with the data directory locked)
//! knows the holder is gone and releases them all at start, instead of waiting them out.

use crate::Db;
use crate::db::query;
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
    let jobs = query("UPDATE jobs SET locked_until = NULL WHERE state = 'pending' AND locked_until IS NOT NULL")
        .execute(tx.conn())
        .await?
        .rows_affected();
    let deliveries =
        query("UPDATE webhook_deliveries SET locked_until = NULL WHERE state = 'pending' AND locked_until IS NOT NULL")
            .execute(tx.conn())
            .await?
            .rows_affected();
    let idempotency_keys = query(
        "UPDATE idempotency_keys SET locked_until = 0 WHERE state IN ('started', 'applied') AND locked_until > 0",
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    // The nodes of earlier runs: this process is the only one now.
    query("DELETE FROM nodes").execute(tx.conn()).await?;
    Ok(Released { jobs, deliveries, idempotency_keys })
}

/// Work waiting in a queue (jobs or webhook deliveries): for the operator's gauges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Not finished.
    pub pending: i64,
    /// Held by a worker now.
    pub running: i64,
    /// Due for more than a second and held by nobody: the workers are behind.
    pub lagging: i64,
}

/// The backlog of `table` (`jobs`, due at `run_at`, or `webhook_deliveries`, due at
/// `next_attempt_at`) at `now` (µs).
pub async fn backlog<'e, E: Into<Db<'e>>>(
    exec: E,
    table: &'static str,
    due_column: &'static str,
    now: i64,
) -> Result<Backlog> {
    use crate::codec::RowExt;
    let row = query(format!(
        // Names from the two callers above, never from input.
        "SELECT COUNT(*) AS pending, \
         COALESCE(SUM(CASE WHEN locked_until >= $1 THEN 1 ELSE 0 END), 0) AS running, \
         COALESCE(SUM(CASE WHEN {due_column} < $2 AND (locked_until IS NULL OR locked_until < $1) THEN 1 ELSE 0 END), 0) AS lagging \
         FROM {table} WHERE state = 'pending'"
    ))
    .bind(now)
    .bind(now - 1_000_000)
    .fetch_one(exec)
    .await?;
    Ok(Backlog { pending: row.int("pending")?, running: row.int("running")?, lagging: row.int("lagging")? })
}
