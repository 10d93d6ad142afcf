//! Stripe's webhooks: `/v1/webhook_endpoints` (the `whsec_…` secret shown once, at create),
//! and the dialect that delivers Stripe's event envelope signed `Stripe-Signature: t=…,v1=…`
//! (the HMAC `stripe.webhooks.constructEvent` checks), through the same durable, retried,
//! logged deliveries as every dialect.

use super::events::{self, envelope, stripe_events};
use super::lists::{self, LIST_PARAMS};
use super::params::{self, Kind};
use super::{Stripe, StripeError, render};
use crate::app::{
    App, AppError, AppResult, Ctx, Delivery, EndpointChanges, NewEndpointInput, Rendered, Scope, WebhookDialect,
};
use crate::connector::BoxFuture;
use crate::http::HttpState;
use crate::http::face::{Caller, Id, RawBody};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::webhook::{Dialect, EnabledEvents, EndpointStatus, EndpointUrl, WebhookEndpoint};
use kassa_domain::{FaceNotes, Invalid, KeyKind, Metadata, Mode, RequestId};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The dialect's name, as stored on the endpoints this face creates.
pub const DIALECT: &str = "stripe";
const FACE: &str = "stripe";
/// The Stripe event types an endpoint asked for (`*` for all), as it named them.
const ENABLED_EVENTS: &str = "enabled_events";
/// The API version an endpoint asked for.
const API_VERSION: &str = "api_version";

/// `enabled_events[]`: Stripe event types, or `*`.
fn read_enabled(f: &mut Fields) -> Option<Vec<String>> {
    let names: Vec<String> = match f.json("enabled_events")? {
        Value::Array(items) => items.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Value::String(one) => vec![one],
        _ => Vec::new(),
    };
    let unknown: Vec<&str> =
        names.iter().filter(|n| n.as_str() != "*" && !events::is_stripe_type(n)).map(String::as_str).collect();
    if names.is_empty() || !unknown.is_empty() {
        let why = if names.is_empty() {
            "List at least one event type, or \"*\".".to_owned()
        } else {
            format!("Invalid event types (or not sent by this gateway yet): {}.", unknown.join(", "))
        };
        f.reject("enabled_events", Invalid::new("parameter_invalid", why));
        return None;
    }
    Some(names)
}

/// The Kassa events that make the Stripe events an endpoint asked for (the dialect then sends
/// only those of them it asked for: a `token.approved` is a `payment_method.attached` too).
fn kassa_events(names: &[String]) -> EnabledEvents {
    let all = names.iter().any(|n| n == "*");
    let asked: Vec<&str> =
        if all { events::stripe_types().collect() } else { names.iter().map(String::as_str).collect() };
    let types: BTreeSet<String> = asked.into_iter().flat_map(events::kassa_types).map(str::to_owned).collect();
    EnabledEvents::Only(types)
}

/// Whether an endpoint asked for events of a Stripe type.
fn asked_for(e: &WebhookEndpoint, kind: &str) -> bool {
    e.face_notes.get(FACE, ENABLED_EVENTS).is_some_and(|n| n.split(',').any(|asked| asked == "*" || asked == kind))
}

fn render_endpoint(e: &WebhookEndpoint, with_secret: bool) -> Value {
    let enabled: Vec<&str> = e.face_notes.get(FACE, ENABLED_EVENTS).map_or_else(Vec::new, |n| n.split(',').collect());
    let mut body = json!({
        "id": e.id.as_str(),
        "object": "webhook_endpoint",
        "api_version": e.face_notes.get(FACE, API_VERSION),
        "application": null,
        "created": render::unix(e.created_at),
        "description": e.description,
        "enabled_events": enabled,
        "livemode": e.mode == Mode::Live,
        "metadata": serde_json::to_value(&e.metadata).unwrap_or_else(|_| json!({})),
        "status": if e.status == EndpointStatus::Enabled { "enabled" } else { "disabled" },
        "url": e.url.as_str(),
    });
    if with_secret {
        body["secret"] = json!(e.secret);
    }
    body
}

/// An endpoint this face made: another face's endpoint speaks another dialect and is not
/// Stripe's to show.
async fn endpoint(app: &App, ctx: &Ctx, id: &str) -> AppResult<WebhookEndpoint> {
    let e = app.get_webhook_endpoint(ctx, id).await?;
    if e.dialect.as_str() != DIALECT {
        return Err(AppError::not_found("webhook_endpoint", id));
    }
    Ok(e)
}

/// Create an endpoint: its secret is in this answer only.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[])?;
    let mode = ctx.scope.mode;
    let url = f.required_parsed("url", |u| EndpointUrl::parse(u, mode));
    let names = read_enabled(&mut f);
    if names.is_none() && !f.has_errors() {
        f.reject("enabled_events", Invalid::new("parameter_missing", "Missing required param: enabled_events."));
    }
    let description = f.string("description", 5000);
    let metadata = f.string_map("metadata").unwrap_or_default();
    let api_version = f.string("api_version", 40);
    f.finish()?;
    let names = vouched(names)?;
    let notes =
        FaceNotes::default().with(FACE, ENABLED_EVENTS, Some(names.join(","))).with(FACE, API_VERSION, api_version);
    let input = NewEndpointInput {
        url: vouched(url)?,
        enabled_events: kassa_events(&names),
        description,
        metadata: Metadata::new(metadata).map_err(|e| AppError::invalid_field("metadata", e))?,
        face_notes: notes,
        dialect: Dialect::new(DIALECT),
    };
    Ok(Json(render_endpoint(&s.app.create_webhook_endpoint(&ctx, input).await?, true)))
}

/// Retrieve an endpoint (without its secret, as Stripe).
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
) -> Result<Json<Value>, StripeError> {
    Ok(Json(render_endpoint(&endpoint(&s.app, &ctx, &id).await?, false)))
}

/// Update `url`, `enabled_events`, `disabled`, `description`, `metadata`.
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[("disabled", Kind::Boolean)])?;
    let mode = ctx.scope.mode;
    let url = f.parsed("url", |u| EndpointUrl::parse(u, mode));
    let names = read_enabled(&mut f);
    let disabled = f.boolean("disabled");
    let description = f.string("description", 5000);
    let metadata = f.string_map("metadata");
    f.finish()?;
    endpoint(&s.app, &ctx, &id).await?;
    let changes = EndpointChanges {
        url,
        enabled_events: names.as_deref().map(kassa_events),
        active: disabled.map(|d| !d),
        description,
        metadata,
        face_notes: FaceNotes::default().with(FACE, ENABLED_EVENTS, names.map(|n| n.join(","))),
    };
    Ok(Json(render_endpoint(&s.app.update_webhook_endpoint(&ctx, &id, changes).await?, false)))
}

/// Delete an endpoint.
pub async fn delete(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
) -> Result<Json<Value>, StripeError> {
    endpoint(&s.app, &ctx, &id).await?;
    s.app.delete_webhook_endpoint(&ctx, &id).await?;
    Ok(Json(json!({"id": id, "object": "webhook_endpoint", "deleted": true})))
}

/// List the endpoints this face made, newest first.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    f.finish()?;
    let anchor = match request.anchor() {
        Some(id) => Some(endpoint(&s.app, &ctx, id).await?.created_at),
        None => None,
    };
    let page = s.app.list_webhook_endpoints_in(&ctx, &Dialect::new(DIALECT), request.page(anchor)?).await?;
    Ok(Json(request.answer("/v1/webhook_endpoints", page.map(|e| render_endpoint(&e, false)))))
}

/// Deliveries to endpoints created through the Stripe face.
pub struct StripeWebhooks;

impl WebhookDialect for StripeWebhooks {
    fn name(&self) -> &'static str {
        DIALECT
    }

    fn render<'a>(&'a self, app: &'a App, d: Delivery<'a>) -> BoxFuture<'a, AppResult<Vec<Rendered>>> {
        Box::pin(async move {
            let scope = Scope { merchant_id: d.endpoint.merchant_id.clone(), mode: d.endpoint.mode };
            let ctx = Ctx::new(scope, KeyKind::Secret, RequestId::generate(), None);
            let mut requests = Vec::new();
            for one in stripe_events(d.event).iter().filter(|e| asked_for(d.endpoint, e.kind)) {
                let Some(event) = envelope(app, &ctx, d.event, one, 1).await? else { continue };
                let body = serde_json::to_vec(&event).map_err(AppError::internal)?;
                let signature =
                    kassa_api::signature::sign(&body, render::unix(d.now), &d.endpoint.signing_secrets(d.now));
                let headers = vec![
                    ("Content-Type".to_owned(), "application/json; charset=utf-8".to_owned()),
                    ("Stripe-Signature".to_owned(), signature),
                ];
                requests.push(Rendered { body, headers });
            }
            Ok(requests)
        })
    }
}
