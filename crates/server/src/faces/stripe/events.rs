//! Events in Stripe's words: which Kassa events Stripe has a name for, the event envelope, and
//! `/v1/events` (retrieve, list by `type`). Webhook deliveries (`webhooks.rs`) send the same
//! envelope.

use super::lists::{self, LIST_PARAMS};
use super::params;
use super::{Stripe, StripeError, expand, expanded, render};
use crate::app::{App, AppError, Event, EventFilter, Payload};
use crate::http::HttpState;
use crate::http::face::{Caller, Id};
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::{Fact, Invalid, Mode};
use serde_json::{Value, json};

/// Stripe's event types and the Kassa event each one is.
pub const EVENT_TYPES: &[(&str, &str)] = &[
    ("payment_intent.created", "payment_intent.created"),
    ("payment_intent.processing", "payment_intent.processing"),
    ("payment_intent.requires_action", "payment_intent.requires_action"),
    ("payment_intent.amount_capturable_updated", "payment_intent.requires_capture"),
    ("payment_intent.succeeded", "payment_intent.succeeded"),
    ("payment_intent.payment_failed", "payment_intent.payment_failed"),
    ("payment_intent.canceled", "payment_intent.canceled"),
    ("refund.created", "refund.created"),
    ("refund.updated", "refund.updated"),
    ("refund.failed", "refund.failed"),
    ("checkout.session.completed", "checkout.session.completed"),
    ("checkout.session.expired", "checkout.session.expired"),
    ("product.created", "product.created"),
    ("product.updated", "product.updated"),
    ("price.created", "price.created"),
    ("price.updated", "price.updated"),
    ("customer.created", "customer.created"),
    ("customer.updated", "customer.updated"),
    ("customer.deleted", "customer.deleted"),
];

/// The Stripe name of a Kassa event type, if Stripe has one.
pub fn stripe_type(kassa: &str) -> Option<&'static str> {
    EVENT_TYPES.iter().find(|(_, k)| *k == kassa).map(|(s, _)| *s)
}

/// The Kassa event type behind a Stripe name.
pub fn kassa_type(stripe: &str) -> Option<&'static str> {
    EVENT_TYPES.iter().find(|(s, _)| *s == stripe).map(|(_, k)| *k)
}

/// The event as Stripe shows it (`GET /v1/events/{id}`, and every webhook delivery), if Stripe
/// has words for it.
pub fn envelope(app: &App, event: &Event, pending_webhooks: i64) -> Option<Value> {
    let kind = stripe_type(&event.event_type)?;
    let object = match &event.payload {
        Payload::Fact(Fact::PaymentIntent { payment_intent, .. }) => render::payment_intent(app, payment_intent),
        Payload::Fact(Fact::Refund { refund, .. }) => render::refund(refund),
        Payload::Fact(Fact::Customer { customer }) => render::customer(customer),
        Payload::Fact(Fact::Product { product }) => super::catalog::product(product),
        Payload::Fact(Fact::Price { price }) => super::catalog::price(price),
        Payload::Fact(Fact::CheckoutSession { checkout_session }) => {
            super::checkout::session_object(app, checkout_session)
        }
        _ => return None,
    };
    Some(json!({
        "id": event.id.as_str(),
        "object": "event",
        "api_version": render::API_VERSION,
        "created": render::unix(event.created_at),
        "data": {"object": object},
        "livemode": event.mode == Mode::Live,
        "pending_webhooks": pending_webhooks,
        "request": {"id": event.request_id, "idempotency_key": event.idempotency_key},
        "type": kind,
    }))
}

/// Retrieve an event.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), &[])?;
    let expand = params::expand(&mut f);
    f.finish()?;
    expand::check(&expand, false)?;
    let event = s.app.get_event(&ctx, &id).await?;
    let shown = envelope(&s.app, &event, 0).ok_or_else(|| AppError::not_found("event", &id))?;
    expanded(&s.app, &ctx, shown, &expand).await
}

/// List events, newest first (`type`: one Stripe event type).
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    let kind = f.parsed("type", |t| {
        kassa_type(t).ok_or_else(|| Invalid::new("parameter_invalid", format!("No such event type: {t}.")))
    });
    let expand = params::expand(&mut f);
    f.finish()?;
    expand::check(&expand, true)?;
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_event(&ctx, id).await?.created_at),
        None => None,
    };
    let filter =
        EventFilter { event_type: kind.map(str::to_owned), created: request.created.clone(), ..EventFilter::default() };
    let page = s.app.list_events(&ctx, &filter, request.page(anchor)?).await?;
    // Events Stripe has no name for are left out of the page (its `has_more` still says
    // whether Kassa holds more).
    let page = page.map(|e| envelope(&s.app, &e, 0));
    let page = crate::app::Page { items: page.items.into_iter().flatten().collect(), next: page.next };
    expanded(&s.app, &ctx, request.answer("/v1/events", page), &expand).await
}
