//! `/payments/{intent id}` (the result of a confirmed intent) and `/refunds`.

use super::views::{PaymentView, RefundView, intent_of_payment};
use super::{Seed, SeedError};
use crate::app::{AppError, ErrorKind, NewRefundInput};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::vouched;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kassa_domain::payment_intent::Status;
use kassa_domain::refund::RefundReason;
use kassa_domain::{Invalid, Metadata};

/// `GET /payments/{intent id}`: `425` while processing, the payment once authorized or
/// captured (`created_at`: when it was authorized), `404` when there is none (not confirmed,
/// failed or canceled).
pub async fn result(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Seed>,
    Id(id, _): Id<Seed>,
    Params(q, _): Params<Seed>,
) -> Result<Json<PaymentView>, SeedError> {
    q.finish()?;
    // The intent's id, as documented; the payment's own id works too.
    let intent = intent_of_payment(&id).map_or(id.clone(), |pi| pi.to_string());
    let (pi, jobs) = s.app.payment_intent_jobs(&ctx, &intent).await?;
    match pi.status {
        Status::Processing => Err(AppError::new(
            ErrorKind::TooEarly,
            "payment_processing",
            "The payment is still processing; ask again in a few seconds.",
        )
        .with_current_status(pi.status.as_str())
        .with_retry_after(3)
        .into()),
        Status::RequiresCapture | Status::Succeeded => {
            // Completed when the network answered the authorization that went through.
            let completed = jobs
                .iter()
                .rev()
                .find(|j| j.kind == "authorize" && j.state == kassa_domain::job::JobState::Succeeded)
                .and_then(|j| j.finished_at)
                .unwrap_or(pi.updated_at);
            Ok(Json(PaymentView::new(&pi, completed, s.app.receipt_url(&pi))))
        }
        other => Err(AppError::new(
            ErrorKind::NotFound,
            "resource_missing",
            format!("No payment for payment intent '{id}': its status is {}.", other.as_str()),
        )
        .with_current_status(other.as_str())
        .into()),
    }
}

/// `POST /refunds` → `201`. Refunds of one payment never exceed what it captured: the amount
/// is reserved under the payment's row lock.
pub async fn refund(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Seed>,
    Body(mut f, _): Body<Seed>,
) -> Result<Response, SeedError> {
    let payment = if f.has("payment_id") {
        f.string("payment_id", 255)
    } else {
        f.reject("payment_id", Invalid::new("missing_payment_id", "Payment ID is required."));
        None
    };
    let amount = if f.has("amount") {
        f.amount("amount")
    } else {
        f.reject("amount", Invalid::new("invalid_amount", "Amount is required: a positive integer in cents."));
        None
    };
    let reason = f.parsed("reason", RefundReason::parse);
    let metadata = f.string_map("metadata").and_then(|m| Metadata::new(m).map_err(|e| f.reject("metadata", e)).ok());
    f.finish()?;
    let payment = vouched(payment)?;
    let not_found = || AppError::not_found("payment", &payment).with_param("payment_id");
    let intent = intent_of_payment(&payment).ok_or_else(not_found)?;
    let input = NewRefundInput {
        payment_intent: intent.to_string(),
        capture: None,
        amount: Some(vouched(amount)?),
        reason,
        metadata: metadata.unwrap_or_default(),
        face_notes: Default::default(),
    };
    let refund = s.app.create_refund(&ctx, input).await.map_err(|e| match e.kind {
        ErrorKind::NotFound => not_found(),
        ErrorKind::Conflict => AppError::invalid_field(
            "payment_id",
            Invalid::new(
                "payment_not_succeeded",
                format!(
                    "Payment must be succeeded to refund; its status is {}.",
                    e.current_status.as_deref().unwrap_or("not succeeded")
                ),
            ),
        ),
        _ => e,
    })?;
    let location = format!("/refunds/{}", refund.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(RefundView::new(&refund))).into_response())
}

/// `GET /refunds/{id}`: where a created refund's `Location` points.
pub async fn retrieve_refund(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Seed>,
    Id(id, _): Id<Seed>,
    Params(q, _): Params<Seed>,
) -> Result<Json<RefundView>, SeedError> {
    q.finish()?;
    Ok(Json(RefundView::new(&s.app.get_refund(&ctx, &id).await?)))
}
