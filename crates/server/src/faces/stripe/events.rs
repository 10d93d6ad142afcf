//! Events in Stripe's words: which Stripe events a Kassa event stands for, the event envelope,
//! and `/v1/events` (retrieve, list by `type`). Webhook deliveries (`webhooks.rs`) send the
//! same envelopes.
//!
//! One Kassa event may be several Stripe events: an authorization is
//! `payment_intent.amount_capturable_updated` and `charge.succeeded`, a saved card with its
//! customer `setup_intent.succeeded` and `payment_method.attached`. The first keeps the Kassa
//! event's id; each other one is that id and its object's name (`evt_…_charge`), so every
//! Stripe event has an id of its own that retrieves it.

use super::lists::{self, LIST_PARAMS};
use super::params;
use super::{Stripe, StripeError, expanded, render};
use crate::app::{App, AppError, AppResult, Ctx, Event, EventFilter, Payload};
use crate::http::HttpState;
use crate::http::face::{Caller, Id};
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::payment_intent::CaptureMethod;
use kassa_domain::{Fact, Invalid, Mode};
use serde_json::{Value, json};

/// A Stripe event type, the Kassa event type it comes from, and when (given the event's fact).
struct Source {
    stripe: &'static str,
    kassa: &'static str,
    when: fn(&Payload) -> bool,
}

const fn from(stripe: &'static str, kassa: &'static str) -> Source {
    Source { stripe, kassa, when: |_| true }
}

fn capture_method(p: &Payload) -> Option<CaptureMethod> {
    match p {
        Payload::Fact(Fact::PaymentIntent { payment_intent, .. }) => Some(payment_intent.capture_method),
        _ => None,
    }
}

fn with_customer(p: &Payload) -> bool {
    matches!(p, Payload::Fact(Fact::Token { token }) if token.customer.is_some())
}

/// Every Stripe event the face sends, by the Kassa event it comes from. Within one Kassa type,
/// in the order Stripe sends them.
const SOURCES: &[Source] = &[
    from("payment_intent.created", "payment_intent.created"),
    from("payment_intent.processing", "payment_intent.processing"),
    from("payment_intent.requires_action", "payment_intent.requires_action"),
    from("payment_intent.amount_capturable_updated", "payment_intent.requires_capture"),
    from("charge.succeeded", "payment_intent.requires_capture"),
    Source {
        stripe: "charge.succeeded",
        kassa: "payment_intent.captured",
        when: |p| capture_method(p) == Some(CaptureMethod::Automatic),
    },
    Source {
        stripe: "charge.captured",
        kassa: "payment_intent.captured",
        when: |p| capture_method(p) == Some(CaptureMethod::Manual),
    },
    from("charge.captured", "payment_intent.partially_captured"),
    from("payment_intent.succeeded", "payment_intent.succeeded"),
    from("payment_intent.payment_failed", "payment_intent.payment_failed"),
    from("charge.failed", "payment_intent.payment_failed"),
    from("payment_intent.canceled", "payment_intent.canceled"),
    from("refund.created", "refund.created"),
    from("refund.updated", "refund.updated"),
    from("refund.failed", "refund.failed"),
    from("charge.refunded", "refund.succeeded"),
    from("checkout.session.completed", "checkout.session.completed"),
    from("checkout.session.expired", "checkout.session.expired"),
    from("product.created", "product.created"),
    from("product.updated", "product.updated"),
    from("price.created", "price.created"),
    from("price.updated", "price.updated"),
    from("customer.created", "customer.created"),
    from("customer.updated", "customer.updated"),
    from("customer.deleted", "customer.deleted"),
    from("setup_intent.created", "token.created"),
    from("setup_intent.succeeded", "token.approved"),
    Source { stripe: "payment_method.attached", kassa: "token.approved", when: with_customer },
    from("setup_intent.setup_failed", "token.rejected"),
    from("payment_method.attached", "token.attached"),
    from("payment_method.detached", "token.detached"),
];

/// Every Stripe event type the face sends.
pub fn stripe_types() -> impl Iterator<Item = &'static str> {
    let mut seen = Vec::new();
    SOURCES.iter().map(|s| s.stripe).filter(move |t| {
        let new = !seen.contains(t);
        seen.push(*t);
        new
    })
}

/// Whether the face sends events of this Stripe type.
pub fn is_stripe_type(name: &str) -> bool {
    SOURCES.iter().any(|s| s.stripe == name)
}

/// The Kassa event types a Stripe type comes from.
pub fn kassa_types(stripe: &str) -> impl Iterator<Item = &'static str> + '_ {
    SOURCES.iter().filter(move |s| s.stripe == stripe).map(|s| s.kassa)
}

/// One Stripe event of a Kassa event: its type and id.
#[derive(Debug, Clone, PartialEq)]
pub struct StripeEvent {
    /// `payment_intent.succeeded` …
    pub kind: &'static str,
    /// The Kassa event's id, with the object's name after it for all but the first.
    pub id: String,
}

/// The Stripe events a Kassa event stands for, in the order Stripe sends them.
pub fn stripe_events(event: &Event) -> Vec<StripeEvent> {
    SOURCES
        .iter()
        .filter(|s| s.kassa == event.event_type && (s.when)(&event.payload))
        .enumerate()
        .map(|(n, s)| StripeEvent {
            kind: s.stripe,
            id: if n == 0 { event.id.to_string() } else { format!("{}_{}", event.id, object_name(s.stripe)) },
        })
        .collect()
}

/// `charge` of `charge.succeeded`, `checkout.session` of `checkout.session.completed`.
fn object_name(kind: &str) -> &str {
    kind.rsplit_once('.').map_or(kind, |(object, _)| object)
}

/// The Kassa event a Stripe event id belongs to.
fn kassa_event_id(id: &str) -> &str {
    let body_end = id.strip_prefix("evt_").and_then(|body| body.find('_')).map_or(id.len(), |at| at + "evt_".len());
    &id[..body_end]
}

/// The object of a Stripe event of `event`, as it was then (a charge's refunds: as it is now),
/// if it has one (a payment through a provider has no charge).
async fn object(app: &App, ctx: &Ctx, kind: &str, event: &Event) -> AppResult<Option<Value>> {
    let Payload::Fact(fact) = &event.payload else { return Ok(None) };
    Ok(match (object_name(kind), fact) {
        ("charge", Fact::PaymentIntent { payment_intent, .. }) => super::charges::charge(app, payment_intent),
        ("charge", Fact::Refund { refund, .. }) => {
            let pi = app.get_payment_intent(ctx, refund.payment_intent_id.as_str()).await?;
            super::charges::charge(app, &pi)
        }
        ("payment_intent", Fact::PaymentIntent { payment_intent, .. }) => {
            Some(render::payment_intent(app, payment_intent))
        }
        ("refund", Fact::Refund { refund, .. }) => Some(render::refund(refund)),
        ("customer", Fact::Customer { customer }) => Some(render::customer(customer)),
        ("product", Fact::Product { product }) => Some(super::catalog::product(product)),
        ("price", Fact::Price { price }) => Some(super::catalog::price(price)),
        ("checkout.session", Fact::CheckoutSession { checkout_session }) => {
            Some(super::checkout::session_object(app, checkout_session))
        }
        ("setup_intent", Fact::Token { token }) => Some(super::payment_methods::setup_intent(token)),
        ("payment_method", Fact::Token { token }) => Some(super::payment_methods::payment_method(token)),
        _ => None,
    })
}

/// A Stripe event as Stripe shows it (`GET /v1/events/{id}`, and every webhook delivery), if
/// it has an object.
pub async fn envelope(
    app: &App,
    ctx: &Ctx,
    event: &Event,
    shown: &StripeEvent,
    pending_webhooks: i64,
) -> AppResult<Option<Value>> {
    let Some(object) = object(app, ctx, shown.kind, event).await? else { return Ok(None) };
    Ok(Some(json!({
        "id": shown.id,
        "object": "event",
        "api_version": render::API_VERSION,
        "created": render::unix(event.created_at),
        "data": {"object": object},
        "livemode": event.mode == Mode::Live,
        "pending_webhooks": pending_webhooks,
        "request": {"id": event.request_id, "idempotency_key": event.idempotency_key},
        "type": shown.kind,
    })))
}

/// The Stripe events of Kassa events, as envelopes (of one type, given one).
async fn envelopes(app: &App, ctx: &Ctx, events: &[Event], kind: Option<&str>) -> AppResult<Vec<Value>> {
    let mut shown = Vec::new();
    for event in events {
        for one in stripe_events(event).iter().filter(|e| kind.is_none_or(|k| e.kind == k)) {
            shown.extend(envelope(app, ctx, event, one, 0).await?);
        }
    }
    Ok(shown)
}

/// Retrieve an event.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let expand = params::finish(params::read(query.unwrap_or_default().as_bytes(), &[])?, false)?;
    let not_found = || AppError::not_found("event", &id);
    let event = s.app.get_event(&ctx, kassa_event_id(&id)).await.map_err(|_| not_found())?;
    let one = stripe_events(&event).into_iter().find(|e| e.id == id).ok_or_else(not_found)?;
    let shown = envelope(&s.app, &ctx, &event, &one, 0).await?.ok_or_else(not_found)?;
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
        SOURCES
            .iter()
            .find(|s| s.stripe == t)
            .map(|s| s.stripe)
            .ok_or_else(|| Invalid::new("parameter_invalid", format!("No such event type: {t}.")))
    });
    let expand = params::finish(f, true)?;
    // A page holds every Stripe event of its Kassa events: the next starts past the anchor's.
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_event(&ctx, kassa_event_id(id)).await?),
        None => None,
    };
    let filter = EventFilter {
        event_types: kind.map(|k| kassa_types(k).map(str::to_owned).collect()).unwrap_or_default(),
        created: request.created.clone(),
        ..EventFilter::default()
    };
    let page = s
        .app
        .list_events(&ctx, &filter, request.page_at(anchor.as_ref().map(|e| (e.created_at, e.id.as_str())))?)
        .await?;
    // A page holds the Stripe events of a page of Kassa events (its `has_more` says whether
    // Kassa holds more): Kassa events Stripe has no name for add none.
    let shown = envelopes(&s.app, &ctx, &page.items, kind).await?;
    let page = crate::app::Page { items: shown, next: page.next };
    expanded(&s.app, &ctx, request.answer("/v1/events", page), &expand).await
}
