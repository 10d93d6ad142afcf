//! This process among the nodes on the database. Every lease it takes (a job, a webhook
//! delivery, an idempotency key) carries its node id in the lock token. It heartbeats every
//! [`HEARTBEAT_EVERY`], renewing its leases so that work outlasting a lease (a slow processor)
//! stays with it while it lives; and on each beat it releases the leases of any node silent
//! for more than [`DEAD_AFTER`], so a dead node's work is taken over within
//! `DEAD_AFTER + HEARTBEAT_EVERY` (8 s) of its last beat, however long its leases were.
//! Taking over is safe for a node that was only paused: everything it finishes afterwards is
//! fenced by its lock token (a job's result, an idempotency outcome), and a webhook is sent at
//! least once anyway.

use super::{App, AppResult};
use kassa_domain::Timestamp;
use kassa_domain::id::random_base62;
use kassa_store::leases::Released;
use kassa_store::nodes::{self, Node};
use std::time::Duration;

/// How often a node says it is alive and renews its leases.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);
/// How long a node may be silent before the others take its work over.
pub const DEAD_AFTER: Duration = Duration::from_secs(6);

pub(super) fn new_node_id() -> String {
    format!("node_{}", random_base62(16))
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// What one heartbeat did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Beat {
    /// Leases of ours extended.
    pub renewed: u64,
    /// Nodes found silent, whose leases were released.
    pub taken_over: Vec<String>,
    /// What their release freed.
    pub released: Released,
    /// Nodes alive now, this one included.
    pub live_nodes: usize,
}

impl App {
    /// This process's node id.
    pub fn node_id(&self) -> &str {
        &self.inner.node
    }

    /// A fresh lock token for a lease this node takes: `<node id>.<random>`.
    pub(super) fn lease_token(&self) -> String {
        format!("{}.{}", self.inner.node, random_base62(24))
    }

    /// Adds this node to the nodes on the database.
    pub async fn join_nodes(&self) -> AppResult<()> {
        let now = self.clock().now();
        let me = Node {
            id: self.inner.node.clone(),
            address: self.inner.address.clone(),
            started_at: now,
            heartbeat_at: now,
        };
        let mut tx = self.store().begin().await?;
        nodes::register(&mut tx, &me).await?;
        self.commit(tx).await
    }

    /// One heartbeat: alive now, our leases renewed, silent nodes' leases released (and the
    /// workers woken for the work that freed).
    pub async fn heartbeat(&self) -> AppResult<Beat> {
        let now = self.clock().now();
        let after = |d: Duration| now.micros().saturating_add(micros(d));
        let mut tx = self.store().begin().await?;
        if !nodes::heartbeat(&mut tx, &self.inner.node, now).await? {
            tracing::warn!(node = %self.inner.node, "the other nodes took this node's work over; joining again");
            let me = Node {
                id: self.inner.node.clone(),
                address: self.inner.address.clone(),
                started_at: now,
                heartbeat_at: now,
            };
            nodes::register(&mut tx, &me).await?;
        }
        let renewed = nodes::renew(
            &mut tx,
            &self.inner.node,
            after(self.job_config().lease),
            after(self.webhook_config().lease),
            after(self.idempotency_config().lease),
        )
        .await?;
        let mut beat = Beat { renewed, ..Beat::default() };
        let cutoff = Timestamp(now.micros().saturating_sub(micros(DEAD_AFTER)));
        let (silent_nodes, live) = nodes::silent_since(&mut tx, cutoff).await?;
        beat.live_nodes = live.max(1);
        for silent in silent_nodes {
            if silent == self.inner.node {
                continue;
            }
            let freed = nodes::release(&mut tx, &silent).await?;
            tracing::warn!(node = %silent, ?freed, "a node stopped heartbeating; its work is taken over");
            beat.released.jobs += freed.jobs;
            beat.released.deliveries += freed.deliveries;
            beat.released.idempotency_keys += freed.idempotency_keys;
            beat.taken_over.push(silent);
        }
        self.commit(tx).await?;
        self.inner.live_nodes.send_if_modified(|n| std::mem::replace(n, beat.live_nodes) != beat.live_nodes);
        if beat.released.jobs > 0 {
            self.inner.job_signal.notify_one();
        }
        if beat.released.deliveries > 0 {
            self.inner.delivery_signal.notify_one();
        }
        Ok(beat)
    }

    /// Leaves the nodes (a graceful stop): whatever this node still holds is released for the
    /// others at once.
    pub async fn leave_nodes(&self) -> AppResult<Released> {
        let mut tx = self.store().begin().await?;
        let released = nodes::release(&mut tx, &self.inner.node).await?;
        self.commit(tx).await?;
        Ok(released)
    }

    /// How many nodes serve the database, as the last heartbeat found them (1 until then):
    /// what shares out limits that hold for the whole cluster.
    pub fn live_nodes(&self) -> tokio::sync::watch::Receiver<usize> {
        self.inner.live_nodes.subscribe()
    }

    /// The nodes serving the database.
    pub async fn nodes(&self) -> AppResult<Vec<Node>> {
        Ok(nodes::list(self.store().reader()).await?)
    }
}
