//! `/v1/captures/{id}` and `/v1/payment_intents/{id}/captures`: each capture as a record.

use super::error::V1Error;
use super::{V1, expect_no_query, render};
use crate::http::HttpState;
use crate::http::face::{Caller, Id, Params};
use axum::Json;
use axum::extract::State;
use kassa_api as api;

/// Retrieve a capture.
#[utoipa::path(get, path = "/v1/captures/{id}", tag = "Captures", params(("id" = String, Path)),
    responses((status = 200, body = api::Capture), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Capture>, V1Error> {
    expect_no_query(q)?;
    Ok(Json(render::capture(&s.app.get_capture(&ctx, &id).await?)))
}

/// A payment intent's captures, oldest first.
#[utoipa::path(get, path = "/v1/payment_intents/{id}/captures", tag = "Captures", params(("id" = String, Path),
    ("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::Capture>), (status = 404, body = api::ErrorBody)))]
pub async fn of_payment_intent(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::Capture>>, V1Error> {
    let page = q.page();
    q.finish()?;
    let found = s.app.payment_intent_captures(&ctx, &id, page).await?;
    Ok(Json(api::List::new(found.items.iter().map(render::capture).collect(), found.next.map(|c| c.encode()))))
}
