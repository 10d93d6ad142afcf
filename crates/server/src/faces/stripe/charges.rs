//! Charges: the view Stripe gives of a payment's attempt. A Kassa payment intent that went to
//! the card processor has one charge, `ch_` + the intent's id body (its latest attempt:
//! authorization, captures, refunds); there is no charge object of its own to keep in step.

use super::lists::{self, LIST_PARAMS};
use super::params;
use super::{Stripe, StripeError, expanded, render};
use crate::app::{App, AppError, AppResult, Ctx, PaymentIntentFilter};
use crate::http::HttpState;
use crate::http::face::{Caller, Id};
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::PaymentIntent;
use kassa_domain::payment_intent::Status;
use serde_json::{Value, json};

/// The charge id of a payment's attempt, if it has one.
pub fn charge_id(pi: &PaymentIntent) -> Option<String> {
    let attempted = pi.payment_method.is_some()
        && pi.connector.is_none()
        && !matches!(pi.status, Status::RequiresPaymentMethod | Status::RequiresConfirmation);
    attempted.then(|| format!("ch_{}", &pi.id.as_str()["pi_".len()..]))
}

/// The payment a charge id names.
fn payment_of(charge: &str) -> Option<String> {
    charge.strip_prefix("ch_").filter(|body| !body.is_empty()).map(|body| format!("pi_{body}"))
}

/// The payment intent behind a charge id, if it has that charge.
pub async fn payment_intent_of(app: &App, ctx: &Ctx, charge: &str) -> AppResult<PaymentIntent> {
    let not_found = || AppError::not_found("charge", charge);
    let pi_id = payment_of(charge).ok_or_else(not_found)?;
    let pi = app.get_payment_intent(ctx, &pi_id).await.map_err(|_| not_found())?;
    match charge_id(&pi) {
        Some(_) => Ok(pi),
        None => Err(not_found()),
    }
}

/// A payment's charge in Stripe's shape.
pub fn charge(app: &App, pi: &PaymentIntent) -> Option<Value> {
    let id = charge_id(pi)?;
    let failed = pi.status == Status::Failed;
    let failure = pi.last_error.as_ref().filter(|_| failed);
    let status = match pi.status {
        Status::Processing => "pending",
        Status::Failed => "failed",
        _ => "succeeded",
    };
    let authorized = !pi.amount_authorized.is_zero() || !pi.amount_captured.is_zero();
    let card = pi.payment_method.as_ref().map(|m| {
        json!({"brand": m.card.brand.as_str(), "last4": m.card.last4, "exp_month": m.card.exp_month,
            "exp_year": m.card.exp_year, "fingerprint": m.card.fingerprint, "funding": "credit"})
    });
    let captured = pi.amount_captured.get();
    Some(json!({
        "id": id,
        "object": "charge",
        "amount": pi.amount.get(),
        "amount_captured": captured,
        "amount_refunded": pi.amount_refunded.get(),
        "balance_transaction": null,
        "billing_details": {"address": null, "email": null, "name": null, "phone": null},
        "captured": captured > 0,
        "created": render::unix(pi.updated_at),
        "currency": pi.currency.code().to_ascii_lowercase(),
        "customer": pi.customer,
        "description": pi.description,
        "disputed": false,
        "failure_code": failure.map(|f| f.code.clone()),
        "failure_message": failure.map(|f| f.message.clone()),
        "livemode": pi.mode == kassa_domain::Mode::Live,
        "metadata": serde_json::to_value(&pi.metadata).unwrap_or_else(|_| json!({})),
        "outcome": if failed {
            json!({"network_status": "declined_by_network", "reason": failure.and_then(|f| f.decline_code.clone()),
                "risk_level": "normal", "seller_message": "The bank did not return any further details with this decline.",
                "type": "issuer_declined"})
        } else {
            json!({"network_status": "approved_by_network", "reason": null, "risk_level": "normal",
                "seller_message": "Payment complete.", "type": "authorized"})
        },
        "paid": authorized && !failed,
        "payment_intent": pi.id.as_str(),
        "payment_method": super::payment_methods::of_payment(pi),
        "payment_method_details": {"card": card, "type": "card"},
        "receipt_url": app.receipt_url(pi),
        "refunded": captured > 0 && pi.amount_refunded.get() == captured,
        "statement_descriptor": pi.statement_descriptor.as_ref().map(|d| d.as_str().to_owned()),
        "status": status,
    }))
}

/// Retrieve a charge.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let expand = params::finish(params::read(query.unwrap_or_default().as_bytes(), &[])?, false)?;
    let pi = payment_intent_of(&s.app, &ctx, &id).await?;
    let charge = charge(&s.app, &pi).ok_or_else(|| AppError::not_found("charge", &id))?;
    expanded(&s.app, &ctx, charge, &expand).await
}

/// List charges, newest first (`payment_intent`: that payment's).
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    let payment_intent = f.string("payment_intent", 255);
    let expand = params::finish(f, true)?;
    if let Some(pi) = payment_intent {
        let pi = s.app.get_payment_intent(&ctx, &pi).await?;
        let data: Vec<Value> = charge(&s.app, &pi).into_iter().collect();
        let list = json!({"object": "list", "data": data, "has_more": false, "url": "/v1/charges"});
        return expanded(&s.app, &ctx, list, &expand).await;
    }
    let mut page = request.page(None)?;
    if let Some(anchor) = request.anchor() {
        // A charge stands where its payment does in the list of payments.
        let pi = payment_intent_of(&s.app, &ctx, anchor).await?;
        page.after = crate::app::PageToken::parse(&format!("{}.{}", pi.created_at.micros(), pi.id)).ok();
    }
    let filter = PaymentIntentFilter { created: request.created.clone(), ..PaymentIntentFilter::default() };
    let found = s.app.list_payment_intents(&ctx, &filter, page).await?;
    // Payments that never reached the processor have no charge: left out of the page.
    let found = found.map(|pi| charge(&s.app, &pi));
    let found = crate::app::Page { items: found.items.into_iter().flatten().collect(), next: found.next };
    expanded(&s.app, &ctx, request.answer("/v1/charges", found), &expand).await
}
