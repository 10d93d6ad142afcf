//! Checkout v3: `/checkout/v3/session…`, a hosted checkout addressed by the merchant's
//! reference, presented with the sales unit's key pair (`client_id`, `client_secret`,
//! subscription key, serial number) instead of a token. The session is a manual-capture checkout
//! like an ePayment payment, so it is then captured, refunded or canceled through ePayment.

use super::Vipps;
use super::epayment::{self, PaymentRequest};
use super::error::VippsError;
use super::state::state;
use crate::app::Scope;
use crate::app::{App, AppError, AppResult, Ctx, Delivery, Payload, Rendered, SessionCallback, WebhookDialect};
use crate::connector::BoxFuture;
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kassa_domain::checkout::{CheckoutPhase, CheckoutSession};
use kassa_domain::webhook::{Dialect, EndpointUrl};
use kassa_domain::{Fact, Invalid, KeyKind, PaymentIntent, RequestId};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Initiated {
    token: String,
    checkout_frontend_url: String,
    polling_url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentDetails {
    amount: epayment::Money,
    state: &'static str,
    aggregate: epayment::Aggregate,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionResponse {
    session_id: String,
    reference: String,
    session_state: &'static str,
    merchant_serial_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_method: Option<&'static str>,
    payment_details: PaymentDetails,
}

/// Checkout's session state, from where the checkout stands.
pub fn session_state(phase: CheckoutPhase) -> &'static str {
    match phase {
        CheckoutPhase::AwaitingPayment => "SessionCreated",
        CheckoutPhase::Authorizing | CheckoutPhase::Declined => "PaymentInitiated",
        CheckoutPhase::Authorized | CheckoutPhase::Paid | CheckoutPhase::CardSaved => "PaymentSuccessful",
        CheckoutPhase::Expired => "SessionExpired",
        CheckoutPhase::CanceledByCustomer | CheckoutPhase::CanceledByMerchant | CheckoutPhase::Failed => {
            "PaymentTerminated"
        }
    }
}

/// `paymentDetails.state`: `CREATED`, `AUTHORIZED` or `TERMINATED`.
fn payment_state(pi: &PaymentIntent, phase: CheckoutPhase) -> &'static str {
    match state(pi, Some(phase)) {
        "AUTHORIZED" => "AUTHORIZED",
        "CREATED" => "CREATED",
        _ => "TERMINATED",
    }
}

/// A required object field, or the problem naming it.
fn object(f: &mut Fields, field: &str) -> Option<Fields> {
    if !f.has(field) {
        f.reject(field, Invalid::new("parameter_missing", format!("{field} is required.")));
    }
    f.object(field)
}

/// `POST /checkout/v3/session` → `{token, checkoutFrontendUrl, pollingUrl}`; the merchant's
/// `callbackUrl` is told when the session ends.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Body(mut f, _): Body<Vipps>,
) -> Result<Response, VippsError> {
    let merchant_info = object(&mut f, "merchantInfo").map(|mut m| {
        let callback = m.required_parsed("callbackUrl", |u| EndpointUrl::parse(u, ctx.scope.mode));
        let back = crate::faces::readers::web_url(&mut m, "returnUrl", true);
        let token = m.required_string("callbackAuthorizationToken", 1000);
        let _ = m.json("termsAndConditionsUrl");
        f.absorb(m);
        (callback, back, token)
    });
    let transaction = object(&mut f, "transaction").map(|mut t| {
        let amount = epayment::read_money(&mut t, "amount");
        let reference = t.required_parsed("reference", epayment::vipps_reference);
        let description = t.string("paymentDescription", 100);
        let _ = t.json("orderSummary");
        f.absorb(t);
        (amount, reference, description)
    });
    let customer = f.object("prefillCustomer").map(|mut c| {
        let phone = c.string("phoneNumber", 20);
        for ignored in ["firstName", "lastName", "email", "streetAddress", "city", "postalCode", "country"] {
            let _ = c.json(ignored);
        }
        f.absorb(c);
        phone
    });
    for ignored in ["logistics", "configuration"] {
        let _ = f.json(ignored);
    }
    f.finish()?;
    let (callback, back, token) = vouched(merchant_info)?;
    let callback = SessionCallback {
        url: vouched(callback)?,
        authorization: vouched(token)?,
        dialect: Dialect::new(CALLBACK_DIALECT),
    };
    let (amount, reference, description) = vouched(transaction)?;
    let request = PaymentRequest {
        money: vouched(amount)?,
        reference: vouched(reference)?,
        description,
        return_url: Some(vouched(back)?),
        phone: customer.flatten(),
        method: "CHECKOUT".to_owned(),
        flow: "WEB_REDIRECT".to_owned(),
        interaction: None,
        metadata: Default::default(),
        callback: Some(callback),
    };
    let session = epayment::open(&s, &ctx, request).await?;
    let reference = session.reference.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default();
    Ok(Json(Initiated {
        token: session.id.to_string(),
        checkout_frontend_url: s.app.checkout_url(&session.id),
        polling_url: format!("{}/checkout/v3/session/{reference}", s.app.public_url()),
    })
    .into_response())
}

/// The session as Checkout shows it (`GET …/session/{reference}` and the callback's body).
async fn session_response(
    app: &App,
    ctx: &Ctx,
    session: &CheckoutSession,
    pi: &PaymentIntent,
) -> AppResult<SessionResponse> {
    let phase = session.phase(Some(pi.status));
    let serial = app.merchant(&ctx.scope.merchant_id).await?.serial_number;
    Ok(SessionResponse {
        session_id: session.id.to_string(),
        reference: pi.reference.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default(),
        session_state: session_state(phase),
        merchant_serial_number: serial.get().to_string(),
        payment_method: pi.payment_method.as_ref().map(|_| "Card"),
        payment_details: PaymentDetails {
            amount: epayment::money(pi.currency, pi.amount.get()),
            state: payment_state(pi, phase),
            aggregate: epayment::aggregate_of(pi),
        },
    })
}

/// `GET /checkout/v3/session/{reference}`
pub async fn details(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Id(reference, _): Id<Vipps>,
) -> Result<Response, VippsError> {
    let (pi, session) = epayment::payment(&s, &ctx, &reference).await?;
    Ok(Json(session_response(&s.app, &ctx, &session, &pi).await?).into_response())
}

/// The dialect of Checkout's callbacks.
pub const CALLBACK_DIALECT: &str = "vipps-checkout";

/// Checkout's "payment completed" callback: when a session ends, its `SessionResponse` is POSTed
/// to the merchant's `callbackUrl` with `Authorization: <callbackAuthorizationToken>`, through
/// the durable, retried webhook deliveries (an endpoint bound to the session).
pub struct VippsCheckoutCallbacks;

impl WebhookDialect for VippsCheckoutCallbacks {
    fn name(&self) -> &'static str {
        CALLBACK_DIALECT
    }

    fn render<'a>(&'a self, app: &'a App, d: Delivery<'a>) -> BoxFuture<'a, AppResult<Vec<Rendered>>> {
        Box::pin(async move {
            let Payload::Fact(Fact::CheckoutSession { checkout_session }) = &d.event.payload else {
                return Ok(Vec::new());
            };
            let Some(pi_id) = checkout_session.payment_intent_id() else { return Ok(Vec::new()) };
            let scope = Scope { merchant_id: d.endpoint.merchant_id.clone(), mode: d.endpoint.mode };
            let ctx = Ctx::new(scope, KeyKind::Secret, RequestId::generate(), None);
            let pi = app.get_payment_intent(&ctx, pi_id.as_str()).await?;
            // The session as it is now: a callback retried later tells the latest state.
            let session = app.get_checkout_session(&ctx, checkout_session.id.as_str()).await?;
            let body =
                serde_json::to_vec(&session_response(app, &ctx, &session, &pi).await?).map_err(AppError::internal)?;
            let headers = vec![
                ("Authorization".to_owned(), d.endpoint.secret.clone()),
                ("Content-Type".to_owned(), "application/json".to_owned()),
            ];
            Ok(vec![Rendered { body, headers }])
        })
    }
}
