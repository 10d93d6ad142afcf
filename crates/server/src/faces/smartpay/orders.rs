//! Orders: payment intents. `GET /orders[/{id}]`, `PUT /orders/{id}/cancellation`, and
//! `POST /orders`, a merchant-initiated order charged to a saved card (`token`).

use super::Smartpay;
use super::checkout_sessions::{read_capture_method, read_customer, read_items, read_shipping};
use super::collection::{self, Expand, expand_only};
use super::error::SmartpayError;
use super::ids;
use super::render::{self, FACE, OrderParts, REFERENCE};
use crate::app::{App, AppResult, Ctx, ErrorKind, NewPaymentIntentInput};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::vouched;
use axum::Json;
use axum::extract::State;
use kassa_domain::capture::Capture;
use kassa_domain::checkout::CheckoutSession;
use kassa_domain::{Amount, FaceNotes, Invalid, Metadata, PaymentIntent, Refund};
use serde_json::Value;

/// An order with what it is shown with.
pub struct LoadedOrder {
    pi: PaymentIntent,
    session: Option<CheckoutSession>,
    captures: Vec<Capture>,
    refunds: Vec<Refund>,
}

impl LoadedOrder {
    /// Smartpay's order.
    pub fn render(&self, expand: Expand) -> Value {
        let parts = OrderParts {
            pi: &self.pi,
            session: self.session.as_ref(),
            captures: &self.captures,
            refunds: &self.refunds,
        };
        render::order(&parts, expand)
    }
}

/// Loads what an order is shown with.
pub async fn load(app: &App, ctx: &Ctx, pi: PaymentIntent) -> AppResult<LoadedOrder> {
    let session = app.checkout_session_of(ctx, &pi.id).await?;
    let captures = app.all_captures_of(ctx, pi.id.as_str()).await?;
    let refunds = app.all_refunds_of(ctx, &pi.id).await?;
    Ok(LoadedOrder { pi, session, captures, refunds })
}

/// The order with Smartpay id `wire_id`.
pub async fn get(s: &HttpState, ctx: &Ctx, wire_id: &str) -> AppResult<PaymentIntent> {
    let id = ids::parse(ids::ORDER, ctx.scope.mode, wire_id)?;
    s.app.get_payment_intent(ctx, &id).await
}

/// `GET /orders/{id}`.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let expand = expand_only(q)?;
    let pi = get(&s, &ctx, &id).await?;
    Ok(Json(load(&s.app, &ctx, pi).await?.render(expand)))
}

/// `GET /orders`.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Params(mut q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let asked = collection::request(&mut q);
    collection::finish(q)?;
    let found = s.app.list_payment_intents(&ctx, &Default::default(), asked.page.clone()).await?;
    let mut data = Vec::with_capacity(found.items.len());
    for pi in &found.items {
        data.push(load(&s.app, &ctx, pi.clone()).await?.render(asked.expand));
    }
    Ok(collection::respond(&asked, &found, data)?)
}

/// `PUT /orders/{id}/cancellation`: releases what is authorized and not captured.
pub async fn cancel(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    collection::finish(q)?;
    let kassa_id = ids::parse(ids::ORDER, ctx.scope.mode, &id)?;
    let pi = s
        .app
        .cancel_payment_intent(&ctx, &kassa_id, None)
        .await
        .map_err(|e| SmartpayError::from(e).recode(ErrorKind::Conflict, "order.cannot-cancel"))?;
    Ok(Json(load(&s.app, &ctx, pi).await?.render(Expand(false))))
}

/// `POST /orders` `{token, amount, currency, items, customerInfo, shippingInfo, captureMethod?,
/// reference?}`: charges a saved card, no customer present.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let token = f.required_string("token", 100);
    let token = token.and_then(|t| match ids::kassa(ids::TOKEN, ctx.scope.mode, &t) {
        Some(k) => Some(k),
        None => {
            f.reject("token", Invalid::new("invalid_token", "Give a token id (paytok_test_…)."));
            None
        }
    });
    let currency = read_items_currency(&mut f);
    let items = read_items(&mut f, currency);
    let shipping = read_shipping(&mut f, currency, true);
    let customer = read_customer(&mut f, true);
    let amount = f.required_integer("amount", 1, i64::from(u32::MAX), "invalid_amount");
    if let (Some(items), Some(shipping), Some(amount)) = (&items, &shipping, amount)
        && items.total(shipping.fee) != Some(amount)
    {
        f.reject("amount", Invalid::new("amount_mismatch", "amount must equal the items and the shipping fee."));
    }
    let capture_method = read_capture_method(&mut f, "captureMethod");
    let reference = f.string("reference", 255);
    let description = f.string("description", 1000);
    let meta = f.string_map("metadata").unwrap_or_default();
    f.finish()?;
    let customer = vouched(customer)?;
    let input = NewPaymentIntentInput {
        amount: Amount::new(vouched(amount)?).map_err(|e| crate::app::AppError::invalid_field("amount", e))?,
        currency: vouched(currency)?,
        capture_method: capture_method.unwrap_or(kassa_domain::payment_intent::CaptureMethod::Automatic),
        payment_method: None,
        confirm: true,
        customer: customer.consumer.customer_key(),
        description,
        statement_descriptor: None,
        metadata: Metadata::new(meta).map_err(|e| crate::app::AppError::invalid_field("metadata", e))?,
        reference: None,
        token: Some(vouched(token)?),
        face_notes: FaceNotes::default().with(FACE, REFERENCE, reference),
    };
    let pi = s
        .app
        .create_payment_intent(&ctx, input)
        .await
        .map_err(|e| SmartpayError::from(e).recode(ErrorKind::Conflict, "token.not-active"))?;
    Ok(Json(load(&s.app, &ctx, pi).await?.render(Expand(false))))
}

/// `currency`, required, checked against every item's.
fn read_items_currency(f: &mut crate::http::fields::Fields) -> Option<kassa_domain::Currency> {
    f.required_parsed("currency", kassa_domain::Currency::parse)
}
