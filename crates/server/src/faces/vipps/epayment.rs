//! ePayment v1: `/epayment/v1/payments…`, payments addressed by the merchant's reference.

use super::error::VippsError;
use super::state::{aggregate, log_entry, state};
use super::{FACE, Vipps};
use crate::app::{AppError, Ctx, ErrorKind, NewRefundInput, NewSessionInput, PaymentMethodInput};
use crate::faces::readers::web_url;
use crate::faces::timestamps::iso_millis;
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kassa_domain::capture::CaptureNotes;
use kassa_domain::checkout::{CheckoutSession, Consumer, LineItem, Locale};
use kassa_domain::payment_intent::{CaptureMethod, Status};
use kassa_domain::{Amount, Currency, FaceNotes, Invalid, Metadata, MinorUnits, Mode, PaymentIntent, Reference};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// `{currency, value}` in minor units.
#[derive(Serialize)]
pub(super) struct Money {
    currency: String,
    value: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Aggregate {
    authorized_amount: Money,
    cancelled_amount: Money,
    captured_amount: Money,
    refunded_amount: Money,
}

#[derive(Serialize)]
struct PaymentMethodType {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentView {
    aggregate: Aggregate,
    amount: Money,
    state: &'static str,
    payment_method: PaymentMethodType,
    profile: BTreeMap<String, String>,
    psp_reference: String,
    reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_url: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    metadata: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Modification {
    amount: Money,
    state: &'static str,
    aggregate: Aggregate,
    psp_reference: String,
    reference: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogEvent {
    reference: String,
    psp_reference: String,
    name: &'static str,
    amount: Money,
    timestamp: String,
    idempotency_key: Option<String>,
    success: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_url: Option<String>,
}

/// Face notes: Vipps' fields Kassa has none for.
const USER_FLOW: &str = "user_flow";
const PAYMENT_METHOD: &str = "payment_method";
const CUSTOMER_INTERACTION: &str = "customer_interaction";

/// Vipps' references: 8 to 50 letters, digits and dashes (a subset of Kassa's).
pub(super) fn vipps_reference(s: &str) -> Result<Reference, Invalid> {
    let ok = (8..=50).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let invalid = || Invalid::new("invalid_reference", "A reference is 8 to 50 letters, digits or dashes.");
    if !ok {
        return Err(invalid());
    }
    Reference::parse(s).map_err(|_| invalid())
}

fn one_of(value: &str, allowed: &[&str], code: &'static str) -> Result<String, Invalid> {
    allowed
        .contains(&value)
        .then(|| value.to_owned())
        .ok_or_else(|| Invalid::new(code, format!("Must be one of {}.", allowed.join(", "))))
}

/// `{currency, value}`: an ePayment currency and a positive amount in minor units.
pub(super) fn read_money(f: &mut Fields, field: &str) -> Option<(Currency, Amount)> {
    let mut money = match f.object(field) {
        Some(money) => money,
        None => {
            f.reject(field, Invalid::new("parameter_missing", format!("{field} is required.")));
            return None;
        }
    };
    let currency = money.required_parsed("currency", |c| {
        one_of(c, &["NOK", "DKK", "EUR"], "invalid_currency").and_then(|c| Currency::parse(&c))
    });
    let value = money.required_integer("value", 1, 65_000_000, "invalid_amount");
    let ok = !money.has_errors();
    f.absorb(money);
    match (ok, currency, value) {
        (true, Some(c), Some(v)) => Amount::new(v).ok().map(|a| (c, a)),
        _ => None,
    }
}

pub(super) fn money(currency: Currency, value: i64) -> Money {
    Money { currency: currency.code().to_owned(), value }
}

pub(super) fn aggregate_of(pi: &PaymentIntent) -> Aggregate {
    let [authorized, captured, refunded, cancelled] = aggregate(pi);
    Aggregate {
        authorized_amount: money(pi.currency, authorized),
        cancelled_amount: money(pi.currency, cancelled),
        captured_amount: money(pi.currency, captured),
        refunded_amount: money(pi.currency, refunded),
    }
}

/// The payment with `reference` and its checkout.
pub(super) async fn payment(
    s: &HttpState,
    ctx: &Ctx,
    reference: &str,
) -> Result<(PaymentIntent, CheckoutSession), AppError> {
    let not_found =
        || AppError::new(ErrorKind::NotFound, "payment_not_found", format!("No payment with reference {reference}."));
    let pi = s.app.payment_intent_by_reference(ctx, reference).await.map_err(|_| not_found())?;
    let session = s.app.checkout_session_of(ctx, &pi.id).await?;
    // Payments made through other faces have no Vipps checkout: not Vipps payments.
    Ok((pi, session.ok_or_else(not_found)?))
}

fn phase(pi: &PaymentIntent, session: &CheckoutSession) -> kassa_domain::checkout::CheckoutPhase {
    session.phase(Some(pi.status))
}

fn view(s: &HttpState, pi: &PaymentIntent, session: &CheckoutSession) -> PaymentView {
    let state = state(pi, Some(phase(pi, session)));
    let notes = &session.face_notes;
    PaymentView {
        aggregate: aggregate_of(pi),
        amount: money(pi.currency, pi.amount.get()),
        state,
        payment_method: PaymentMethodType { kind: notes.get(FACE, PAYMENT_METHOD).unwrap_or("WALLET").to_owned() },
        profile: BTreeMap::new(),
        psp_reference: pi.id.to_string(),
        reference: pi.reference.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default(),
        redirect_url: (state == "CREATED" && notes.get(FACE, USER_FLOW).is_none_or(|f| f != "PUSH_MESSAGE"))
            .then(|| s.app.checkout_url(&session.id)),
        metadata: session.metadata.entries().clone(),
    }
}

/// The answer to a cancel, capture or refund: the payment as it is now.
async fn modified(s: &HttpState, ctx: &Ctx, reference: &str) -> Result<Response, VippsError> {
    let (pi, session) = payment(s, ctx, reference).await?;
    Ok(Json(modification(&pi, &session)).into_response())
}

fn modification(pi: &PaymentIntent, session: &CheckoutSession) -> Modification {
    Modification {
        amount: money(pi.currency, pi.amount.get()),
        state: state(pi, Some(phase(pi, session))),
        aggregate: aggregate_of(pi),
        psp_reference: pi.id.to_string(),
        reference: pi.reference.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default(),
    }
}

/// `POST /epayment/v1/payments` → 201 `{reference, redirectUrl}`.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Body(mut f, _): Body<Vipps>,
) -> Result<Response, VippsError> {
    let amount = read_money(&mut f, "amount");
    let method = match f.object("paymentMethod") {
        Some(mut m) => {
            let kind = m.required_parsed("type", |t| one_of(t, &["WALLET", "CARD"], "invalid_payment_method"));
            f.absorb(m);
            kind
        }
        None => {
            f.reject("paymentMethod", Invalid::new("parameter_missing", "paymentMethod is required."));
            None
        }
    };
    let reference = f.required_parsed("reference", vipps_reference);
    let flow = f.required_parsed("userFlow", |u| {
        one_of(u, &["PUSH_MESSAGE", "NATIVE_REDIRECT", "WEB_REDIRECT", "QR"], "invalid_user_flow")
    });
    let phone = f.object("customer").and_then(|mut c| {
        let phone = c.parsed("phoneNumber", |p| {
            let ok = (10..=15).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
            ok.then(|| p.to_owned()).ok_or_else(|| Invalid::new("invalid_phone_number", "10 to 15 digits."))
        });
        // A personal QR or a customer token has no counterpart here; taken as given.
        let _ = (c.json("personalQr"), c.json("customerToken"));
        f.absorb(c);
        phone
    });
    let interaction = f.parsed("customerInteraction", |c| {
        one_of(c, &["CUSTOMER_PRESENT", "CUSTOMER_NOT_PRESENT"], "invalid_customer_interaction")
    });
    let return_url = web_url(&mut f, "returnUrl", false);
    let description = f.string("paymentDescription", 100);
    if description.as_ref().is_some_and(|d| d.chars().count() < 3) {
        f.reject("paymentDescription", Invalid::new("invalid_description", "3 to 100 characters."));
    }
    let metadata = f.string_map("metadata");
    // Options that shape Vipps' app and receipts; Kassa's page has no use for them.
    for ignored in ["expiresAt", "qrFormat", "profile", "industryData", "receipt", "receiptUrl"] {
        let _ = f.json(ignored);
    }
    let redirecting = matches!(flow.as_deref(), Some("WEB_REDIRECT" | "NATIVE_REDIRECT"));
    if redirecting && return_url.is_none() && !f.has_errors() {
        f.reject("returnUrl", Invalid::new("parameter_missing", "returnUrl is required for redirect flows."));
    }
    if method.as_deref() == Some("CARD") && flow.as_deref().is_some_and(|f| f != "WEB_REDIRECT") {
        f.reject("userFlow", Invalid::new("invalid_user_flow", "CARD payments need userFlow WEB_REDIRECT."));
    }
    if flow.as_deref() == Some("PUSH_MESSAGE") && phone.is_none() && !f.has_errors() {
        f.reject("customer", Invalid::new("parameter_missing", "PUSH_MESSAGE needs customer.phoneNumber."));
    }
    f.finish()?;
    let flow = vouched(flow)?;
    let request = PaymentRequest {
        money: vouched(amount)?,
        reference: vouched(reference)?,
        description,
        return_url,
        phone,
        method: vouched(method)?,
        flow: flow.clone(),
        interaction,
        metadata: metadata.unwrap_or_default(),
        callback: None,
    };
    let session = open(&s, &ctx, request).await?;
    let created = Created {
        reference: session.reference.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default(),
        redirect_url: (flow != "PUSH_MESSAGE").then(|| s.app.checkout_url(&session.id)),
    };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// A payment (or Checkout session) to open, parsed.
pub(super) struct PaymentRequest {
    /// Currency and amount.
    pub money: (Currency, Amount),
    /// The merchant's reference.
    pub reference: Reference,
    /// Shown to the customer.
    pub description: Option<String>,
    /// Where the customer returns.
    pub return_url: Option<String>,
    /// The customer's phone number.
    pub phone: Option<String>,
    /// `WALLET`, `CARD` (ePayment) or `CHECKOUT`.
    pub method: String,
    /// `WEB_REDIRECT`, `NATIVE_REDIRECT`, `PUSH_MESSAGE`, `QR`.
    pub flow: String,
    /// `CUSTOMER_PRESENT` or `CUSTOMER_NOT_PRESENT`.
    pub interaction: Option<String>,
    /// The merchant's metadata.
    pub metadata: BTreeMap<String, String>,
    /// Where to tell the merchant the payment's checkout ended (Checkout's `callbackUrl`).
    pub callback: Option<crate::app::SessionCallback>,
}

/// Opens a payment: a manual-capture checkout of one line, addressed by its reference.
pub(super) async fn open(s: &HttpState, ctx: &Ctx, r: PaymentRequest) -> Result<CheckoutSession, AppError> {
    let (currency, amount) = r.money;
    let metadata = Metadata::new(r.metadata).map_err(|e| AppError::invalid_field("metadata", e))?;
    let face_notes = FaceNotes::default()
        .with(FACE, USER_FLOW, Some(r.flow))
        .with(FACE, PAYMENT_METHOD, Some(r.method))
        .with(FACE, CUSTOMER_INTERACTION, r.interaction);
    let line = LineItem {
        name: r.description.unwrap_or_else(|| "Vipps payment".to_owned()),
        description: None,
        kind: None,
        reference: None,
        quantity: 1,
        unit_amount: amount.units(),
        discount_amount: MinorUnits::ZERO,
        tax_amount: MinorUnits::ZERO,
        image_url: None,
    };
    // Without a browser to send back (push message, QR), the page's own address stands in.
    let back = r.return_url.unwrap_or_else(|| format!("{}/checkout", s.app.public_url()));
    let input = NewSessionInput {
        currency,
        line_items: vec![line],
        tax_amount: MinorUnits::ZERO,
        shipping_amount: MinorUnits::ZERO,
        amount_total: Some(amount.get()),
        consumer: Consumer { phone_number: r.phone, ..Consumer::default() },
        billing_address: None,
        shipping_address: None,
        success_url: back.clone(),
        failure_url: Some(back.clone()),
        cancel_url: Some(back),
        capture_method: CaptureMethod::Manual,
        locale: Locale::Nb,
        expires_in: None,
        promotion_code: None,
        order_reference: None,
        reference: Some(r.reference),
        order_number: None,
        metadata,
        face_notes,
        callback: r.callback,
        payment_method_types: kassa_domain::checkout::card_only(),
        customer_codes: true,
    };
    s.app.create_checkout_session(ctx, input).await
}

/// `GET /epayment/v1/payments/{reference}`
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Id(reference, _): Id<Vipps>,
) -> Result<Response, VippsError> {
    let (pi, session) = payment(&s, &ctx, &reference).await?;
    Ok(Json(view(&s, &pi, &session)).into_response())
}

/// `GET /epayment/v1/payments/{reference}/events`: one event per operation, oldest first.
pub async fn events(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Id(reference, _): Id<Vipps>,
) -> Result<Response, VippsError> {
    let (pi, _) = payment(&s, &ctx, &reference).await?;
    let events = s.app.all_payment_intent_events(&ctx, pi.id.as_str()).await?;
    let log: Vec<LogEvent> = events
        .iter()
        .filter_map(|event| {
            let entry = log_entry(event)?;
            Some(LogEvent {
                reference: reference.clone(),
                psp_reference: pi.id.to_string(),
                name: entry.name,
                amount: money(pi.currency, entry.amount),
                timestamp: iso_millis(event.created_at),
                idempotency_key: event.idempotency_key.clone(),
                success: entry.success,
            })
        })
        .collect();
    Ok(Json(log).into_response())
}

/// `POST /epayment/v1/payments/{reference}/cancel`: releases what is not captured. A payment
/// the customer has not approved yet is closed with its checkout.
pub async fn cancel(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Id(reference, _): Id<Vipps>,
) -> Result<Response, VippsError> {
    let (pi, _) = payment(&s, &ctx, &reference).await?;
    s.app.cancel_payment_intent(&ctx, pi.id.as_str(), None).await?;
    modified(&s, &ctx, &reference).await
}

/// `{modificationAmount: {currency, value}}`, in the payment's currency.
fn modification_amount(mut f: Fields, pi: &PaymentIntent) -> Result<Amount, AppError> {
    let asked = read_money(&mut f, "modificationAmount");
    if let Some((currency, _)) = asked
        && currency != pi.currency
    {
        f.reject(
            "modificationAmount",
            Invalid::new("currency_mismatch", format!("The payment is in {}.", pi.currency.code())),
        );
    }
    f.finish()?;
    Ok(vouched(asked)?.1)
}

/// `POST /epayment/v1/payments/{reference}/capture`: captures part (or the rest) of what is
/// authorized; more may be captured after.
pub async fn capture(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Id(reference, _): Id<Vipps>,
    Body(f, _): Body<Vipps>,
) -> Result<Response, VippsError> {
    let (pi, _) = payment(&s, &ctx, &reference).await?;
    let amount = modification_amount(f, &pi)?;
    s.app.capture_payment_intent(&ctx, pi.id.as_str(), Some(amount), false, CaptureNotes::default()).await?;
    modified(&s, &ctx, &reference).await
}

/// `POST /epayment/v1/payments/{reference}/refund`: never more than is captured.
pub async fn refund(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Id(reference, _): Id<Vipps>,
    Body(f, _): Body<Vipps>,
) -> Result<Response, VippsError> {
    let (pi, _) = payment(&s, &ctx, &reference).await?;
    let amount = modification_amount(f, &pi)?;
    let input = NewRefundInput {
        payment_intent: pi.id.to_string(),
        capture: None,
        amount: Some(amount),
        reason: None,
        metadata: Metadata::default(),
        face_notes: Default::default(),
    };
    s.app.create_refund(&ctx, input).await?;
    modified(&s, &ctx, &reference).await
}

/// `POST /epayment/v1/test/payments/{reference}/approve` (test mode): the customer approves
/// with a test card on the hosted page's behalf; answers once the card is authorized, with no
/// body.
pub async fn force_approve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Id(reference, _): Id<Vipps>,
    Body(mut f, _): Body<Vipps>,
) -> Result<Response, VippsError> {
    let _ = (f.json("customer"), f.json("token"));
    f.finish()?;
    if ctx.scope.mode != Mode::Test {
        return Err(AppError::test_mode_only("forceApprove is for test mode only.").into());
    }
    let (pi, session) = payment(&s, &ctx, &reference).await?;
    if pi.status != Status::RequiresCapture {
        s.app.checkout_pay(session.id.as_str(), PaymentMethodInput::Named("pm_card_visa".into())).await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while s.app.get_payment_intent(&ctx, pi.id.as_str()).await?.status == Status::Processing
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    Ok(StatusCode::OK.into_response())
}
