//! Background work that runs beside the HTTP server on every node: the job runner, the
//! webhook sender and the idempotency-key reaper. Both stop when the shutdown signal flips.

use crate::app::{ANNOUNCE_GAP, App};
use kassa_domain::WebhookEndpointId;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// Claims due jobs and runs up to `concurrency` of them at once. Wakes when a job is enqueued
/// on this node, when the next job becomes due, and every poll interval (jobs written by
/// other nodes, leases of crashed workers running out).
pub async fn run_jobs(app: App, mut stop: watch::Receiver<bool>) {
    let config = app.job_config().clone();
    if config.concurrency == 0 {
        return; // This node runs none: the other nodes do.
    }
    let slots = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let mut running = JoinSet::new();
    while !*stop.borrow() {
        while running.try_join_next().is_some() {}
        let free = slots.available_permits();
        app.note_free_job_slots(free);
        if free > 0 {
            match app.claim_jobs(free.min(32) as u32).await {
                Ok(jobs) if !jobs.is_empty() => {
                    for job in jobs {
                        let Ok(slot) = slots.clone().acquire_owned().await else { break };
                        let app = app.clone();
                        running.spawn(async move {
                            app.run_job(job).await;
                            drop(slot);
                        });
                    }
                    app.note_free_job_slots(slots.available_permits());
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "could not claim jobs"),
            }
        }
        let poll = app.idle_poll(config.poll_interval);
        let next_due = app.next_job_due_in().await.ok().flatten().unwrap_or(poll);
        // Never spin: another node may hold the due job.
        let wait = next_due.clamp(Duration::from_millis(10), poll);
        tokio::select! {
            _ = app.job_enqueued() => {}
            _ = tokio::time::sleep(wait) => {}
            Some(_) = running.join_next(), if free == 0 => {}
            _ = stop.changed() => {}
        }
    }
    // Let running jobs finish; a job cut off here is retried after its lease by any node.
    let _ = tokio::time::timeout(Duration::from_secs(10), async { while running.join_next().await.is_some() {} }).await;
}

/// Tells the other nodes of the work this node's commits queue (PostgreSQL), at most once per
/// [`ANNOUNCE_GAP`], so an idle node starts it at once.
pub async fn announce(app: App, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        tokio::select! {
            _ = app.announce_queued() => {}
            _ = stop.changed() => {}
        }
        tokio::time::sleep(ANNOUNCE_GAP).await;
    }
}

/// Hears the other nodes' announcements and wakes this node's workers for their work; while it
/// does, the workers poll only as a safety net ([`App::idle_poll`]). A lost session is opened
/// again after a second, polling meanwhile.
pub async fn listen(app: App, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        match app.listener().await {
            Ok(None) => return,
            Ok(Some(mut listener)) => loop {
                tokio::select! {
                    heard = app.hear(&mut listener) => if let Err(e) = heard {
                        tracing::warn!(error = %e, "lost the session hearing the other nodes; polling until it is back");
                        break;
                    },
                    _ = stop.changed() => break,
                }
            },
            Err(e) => tracing::warn!(error = %e, "cannot hear the other nodes; polling until it can"),
        }
        app.stop_hearing();
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Keeps this node among the nodes on the database (it joined them before serving, with
/// `App::join_nodes`): heartbeats (renewing its leases, taking over those of silent nodes) until
/// `stop` flips, then leaves, releasing what it still holds. Stop it after the other workers, so
/// their leases are renewed to the end.
pub async fn heartbeat(app: App, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        match app.heartbeat().await {
            Ok(beat) if !beat.taken_over.is_empty() => {
                tracing::info!(nodes = ?beat.taken_over, released = ?beat.released, "took over silent nodes' work")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "heartbeat failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(crate::app::HEARTBEAT_EVERY) => {}
            _ = stop.changed() => {}
        }
    }
    match app.leave_nodes().await {
        Ok(released) if released != Default::default() => tracing::info!(?released, "left the nodes"),
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "could not leave the nodes; the others take over after the heartbeat times out")
        }
    }
}

/// Deletes idempotency keys older than their time to live; runs `also` on each round (the
/// server forgets idle rate-limit buckets there).
pub async fn reap(app: App, mut stop: watch::Receiver<bool>, also: impl Fn() + Send) {
    let config = app.idempotency_config().clone();
    while !*stop.borrow() {
        let cutoff = app.clock().now().micros() - config.ttl.as_micros() as i64;
        match app.reap_idempotency_keys(cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(keys = n, "expired idempotency keys deleted"),
            Err(e) => tracing::error!(error = %e, "idempotency key reaper failed"),
        }
        also();
        tokio::select! {
            _ = tokio::time::sleep(config.reap_interval) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Sends due webhook deliveries, up to the configured concurrency, and at most
/// `per_endpoint` at once to any one endpoint from this node (a slow receiver holds only its
/// own slots).
///
/// Claims run ahead of the sending: a node may hold up to twice `per_endpoint` claimed
/// deliveries per endpoint (see [`App::claim_deliveries`]), the rest waiting for one of the
/// endpoint's slots, so the next delivery starts as soon as a slot frees instead of after a
/// claim's commit.
pub async fn run_deliveries(app: App, mut stop: watch::Receiver<bool>) {
    /// How long a wake-up waits for others before it claims.
    const CLAIM_PAUSE: Duration = Duration::from_millis(2);
    let config = app.webhook_config().clone();
    let slots = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let endpoints = EndpointSlots::new(config.per_endpoint.max(1) as usize);
    let mut running = JoinSet::new();
    while !*stop.borrow() {
        while running.try_join_next().is_some() {}
        let free = slots.available_permits();
        app.note_free_delivery_slots(free);
        if free > 0 {
            let asked = free.min(32);
            match app.claim_deliveries(asked as u32).await {
                Ok(batch) if !batch.is_empty() => {
                    // Fewer than asked: nothing more is claimable now (no due delivery, or
                    // their endpoints at their cap); another claim would only scan again.
                    let more = batch.len() == asked;
                    for delivery in batch {
                        let (app, slots, endpoints) = (app.clone(), slots.clone(), endpoints.clone());
                        running.spawn(async move {
                            let endpoint = endpoints.slots_of(&delivery.endpoint_id);
                            let Ok(own) = endpoint.clone().acquire_owned().await else { return };
                            let Ok(slot) = slots.acquire_owned().await else { return };
                            let id = delivery.endpoint_id.clone();
                            app.deliver(delivery).await;
                            drop((slot, own));
                            endpoints.release(&id, endpoint);
                        });
                    }
                    if more {
                        continue;
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "could not claim webhook deliveries"),
            }
        }
        let poll = app.idle_poll(config.poll_interval);
        let next_due = app.next_delivery_due_in().await.ok().flatten().unwrap_or(poll);
        // Due deliveries of endpoints at their cap wait for a slot; never spin on them.
        let wait = next_due.clamp(Duration::from_millis(50), poll);
        let woken = tokio::select! {
            _ = app.deliveries_queued() => true,
            _ = tokio::time::sleep(wait) => false,
            Some(_) = running.join_next() => true,
            _ = stop.changed() => false,
        };
        if woken {
            // One claim for what is queued or freed in the next moment, not one claim (a
            // writer unit and a scan of the due deliveries) per new or finished delivery.
            // Sending does not wait for it: an endpoint's next deliveries are claimed already.
            tokio::time::sleep(CLAIM_PAUSE).await;
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), async { while running.join_next().await.is_some() {} }).await;
}

/// Each endpoint's sending slots on this node, kept while a delivery to it is claimed.
#[derive(Clone)]
struct EndpointSlots {
    per_endpoint: usize,
    by_endpoint: Arc<std::sync::Mutex<HashMap<WebhookEndpointId, Arc<Semaphore>>>>,
}

impl EndpointSlots {
    fn new(per_endpoint: usize) -> EndpointSlots {
        EndpointSlots { per_endpoint, by_endpoint: Arc::default() }
    }

    fn slots_of(&self, endpoint: &WebhookEndpointId) -> Arc<Semaphore> {
        let mut map = self.by_endpoint.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(endpoint.clone()).or_insert_with(|| Arc::new(Semaphore::new(self.per_endpoint))).clone()
    }

    /// Forgets the endpoint once no claimed delivery holds its slots.
    fn release(&self, endpoint: &WebhookEndpointId, slots: Arc<Semaphore>) {
        let mut map = self.by_endpoint.lock().unwrap_or_else(|p| p.into_inner());
        // Clones are made under this lock: two references are the map's and ours.
        if Arc::strong_count(&slots) == 2 {
            map.remove(endpoint);
        }
    }
}

/// Expires open checkout sessions whose time is up.
pub async fn expire_sessions(app: App, mut stop: watch::Receiver<bool>) {
    let every = app.checkout_config().sweep_interval;
    while !*stop.borrow() {
        match app.sweep_expired_sessions().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "checkout sessions expired"),
            Err(e) => tracing::error!(error = %e, "checkout session sweep failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Samples the queues' backlogs into gauges every few seconds (with metrics on).
pub async fn sample_backlogs(app: App, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        match app.backlogs().await {
            Ok((jobs, deliveries)) => {
                for (queue, b) in [("jobs", jobs), ("webhook_deliveries", deliveries)] {
                    metrics::gauge!("kassa_queue_pending", "queue" => queue).set(b.pending as f64);
                    metrics::gauge!("kassa_queue_running", "queue" => queue).set(b.running as f64);
                    metrics::gauge!("kassa_queue_lagging", "queue" => queue).set(b.lagging as f64);
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read the queues' backlogs"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop.changed() => {}
        }
    }
}
