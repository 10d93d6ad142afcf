//! Payments (captures of an order) and their refunds: `POST/GET /payments[/{id}]`,
//! `PATCH /payments/{id}`, and the same for `/refunds`.

use super::Smartpay;
use super::checkout_sessions::read_capture_method;
use super::collection::{self, Expand, expand_only};
use super::error::SmartpayError;
use super::ids;
use super::render::{self, DESCRIPTION, FACE, REFERENCE};
use crate::app::{AppError, AppResult, Ctx, ErrorKind, NewRefundInput};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use kassa_domain::capture::{Capture, CaptureNotes};
use kassa_domain::payment_intent::CaptureMethod;
use kassa_domain::refund::RefundReason;
use kassa_domain::{Amount, Currency, FaceNotes, Invalid, Metadata};
use serde_json::Value;
use std::collections::BTreeMap;

/// `reference`, `description` and `metadata` of a create or an update: the merchant's
/// metadata, and the reference (and, for refunds, the description) kept as face notes.
struct Notes {
    description: Option<String>,
    metadata: Option<BTreeMap<String, String>>,
    face_notes: FaceNotes,
}

fn read_notes(f: &mut Fields, description_in_notes: bool) -> Notes {
    let metadata = f.string_map("metadata");
    let reference = f.string("reference", 255);
    let mut description = f.string("description", 1000);
    let _ = f.json("lineItems");
    let noted_description = if description_in_notes { description.take() } else { None };
    let face_notes = FaceNotes::default().with(FACE, REFERENCE, reference).with(FACE, DESCRIPTION, noted_description);
    Notes { description, metadata, face_notes }
}

/// `amount` and `currency` of a capture or refund, the currency checked against the order's.
fn read_money(f: &mut Fields, order_currency: Option<Currency>) -> Option<Amount> {
    let amount = f.required_integer("amount", 1, i64::from(u32::MAX), "invalid_amount");
    let currency = f.required_parsed("currency", Currency::parse);
    if let (Some(given), Some(expected)) = (currency, order_currency)
        && given != expected
    {
        f.reject("currency", Invalid::new("currency_mismatch", format!("The order is in {}.", expected.code())));
    }
    amount.and_then(|a| Amount::new(a).ok())
}

async fn capture(s: &HttpState, ctx: &Ctx, wire_id: &str) -> AppResult<Capture> {
    let id = ids::parse(ids::PAYMENT, ctx.scope.mode, wire_id)?;
    s.app.get_capture(ctx, &id).await
}

async fn render_payment(s: &HttpState, ctx: &Ctx, c: &Capture, expand: Expand) -> AppResult<Value> {
    Ok(render::payment(c, &s.app.all_refunds_of(ctx, &c.payment_intent_id).await?, expand))
}

/// `POST /payments` `{order, amount, currency, cancelRemainder?, reference?, description?,
/// metadata?}`: captures part of an authorized order.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let order = f.required_string("order", 100);
    let pi = match &order {
        Some(o) => Some(super::orders::get(&s, &ctx, o).await?),
        None => None,
    };
    let amount = read_money(&mut f, pi.as_ref().map(|p| p.currency));
    let remainder = read_capture_method(&mut f, "cancelRemainder");
    let notes = read_notes(&mut f, false);
    f.finish()?;
    let pi = vouched(pi)?;
    let metadata =
        Metadata::new(notes.metadata.unwrap_or_default()).map_err(|e| AppError::invalid_field("metadata", e))?;
    // Smartpay's document: cancelRemainder defaults to automatic, releasing what is not captured.
    let final_capture = remainder.unwrap_or(CaptureMethod::Automatic) == CaptureMethod::Automatic;
    let captured = s
        .app
        .capture_payment_intent(
            &ctx,
            pi.id.as_str(),
            amount,
            final_capture,
            CaptureNotes { description: notes.description, metadata, face_notes: notes.face_notes },
        )
        .await
        .map_err(|e| SmartpayError::from(e).recode(ErrorKind::Conflict, "order.cannot-capture"))?;
    let made = captured.latest_capture.ok_or_else(|| AppError::internal("a capture left no record"))?;
    let c = s.app.get_capture(&ctx, made.as_str()).await?;
    Ok(Json(render_payment(&s, &ctx, &c, Expand(false)).await?))
}

/// `GET /payments/{id}`.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let expand = expand_only(q)?;
    let c = capture(&s, &ctx, &id).await?;
    Ok(Json(render_payment(&s, &ctx, &c, expand).await?))
}

/// `PATCH /payments/{id}` `{reference?, description?, metadata?}`.
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let notes = read_notes(&mut f, false);
    // The SDK sends an update's idempotencyKey in the body.
    f.ignore(&["idempotencyKey"]);
    f.finish()?;
    let kassa_id = ids::parse(ids::PAYMENT, ctx.scope.mode, &id)?;
    let c = s.app.update_capture(&ctx, &kassa_id, notes.description, notes.metadata, notes.face_notes).await?;
    Ok(Json(render_payment(&s, &ctx, &c, Expand(false)).await?))
}

/// `GET /payments`.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Params(mut q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let asked = collection::request(&mut q);
    collection::finish(q)?;
    let found = s.app.list_captures(&ctx, asked.page.clone()).await?;
    let mut data = Vec::with_capacity(found.items.len());
    for c in &found.items {
        data.push(render_payment(&s, &ctx, c, asked.expand).await?);
    }
    Ok(collection::respond(&asked, &found, data)?)
}

/// `POST /refunds` `{payment, amount, currency, reason, reference?, description?, metadata?}`.
pub async fn create_refund(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let payment = f.required_string("payment", 100);
    let c = match &payment {
        Some(p) => Some(capture(&s, &ctx, p).await?),
        None => None,
    };
    let amount = read_money(&mut f, c.as_ref().map(|c| c.currency));
    let reason = f.required_parsed("reason", |r| match r {
        "requested_by_customer" | "fraudulent" => RefundReason::parse(r),
        _ => Err(Invalid::new("invalid_reason", "reason is requested_by_customer or fraudulent.")),
    });
    let notes = read_notes(&mut f, true);
    f.finish()?;
    let c = vouched(c)?;
    let input = NewRefundInput {
        payment_intent: c.payment_intent_id.to_string(),
        capture: Some(c.id.to_string()),
        amount,
        reason,
        metadata: Metadata::new(notes.metadata.unwrap_or_default())
            .map_err(|e| AppError::invalid_field("metadata", e))?,
        face_notes: notes.face_notes,
    };
    let refund = s.app.create_refund(&ctx, input).await?;
    Ok(Json(render::refund(&refund)))
}

async fn refund_id(ctx: &Ctx, wire_id: &str) -> AppResult<String> {
    ids::parse(ids::REFUND, ctx.scope.mode, wire_id)
}

/// `GET /refunds/{id}`.
pub async fn retrieve_refund(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    expand_only(q)?;
    Ok(Json(render::refund(&s.app.get_refund(&ctx, &refund_id(&ctx, &id).await?).await?)))
}

/// `PATCH /refunds/{id}` `{reference?, description?, metadata?}`.
pub async fn update_refund(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let notes = read_notes(&mut f, true);
    // The SDK sends an update's idempotencyKey in the body.
    f.ignore(&["idempotencyKey"]);
    f.finish()?;
    let refund = s.app.update_refund(&ctx, &refund_id(&ctx, &id).await?, notes.metadata, notes.face_notes).await?;
    Ok(Json(render::refund(&refund)))
}

/// `GET /refunds`.
pub async fn list_refunds(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Params(mut q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let asked = collection::request(&mut q);
    collection::finish(q)?;
    let found = s.app.list_refunds(&ctx, &Default::default(), asked.page.clone()).await?;
    let data = found.items.iter().map(render::refund).collect();
    Ok(collection::respond(&asked, &found, data)?)
}
