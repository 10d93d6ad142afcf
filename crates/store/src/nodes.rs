//! The `nodes` table: which gateways serve this database, and when each last said so. Leases
//! name their holder through the prefix of their lock token (`<node id>.<random>`), so the
//! queries here find a node's leases without a column of their own.

use crate::Db;
use crate::codec::RowExt;
use crate::db::query;
use crate::leases::Released;
use crate::{Result, WriteTx};
use kassa_domain::Timestamp;

/// A gateway on the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `node_…`
    pub id: String,
    /// Where it listens.
    pub address: String,
    /// When it started.
    pub started_at: Timestamp,
    /// When it last heartbeat.
    pub heartbeat_at: Timestamp,
}

/// Registers a starting node.
pub async fn register(tx: &mut WriteTx, node: &Node) -> Result<()> {
    query("INSERT INTO nodes (id, address, started_at, heartbeat_at) VALUES ($1, $2, $3, $4)")
        .bind(node.id.clone())
        .bind(node.address.clone())
        .bind(node.started_at.micros())
        .bind(node.heartbeat_at.micros())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Records that `node` is alive at `now`; `false` if the others already declared it dead (its
/// row is gone), in which case the caller registers again.
pub async fn heartbeat(tx: &mut WriteTx, node: &str, now: Timestamp) -> Result<bool> {
    let n = query("UPDATE nodes SET heartbeat_at = $2 WHERE id = $1")
        .bind(node.to_owned())
        .bind(now.micros())
        .execute(tx.conn())
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// The lock-token pattern of a node's leases.
fn owned_by(node: &str) -> String {
    format!("{}.%", node.replace('\\', "\\\\").replace('_', "\\_").replace('%', "\\%"))
}

/// Extends every lease `node` holds to the given ends (µs), so work that takes longer than a
/// lease stays with a node that is alive.
pub async fn renew(
    tx: &mut WriteTx,
    node: &str,
    jobs_until: i64,
    deliveries_until: i64,
    keys_until: i64,
) -> Result<u64> {
    let mine = owned_by(node);
    let mut renewed = 0;
    for (sql, until) in [
        (
            "UPDATE jobs SET locked_until = $2 WHERE state = 'pending' AND locked_until IS NOT NULL AND lock_token LIKE $1 ESCAPE '\\'",
            jobs_until,
        ),
        (
            "UPDATE webhook_deliveries SET locked_until = $2 \
             WHERE state = 'pending' AND locked_until IS NOT NULL AND lock_token LIKE $1 ESCAPE '\\'",
            deliveries_until,
        ),
        (
            "UPDATE idempotency_keys SET locked_until = $2 \
             WHERE state IN ('started', 'applied') AND locked_until > 0 AND lock_token LIKE $1 ESCAPE '\\'",
            keys_until,
        ),
    ] {
        renewed += query(sql).bind(mine.clone()).bind(until).execute(tx.conn()).await?.rows_affected();
    }
    Ok(renewed)
}

/// Nodes whose last heartbeat is older than `cutoff`, and how many others are alive.
pub async fn silent_since(tx: &mut WriteTx, cutoff: Timestamp) -> Result<(Vec<String>, usize)> {
    let rows = query("SELECT id, heartbeat_at FROM nodes ORDER BY id").fetch_all(tx.conn()).await?;
    let (mut silent, mut live) = (Vec::new(), 0);
    for r in &rows {
        if r.int("heartbeat_at")? < cutoff.micros() {
            silent.push(r.text("id")?);
        } else {
            live += 1;
        }
    }
    Ok((silent, live))
}

/// Every node on the database.
pub async fn list<'e, E: Into<Db<'e>>>(exec: E) -> Result<Vec<Node>> {
    let rows = query("SELECT id, address, started_at, heartbeat_at FROM nodes ORDER BY started_at, id")
        .fetch_all(exec)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Node {
                id: r.text("id")?,
                address: r.text("address")?,
                started_at: Timestamp(r.int("started_at")?),
                heartbeat_at: Timestamp(r.int("heartbeat_at")?),
            })
        })
        .collect()
}

/// Releases every lease `node` holds and forgets the node: its work is claimable at once, by
/// any node. For a node that stopped (its own shutdown) or died (the others' verdict).
pub async fn release(tx: &mut WriteTx, node: &str) -> Result<Released> {
    let theirs = owned_by(node);
    let jobs = query(
        "UPDATE jobs SET locked_until = NULL WHERE state = 'pending' AND locked_until IS NOT NULL AND lock_token LIKE $1 ESCAPE '\\'",
    )
    .bind(theirs.clone())
    .execute(tx.conn())
    .await?
    .rows_affected();
    let deliveries = query(
        "UPDATE webhook_deliveries SET locked_until = NULL \
         WHERE state = 'pending' AND locked_until IS NOT NULL AND lock_token LIKE $1 ESCAPE '\\'",
    )
    .bind(theirs.clone())
    .execute(tx.conn())
    .await?
    .rows_affected();
    let idempotency_keys = query(
        "UPDATE idempotency_keys SET locked_until = 0 \
         WHERE state IN ('started', 'applied') AND locked_until > 0 AND lock_token LIKE $1 ESCAPE '\\'",
    )
    .bind(theirs)
    .execute(tx.conn())
    .await?
    .rows_affected();
    query("DELETE FROM nodes WHERE id = $1").bind(node.to_owned()).execute(tx.conn()).await?;
    Ok(Released { jobs, deliveries, idempotency_keys })
}
