//! `/v1/refunds`: create (by `payment_intent`, all or `amount`), retrieve, list (by
//! `payment_intent`).

use super::lists::{self, LIST_PARAMS};
use super::params::{self, Kind};
use super::{Stripe, StripeError, render};
use crate::app::{NewRefundInput, RefundFilter};
use crate::http::HttpState;
use crate::http::face::{Caller, Id, RawBody};
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::refund::RefundReason;
use kassa_domain::{Invalid, Metadata, PaymentIntentId};
use serde_json::Value;

/// Refund (part of) a payment.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[("amount", Kind::Integer)])?;
    let payment_intent = f.required_string("payment_intent", 255);
    if f.has("charge") {
        f.reject(
            "charge",
            Invalid::new("parameter_unsupported", "Refund by payment_intent: charges are not served yet."),
        );
    }
    let amount = f.amount("amount");
    let reason = f.parsed("reason", RefundReason::parse);
    let metadata = f.string_map("metadata").and_then(|m| Metadata::new(m).map_err(|e| f.reject("metadata", e)).ok());
    let expand = params::expand(&mut f);
    f.finish()?;
    params::expandable(&expand, &[])?;
    let input = NewRefundInput {
        payment_intent: payment_intent.unwrap_or_default(),
        capture: None,
        amount,
        reason,
        metadata: metadata.unwrap_or_default(),
        face_notes: Default::default(),
    };
    Ok(Json(render::refund(&s.app.create_refund(&ctx, input).await?)))
}

/// Retrieve a refund.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), &[])?;
    let expand = params::expand(&mut f);
    f.finish()?;
    params::expandable(&expand, &[])?;
    Ok(Json(render::refund(&s.app.get_refund(&ctx, &id).await?)))
}

/// List refunds, newest first.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    let payment_intent = f.string("payment_intent", 255);
    let expand = params::expand(&mut f);
    f.finish()?;
    params::expandable(&expand, &[])?;
    let payment_intent = match payment_intent {
        Some(id) => Some(s.app.get_payment_intent(&ctx, &id).await?.id),
        None => None::<PaymentIntentId>,
    };
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_refund(&ctx, id).await?.created_at),
        None => None,
    };
    let filter = RefundFilter { payment_intent, created: request.created.clone() };
    let page = s.app.list_refunds(&ctx, &filter, request.page(anchor)?).await?;
    Ok(Json(request.answer("/v1/refunds", page.map(|r| render::refund(&r)))))
}
