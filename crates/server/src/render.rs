//! Domain values as native v1 wire objects. Used by the v1 face for responses and by the app
//! for event payloads (an event carries its object in v1 form).

use kassa_api as api;
use kassa_domain::{PaymentIntent, Refund, Timestamp};
use kassa_store::events::StoredEvent;
use time::OffsetDateTime;

/// A timestamp as a UTC date-time.
pub fn datetime(t: Timestamp) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.micros()) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A payment intent.
pub fn payment_intent(pi: &PaymentIntent) -> api::PaymentIntent {
    api::PaymentIntent {
        id: pi.id.to_string(),
        object: "payment_intent".into(),
        livemode: pi.mode.is_live(),
        status: api::PaymentIntentStatus::from(pi.status.as_str()),
        amount: pi.amount.get(),
        currency: api::Currency::new(pi.currency.code()),
        capture_method: api::CaptureMethod::from(pi.capture_method.as_str()),
        amount_authorized: pi.amount_authorized.get(),
        amount_captured: pi.amount_captured.get(),
        amount_capturable: pi.amount_capturable().get(),
        amount_refunded: pi.amount_refunded.get(),
        amount_refund_pending: pi.amount_refund_pending.get(),
        amount_canceled: pi.amount_canceled.get(),
        payment_method: pi.payment_method.as_ref().map(|pm| pm.id.clone()),
        payment_method_details: pi.payment_method.as_ref().map(|pm| api::PaymentMethodDetails {
            kind: "card".into(),
            card: api::Card {
                brand: pm.card.brand.as_str().into(),
                last4: pm.card.last4.clone(),
                exp_month: pm.card.exp_month,
                exp_year: pm.card.exp_year,
                fingerprint: pm.card.fingerprint.clone(),
            },
        }),
        pending_capture: pi.pending_capture.as_ref().map(|p| api::PendingCapture {
            id: p.id.to_string(),
            amount: p.amount.get(),
            final_capture: p.final_capture,
        }),
        last_payment_error: pi.last_error.as_ref().map(|e| api::PaymentError {
            code: e.code.clone(),
            decline_code: e.decline_code.clone(),
            message: e.message.clone(),
        }),
        cancellation_reason: pi.cancellation_reason.map(|r| api::CancellationReason::from(r.as_str())),
        customer: pi.customer.clone(),
        description: pi.description.clone(),
        statement_descriptor: pi.statement_descriptor.clone(),
        metadata: pi.metadata.entries().clone(),
        created_at: datetime(pi.created_at),
        updated_at: datetime(pi.updated_at),
    }
}

/// A refund, with its payment intent expanded when given.
pub fn refund(r: &Refund, expanded: Option<&PaymentIntent>) -> api::Refund {
    api::Refund {
        id: r.id.to_string(),
        object: "refund".into(),
        livemode: r.mode.is_live(),
        payment_intent: match expanded {
            Some(pi) => api::Expandable::Object(Box::new(payment_intent(pi))),
            None => api::Expandable::Id(r.payment_intent_id.to_string()),
        },
        amount: r.amount.get(),
        currency: api::Currency::new(r.currency.code()),
        reason: r.reason.map(|x| api::RefundReason::from(x.as_str())),
        status: api::RefundStatus::from(r.status.as_str()),
        failure_code: r.failure.as_ref().map(|f| f.decline_code.clone().unwrap_or_else(|| f.code.clone())),
        failure_message: r.failure.as_ref().map(|f| f.message.clone()),
        metadata: r.metadata.entries().clone(),
        created_at: datetime(r.created_at),
        updated_at: datetime(r.updated_at),
    }
}

/// An event.
pub fn event(e: &StoredEvent) -> api::Event {
    api::Event {
        id: e.id.to_string(),
        object: "event".into(),
        livemode: e.mode.is_live(),
        kind: e.event_type.clone(),
        payment_intent: e.payment_intent_id.clone(),
        data: api::EventData { object: serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null) },
        request: (e.request_id.is_some() || e.idempotency_key.is_some())
            .then(|| api::event::EventRequest { id: e.request_id.clone(), idempotency_key: e.idempotency_key.clone() }),
        created_at: datetime(e.created_at),
    }
}

/// A webhook endpoint; its secret only when `with_secret` (create and rotate answers).
pub fn webhook_endpoint(e: &kassa_domain::webhook::WebhookEndpoint, with_secret: bool) -> api::WebhookEndpoint {
    api::WebhookEndpoint {
        id: e.id.to_string(),
        object: "webhook_endpoint".into(),
        livemode: e.mode.is_live(),
        url: e.url.as_str().to_owned(),
        description: e.description.clone(),
        enabled_events: e.enabled_events.names(),
        status: api::WebhookEndpointStatus::from(e.status.as_str()),
        disabled_reason: e.disabled_reason.clone(),
        secret: with_secret.then(|| e.secret.clone()),
        metadata: e.metadata.entries().clone(),
        created_at: datetime(e.created_at),
        updated_at: datetime(e.updated_at),
    }
}

/// One delivery attempt.
pub fn webhook_attempt(a: &kassa_store::webhooks::Attempt) -> api::WebhookAttempt {
    api::WebhookAttempt {
        id: a.id.to_string(),
        object: "webhook_attempt".into(),
        delivery: a.delivery_id.to_string(),
        endpoint: a.endpoint_id.to_string(),
        event: a.event_id.to_string(),
        attempt: a.attempt,
        url: a.url.clone(),
        response_status: a.status_code,
        response_body: a.response_body.clone(),
        error: a.error.clone(),
        latency_ms: a.latency_ms,
        succeeded: a.succeeded,
        created_at: datetime(a.created_at),
    }
}

/// A delivery just queued.
pub fn webhook_delivery(q: &crate::app::QueuedDelivery) -> api::WebhookDelivery {
    api::WebhookDelivery {
        id: q.id.to_string(),
        object: "webhook_delivery".into(),
        event: q.event_id.to_string(),
        endpoint: q.endpoint_id.to_string(),
        status: api::DeliveryStatus::Pending,
        created_at: datetime(q.created_at),
    }
}
