//! `/v1/webhook_endpoints`, and the delivery side of `/v1/events/{id}`.

use super::V1;
use super::error::V1Error;
use super::read_metadata;
use super::render;
use crate::app::{AttemptsTarget, EndpointChanges, NewEndpointInput, Page};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::webhook::{Attempt, EnabledEvents, EndpointUrl};
use kassa_domain::{Invalid, Mode};
use std::time::Duration;

/// `enabled_events`: `["*"]` or a list of known event types.
fn enabled_events(f: &mut Fields, required: bool) -> Option<EnabledEvents> {
    if required && !f.has("enabled_events") {
        f.reject("enabled_events", Invalid::new("parameter_missing", "Missing required parameter: enabled_events."));
        return None;
    }
    let raw = f.json("enabled_events")?;
    let parsed = serde_json::from_value::<Vec<String>>(raw)
        .map_err(|_| Invalid::new("invalid_enabled_events", "Give a list of event types, or [\"*\"]."))
        .and_then(|names| EnabledEvents::parse(&names));
    parsed.map_err(|e| f.reject("enabled_events", e)).ok()
}

/// `url`, checked for the key's mode (live: https only).
fn endpoint_url(f: &mut Fields, mode: Mode, required: bool) -> Option<EndpointUrl> {
    let raw = if required { f.required_string("url", 2048) } else { f.string("url", 2048) }?;
    EndpointUrl::parse(&raw, mode).map_err(|e| f.reject("url", e)).ok()
}

/// Register an endpoint. The answer includes its signing secret, shown only now.
#[utoipa::path(post, path = "/v1/webhook_endpoints", tag = "Webhooks", request_body = api::CreateWebhookEndpoint,
    responses((status = 200, body = api::WebhookEndpoint), (status = 422, body = api::ErrorBody)))]
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::WebhookEndpoint>, V1Error> {
    let url = endpoint_url(&mut f, ctx.scope.mode, true);
    let enabled_events = enabled_events(&mut f, true);
    let description = f.string("description", 1000);
    let metadata = read_metadata(&mut f, "metadata");
    f.finish()?;
    let input = NewEndpointInput {
        url: vouched(url)?,
        enabled_events: vouched(enabled_events)?,
        description,
        metadata: metadata.unwrap_or_default(),
        face_notes: Default::default(),
        dialect: kassa_domain::webhook::Dialect::native(),
    };
    Ok(Json(render::webhook_endpoint(&s.app.create_webhook_endpoint(&ctx, input).await?, true)))
}

/// Retrieve an endpoint (without its secret).
#[utoipa::path(get, path = "/v1/webhook_endpoints/{id}", tag = "Webhooks", params(("id" = String, Path)),
    responses((status = 200, body = api::WebhookEndpoint), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::WebhookEndpoint>, V1Error> {
    q.finish()?;
    Ok(Json(render::webhook_endpoint(&s.app.get_webhook_endpoint(&ctx, &id).await?, false)))
}

/// List endpoints, newest first.
#[utoipa::path(get, path = "/v1/webhook_endpoints", tag = "Webhooks",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::WebhookEndpoint>)))]
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::WebhookEndpoint>>, V1Error> {
    let page = q.page();
    q.finish()?;
    let found = s.app.list_webhook_endpoints(&ctx, page).await?;
    Ok(Json(api::List::new(
        found.items.iter().map(|e| render::webhook_endpoint(e, false)).collect(),
        found.next.map(|c| c.encode()),
    )))
}

/// Change an endpoint: URL, subscriptions, description, metadata; `active` disables or
/// enables it.
#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}", tag = "Webhooks", params(("id" = String, Path)),
    request_body = api::UpdateWebhookEndpoint,
    responses((status = 200, body = api::WebhookEndpoint), (status = 404, body = api::ErrorBody), (status = 422, body = api::ErrorBody)))]
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::WebhookEndpoint>, V1Error> {
    let changes = EndpointChanges {
        url: endpoint_url(&mut f, ctx.scope.mode, false),
        enabled_events: enabled_events(&mut f, false),
        active: f.boolean("active"),
        description: f.string("description", 1000),
        metadata: f.string_map("metadata"),
        face_notes: Default::default(),
    };
    f.finish()?;
    Ok(Json(render::webhook_endpoint(&s.app.update_webhook_endpoint(&ctx, &id, changes).await?, false)))
}

/// Delete an endpoint.
#[utoipa::path(delete, path = "/v1/webhook_endpoints/{id}", tag = "Webhooks", params(("id" = String, Path)),
    responses((status = 200, body = api::Deleted), (status = 404, body = api::ErrorBody)))]
pub async fn delete(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
) -> Result<Json<api::Deleted>, V1Error> {
    let id = s.app.delete_webhook_endpoint(&ctx, &id).await?;
    Ok(Json(api::Deleted { id: id.to_string(), object: "webhook_endpoint".into(), deleted: true }))
}

/// Replace the signing secret; the old one keeps signing for `expires_in` seconds.
#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}/rotate_secret", tag = "Webhooks", params(("id" = String, Path)),
    request_body = api::RotateWebhookSecret,
    responses((status = 200, body = api::WebhookEndpoint), (status = 404, body = api::ErrorBody)))]
pub async fn rotate_secret(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::WebhookEndpoint>, V1Error> {
    let grace = f.integer("expires_in", 0, 7 * 24 * 3600, "invalid_expires_in").map(|s| Duration::from_secs(s as u64));
    f.finish()?;
    Ok(Json(render::webhook_endpoint(&s.app.rotate_webhook_secret(&ctx, &id, grace).await?, true)))
}

fn attempts_page(found: Page<Attempt>) -> api::List<api::WebhookAttempt> {
    api::List::new(found.items.iter().map(render::webhook_attempt).collect(), found.next.map(|c| c.encode()))
}

/// Every attempt at this endpoint, newest first.
#[utoipa::path(get, path = "/v1/webhook_endpoints/{id}/deliveries", tag = "Webhooks",
    params(("id" = String, Path), ("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::WebhookAttempt>), (status = 404, body = api::ErrorBody)))]
pub async fn endpoint_deliveries(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::WebhookAttempt>>, V1Error> {
    let page = q.page();
    q.finish()?;
    Ok(Json(attempts_page(s.app.webhook_attempts(&ctx, AttemptsTarget::Endpoint(&id), page).await?)))
}

/// Every attempt to deliver this event, newest first.
#[utoipa::path(get, path = "/v1/events/{id}/deliveries", tag = "Webhooks",
    params(("id" = String, Path), ("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::WebhookAttempt>), (status = 404, body = api::ErrorBody)))]
pub async fn event_deliveries(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::WebhookAttempt>>, V1Error> {
    let page = q.page();
    q.finish()?;
    Ok(Json(attempts_page(s.app.webhook_attempts(&ctx, AttemptsTarget::Event(&id), page).await?)))
}

/// Queue an event again, to one endpoint or to every subscribed one.
#[utoipa::path(post, path = "/v1/events/{id}/redeliver", tag = "Webhooks", params(("id" = String, Path)),
    request_body = api::RedeliverEvent,
    responses((status = 200, body = api::List<api::WebhookDelivery>), (status = 404, body = api::ErrorBody), (status = 409, body = api::ErrorBody)))]
pub async fn redeliver(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::List<api::WebhookDelivery>>, V1Error> {
    let endpoint = f.string("endpoint", 100);
    f.finish()?;
    let queued = s.app.redeliver_event(&ctx, &id, endpoint.as_deref()).await?;
    Ok(Json(api::List::new(queued.iter().map(render::webhook_delivery).collect(), None)))
}
