//! Delivering webhooks: claim a due delivery, POST the event signed, record the attempt, and
//! decide what comes next, all in one transaction after the answer.
//!
//! At least once: a delivery stays pending until an attempt succeeds, the endpoint answers
//! 410, or the retry schedule is used up. A sender that dies mid-delivery leaves it claimed
//! until its lease runs out; then any node sends it again (receivers dedupe by event id).
//!
//! Hence an attempt's record does not wait to be durable ([`App::commit_redoable`]): a crash
//! that loses it only sends the delivery again, and a sender waiting for an fsync per
//! delivery would hold its endpoint's slot for it. Claims are durable before anything is sent
//! ([`App::claim_deliveries`]).

use super::dialects::Delivery;
use super::events::{NewEvent, Subscribers};
use super::{App, AppError, AppResult, Cause};
use kassa_domain::webhook::{AttemptAnswer, EndpointStatus, NextStep, WebhookEndpoint};
use kassa_domain::{AttemptId, EventType, Fact};
use kassa_store::webhooks::{self as store, Attempt, ClaimedDelivery};
use kassa_store::{Scope, WriteTx};
use rand::Rng;
use std::time::Duration;
use tracing::Instrument;

impl App {
    /// Claims up to `limit` due deliveries, at most twice `per_endpoint` claimed per endpoint
    /// (one `per_endpoint` sending, the next waiting for their slots on the claiming node).
    /// Returns once the claim is durable: on SQLite a claim can see the deliveries of the
    /// batch still open, whose events nobody may hear of before it is committed.
    pub async fn claim_deliveries(&self, limit: u32) -> AppResult<Vec<ClaimedDelivery>> {
        let config = self.webhook_config();
        let now = self.clock().now();
        let lease_end = now.plus_millis(config.lease.as_millis() as i64);
        let token = self.lease_token();
        let claimed_per_endpoint = config.per_endpoint.saturating_mul(2);
        let mut tx = self.store().begin().await?;
        let claimed =
            store::claim_due_deliveries(&mut tx, now.micros(), lease_end.micros(), &token, limit, claimed_per_endpoint)
                .await?;
        self.commit(tx).await?;
        Ok(claimed)
    }

    /// Gives back a claimed delivery without attempting it.
    pub async fn unclaim_delivery(&self, delivery: &ClaimedDelivery) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        store::unclaim_delivery(&mut tx, delivery).await?;
        self.commit_redoable(tx).await?;
        Ok(())
    }

    /// How long until a pending delivery may become claimable, if any is pending.
    pub async fn next_delivery_due_in(&self) -> AppResult<Option<Duration>> {
        let wake = store::next_delivery_wakeup(self.store().reader()).await?;
        let now = self.clock().now().micros();
        Ok(wake.map(|w| Duration::from_micros(w.saturating_sub(now).max(0) as u64)))
    }

    /// Sends one claimed delivery and records what happened. Never fails: a problem leaves
    /// the delivery claimed until its lease runs out, and it is sent again.
    pub async fn deliver(&self, delivery: ClaimedDelivery) {
        let span = tracing::info_span!("webhook", delivery = %delivery.id, event = %delivery.event_id, endpoint = %delivery.endpoint_id, attempt = delivery.attempt);
        // `instrument`, not `span.enter()`, which must never be held across `.await`.
        async {
            if let Err(e) = self.try_deliver(&delivery).await {
                tracing::error!(error = %e, "delivery could not be completed; it will be retried after its lease");
            }
        }
        .instrument(span)
        .await
    }

    async fn try_deliver(&self, d: &ClaimedDelivery) -> AppResult<()> {
        let scope = Scope { merchant_id: d.merchant_id.clone(), mode: d.mode };
        let (endpoint, deleted) = store::endpoint_by_id(self.store().reader(), &d.endpoint_id)
            .await?
            .ok_or_else(|| AppError::internal("delivery to a missing endpoint"))?;
        let endpoint = self.opened_endpoint(endpoint)?;
        if endpoint.status == EndpointStatus::Disabled && !deleted {
            // Kept pending: it resumes if the endpoint is enabled again.
            return self.unclaim_delivery(d).await;
        }
        let now = self.clock().now();
        if deleted {
            let mut tx = self.store().begin().await?;
            store::finish_delivery(&mut tx, d, false, now).await?;
            return self.commit_redoable(tx).await;
        }
        let event = self.event_for_delivery(&scope, &d.event_id).await?;
        let dialect = self
            .inner
            .dialects
            .get(&endpoint.dialect)
            .ok_or_else(|| AppError::internal(format!("no webhook dialect `{}`", endpoint.dialect.as_str())))?;
        let delivery =
            Delivery { event: &event, endpoint: &endpoint, delivery_id: d.id.as_str(), attempt: d.attempt, now };
        let requests = dialect.render(self, delivery).await?;
        if requests.is_empty() {
            // Nothing to say in the endpoint's dialect: the delivery ends, sent to no one.
            let mut tx = self.store().begin().await?;
            store::finish_delivery(&mut tx, d, true, now).await?;
            return self.commit_redoable(tx).await;
        }
        // In order, stopping at the first that fails: the attempt records that one (or the
        // last), and a retry sends them all again (receivers dedupe by event id).
        let mut sent = None;
        for rendered in requests {
            let headers: Vec<(&str, String)> = rendered.headers.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let answer = self.inner.sender.post(d.mode, endpoint.url.as_str(), &headers, rendered.body).await;
            tracing::info!(
                status = answer.status.unwrap_or(0),
                latency_ms = answer.latency.as_millis() as u64,
                error = answer.error.as_deref().unwrap_or(""),
                "webhook sent"
            );
            let failed = !answer.succeeded();
            sent = Some(answer);
            if failed {
                break;
            }
        }
        let sent = sent.expect("at least one request was sent");

        let now = self.clock().now();
        let attempt = Attempt {
            id: AttemptId::generate(),
            merchant_id: d.merchant_id.clone(),
            mode: d.mode,
            delivery_id: d.id.clone(),
            endpoint_id: d.endpoint_id.clone(),
            event_id: d.event_id.clone(),
            attempt: d.attempt,
            url: endpoint.url.as_str().to_owned(),
            status_code: sent.status.map(i64::from),
            error: sent.error.clone(),
            response_body: sent.body.clone(),
            latency_ms: sent.latency.as_millis() as i64,
            succeeded: sent.succeeded(),
            created_at: now,
        };
        let answer = AttemptAnswer { status: sent.status, retry_after: sent.retry_after };
        let jitter = rand::rng().random_range(0.9..=1.1);
        let mut tx = self.store().begin().await?;
        store::insert_attempt(&mut tx, &attempt).await?;
        let step = self.webhook_config().schedule.next_step(d.attempt as u32, answer, jitter);
        let outcome = match step {
            NextStep::Delivered => "delivered",
            NextStep::Retry(_) => "retry",
            NextStep::Gone => "gone",
            NextStep::Exhausted => "exhausted",
        };
        metrics::counter!("kassa_webhook_attempts_total", "outcome" => outcome).increment(1);
        metrics::histogram!("kassa_webhook_attempt_seconds").record(sent.latency.as_secs_f64());
        match step {
            NextStep::Delivered => {
                store::finish_delivery(&mut tx, d, true, now).await?;
            }
            NextStep::Retry(wait) => {
                store::retry_delivery_at(&mut tx, d, now.plus_millis(wait.as_millis() as i64)).await?;
            }
            NextStep::Gone => {
                if store::finish_delivery(&mut tx, d, false, now).await? {
                    self.disable_endpoint(&mut tx, &scope, &endpoint, "The endpoint answered 410 Gone.").await?;
                }
            }
            NextStep::Exhausted => {
                let finished = store::finish_delivery(&mut tx, d, false, now).await?;
                if finished && !store::endpoint_succeeded_since(&mut tx, &d.endpoint_id, d.created_at).await? {
                    let reason = "Every attempt failed for the whole retry schedule.";
                    self.disable_endpoint(&mut tx, &scope, &endpoint, reason).await?;
                }
            }
        }
        self.commit_redoable(tx).await?;
        Ok(())
    }

    /// Disables an endpoint Kassa gave up on, with a `webhook_endpoint.disabled` event.
    /// Returns `false` if it was disabled already.
    async fn disable_endpoint(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        seen: &WebhookEndpoint,
        reason: &str,
    ) -> AppResult<bool> {
        // Its secrets stay as stored (sealed): only its status changes.
        let Some(mut endpoint) = store::lock_endpoint(tx, scope, &seen.id).await? else { return Ok(false) };
        if !endpoint.disable(reason, self.clock().now()) {
            return Ok(false);
        }
        store::update_endpoint(tx, &endpoint).await?;
        tracing::warn!(endpoint = %endpoint.id, reason, "webhook endpoint disabled");
        let event = NewEvent {
            event_type: EventType::WebhookEndpointDisabled,
            payment_intent_id: None,
            fact: Fact::webhook_endpoint(&endpoint),
        };
        let mut subscribers: Subscribers = None;
        self.append_event(tx, &mut subscribers, &Cause::default(), scope, event).await?;
        Ok(true)
    }
}
