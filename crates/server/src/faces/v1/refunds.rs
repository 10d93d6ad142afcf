//! `/v1/refunds`

use super::V1;
use super::error::V1Error;
use super::render;
use super::{expand, read_metadata};
use crate::app::{AppError, Ctx, NewRefundInput, RefundFilter};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::vouched;
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::refund::RefundReason;
use kassa_domain::{PaymentIntentId, Refund};

async fn render_refund(s: &HttpState, ctx: &Ctx, refund: &Refund, expanded: bool) -> Result<api::Refund, AppError> {
    if !expanded {
        return Ok(render::refund(refund, None));
    }
    let pi = s.app.get_payment_intent(ctx, refund.payment_intent_id.as_str()).await?;
    Ok(render::refund(refund, Some(&pi)))
}

/// Refund (part of) a payment. Several partial refunds are allowed; together they never
/// exceed the captured amount.
#[utoipa::path(post, path = "/v1/refunds", tag = "Refunds", request_body = api::CreateRefund,
    params(("expand[]" = Option<String>, Query, description = "`payment_intent`")),
    responses((status = 200, body = api::Refund), (status = 404, body = api::ErrorBody), (status = 422, body = api::ErrorBody)))]
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Refund>, V1Error> {
    let expanded = expand(&mut q, "payment_intent")?;
    q.finish()?;
    let payment_intent = f.required_string("payment_intent", 100);
    let capture = f.string("capture", 100);
    let amount = f.amount("amount");
    let reason = f.parsed("reason", RefundReason::parse);
    let metadata = read_metadata(&mut f, "metadata");
    f.finish()?;
    let input = NewRefundInput {
        payment_intent: vouched(payment_intent)?,
        capture,
        amount,
        reason,
        metadata: metadata.unwrap_or_default(),
        face_notes: Default::default(),
    };
    let refund = s.app.create_refund(&ctx, input).await?;
    Ok(Json(render_refund(&s, &ctx, &refund, expanded).await?))
}

/// Retrieve a refund.
#[utoipa::path(get, path = "/v1/refunds/{id}", tag = "Refunds",
    params(("id" = String, Path), ("expand[]" = Option<String>, Query, description = "`payment_intent`")),
    responses((status = 200, body = api::Refund), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::Refund>, V1Error> {
    let expanded = expand(&mut q, "payment_intent")?;
    q.finish()?;
    let refund = s.app.get_refund(&ctx, &id).await?;
    Ok(Json(render_refund(&s, &ctx, &refund, expanded).await?))
}

/// List refunds, newest first.
#[utoipa::path(get, path = "/v1/refunds", tag = "Refunds",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query), ("payment_intent" = Option<String>, Query),
           ("created[gte]" = Option<String>, Query), ("created[lte]" = Option<String>, Query),
           ("created[gt]" = Option<String>, Query), ("created[lt]" = Option<String>, Query),
           ("expand[]" = Option<String>, Query, description = "`data.payment_intent`")),
    responses((status = 200, body = api::List<api::Refund>)))]
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::Refund>>, V1Error> {
    let page = q.page();
    let expanded = expand(&mut q, "data.payment_intent")?;
    let payment_intent = q.take("payment_intent");
    let created = q.time_range("created");
    q.finish()?;
    let payment_intent = match payment_intent {
        // An id that cannot exist matches nothing, like any unknown id.
        Some(raw) => match PaymentIntentId::parse(&raw) {
            Some(id) => Some(id),
            None => return Ok(Json(api::List::new(Vec::new(), None))),
        },
        None => None,
    };
    let found = s.app.list_refunds(&ctx, &RefundFilter { payment_intent, created }, page).await?;
    let mut data = Vec::with_capacity(found.items.len());
    for refund in &found.items {
        data.push(render_refund(&s, &ctx, refund, expanded).await?);
    }
    Ok(Json(api::List::new(data, found.next.map(|c| c.encode()))))
}

/// Update a refund's metadata.
#[utoipa::path(post, path = "/v1/refunds/{id}", tag = "Refunds", params(("id" = String, Path)), request_body = api::UpdateRefund,
    responses((status = 200, body = api::Refund), (status = 404, body = api::ErrorBody)))]
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Refund>, V1Error> {
    let metadata = f.string_map("metadata");
    f.finish()?;
    Ok(Json(render::refund(&s.app.update_refund(&ctx, &id, metadata, Default::default()).await?, None)))
}
