//! `/v1/events`

use super::V1;
use super::error::V1Error;
use super::render;
use crate::app::EventFilter;
use crate::http::HttpState;
use crate::http::face::{Caller, Id, Params};
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::{EventType, Invalid};

fn event_type(s: &str) -> Result<String, Invalid> {
    let known = EventType::ALL.iter().any(|t| t.as_str() == s);
    let prefix =
        s.strip_suffix(".*").is_some_and(|p| EventType::ALL.iter().any(|t| t.as_str().starts_with(&format!("{p}."))));
    if known || prefix {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new(
            "invalid_event_type",
            format!(
                "`{s}` is not an event type; give one such as payment_intent.succeeded, or a prefix such as refund.*."
            ),
        ))
    }
}

/// List events, newest first.
#[utoipa::path(get, path = "/v1/events", tag = "Events",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query),
           ("type" = Option<String>, Query, description = "An event type, or a prefix such as `refund.*`"),
           ("related_object" = Option<String>, Query, description = "Events about this object or related to it"),
           ("created[gte]" = Option<String>, Query), ("created[lte]" = Option<String>, Query),
           ("created[gt]" = Option<String>, Query), ("created[lt]" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::Event>)))]
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::Event>>, V1Error> {
    let page = q.page();
    let event_type = q.parsed("type", event_type);
    let related_object = q.take("related_object");
    let created = q.time_range("created");
    q.finish()?;
    let found = s
        .app
        .list_events(
            &ctx,
            &EventFilter { event_types: event_type.into_iter().collect(), related_object, created },
            page,
        )
        .await?;
    Ok(Json(api::List::new(
        found.items.iter().map(|e| render::event(e, &s.app)).collect(),
        found.next.map(|c| c.encode()),
    )))
}

/// Retrieve an event.
#[utoipa::path(get, path = "/v1/events/{id}", tag = "Events", params(("id" = String, Path)),
    responses((status = 200, body = api::Event), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Event>, V1Error> {
    q.finish()?;
    Ok(Json(render::event(&s.app.get_event(&ctx, &id).await?, &s.app)))
}
