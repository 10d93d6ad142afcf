//! `/v1/refunds`: create (by `payment_intent` or `charge`, all or `amount`), retrieve, list (by
//! `payment_intent` or `charge`).

use super::lists::{self, LIST_PARAMS};
use super::params::{self, Kind};
use super::{Stripe, StripeError, expanded, render};
use crate::app::{NewRefundInput, RefundFilter};
use crate::http::HttpState;
use crate::http::face::{Caller, Id, RawBody};
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::refund::RefundReason;
use kassa_domain::{Invalid, PaymentIntentId};
use serde_json::Value;

/// Refund (part of) a payment.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[("amount", Kind::Integer)])?;
    let payment_intent = f.string("payment_intent", 255);
    let charge = f.string("charge", 255);
    match (&payment_intent, &charge) {
        (Some(_), Some(_)) => {
            f.reject("charge", Invalid::new("parameter_conflict", "Give payment_intent or charge, not both."))
        }
        (None, None) if !f.has_errors() => {
            f.reject("payment_intent", Invalid::new("parameter_missing", "Give payment_intent or charge."))
        }
        _ => {}
    }
    let amount = f.amount("amount");
    let reason = f.parsed("reason", RefundReason::parse);
    let metadata = params::metadata(&mut f);
    let expand = params::finish(f, false)?;
    let payment_intent = match (payment_intent, charge) {
        (Some(pi), _) => pi,
        (None, Some(charge)) => super::charges::payment_intent_of(&s.app, &ctx, &charge).await?.id.to_string(),
        (None, None) => String::new(),
    };
    let input = NewRefundInput {
        payment_intent,
        capture: None,
        amount,
        reason,
        metadata: metadata.unwrap_or_default(),
        face_notes: Default::default(),
    };
    let refund = s.app.create_refund(&ctx, input).await?;
    expanded(&s.app, &ctx, render::refund(&refund), &expand).await
}

/// Retrieve a refund.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let expand = params::finish(params::read(query.unwrap_or_default().as_bytes(), &[])?, false)?;
    let refund = s.app.get_refund(&ctx, &id).await?;
    expanded(&s.app, &ctx, render::refund(&refund), &expand).await
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
    let charge = f.string("charge", 255);
    let expand = params::finish(f, true)?;
    let payment_intent = match (payment_intent, charge) {
        (Some(id), _) => Some(s.app.get_payment_intent(&ctx, &id).await?.id),
        (None, Some(charge)) => Some(super::charges::payment_intent_of(&s.app, &ctx, &charge).await?.id),
        (None, None) => None::<PaymentIntentId>,
    };
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_refund(&ctx, id).await?.created_at),
        None => None,
    };
    let filter = RefundFilter { payment_intent, created: request.created.clone() };
    let page = s.app.list_refunds(&ctx, &filter, request.page(anchor)?).await?;
    expanded(&s.app, &ctx, request.answer("/v1/refunds", page.map(|r| render::refund(&r))), &expand).await
}
