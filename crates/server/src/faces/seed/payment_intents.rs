//! `/payment_intents`: create, confirm (asynchronous, `202`), retrieve.

use super::views::{Accepted, PaymentIntentView};
use super::{Seed, SeedError};
use crate::app::{NewPaymentIntentInput, PaymentMethodInput};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kassa_domain::payment_intent::CaptureMethod;
use kassa_domain::{Currency, Invalid, Metadata};

/// Longest customer id.
const MAX_CUSTOMER: usize = 255;

/// Reads a field the seed requires, reporting its absence under the seed's code.
fn required(f: &mut Fields, field: &str, code: &'static str, message: &str) -> bool {
    let present = f.has(field);
    if !present {
        f.reject(field, Invalid::new(code, message.to_owned()));
    }
    present
}

/// A payment method name the simulator knows (`pm_fake_visa` … or `pm_card_…`).
fn payment_method(s: &HttpState, f: &mut Fields, field: &str) -> Option<PaymentMethodInput> {
    let name = f.string(field, 100)?;
    if s.app.knows_payment_method(&name) {
        Some(PaymentMethodInput::Named(name))
    } else {
        f.reject(
            field,
            Invalid::new(
                "invalid_payment_method",
                "Invalid payment method: use pm_fake_visa, pm_fake_mastercard, pm_fake_amex or pm_fake_discover.",
            ),
        );
        None
    }
}

/// `POST /payment_intents` → `201` with `Location`.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Seed>,
    Body(mut f, _): Body<Seed>,
) -> Result<Response, SeedError> {
    let amount = required(&mut f, "amount", "invalid_amount", "Amount is required: a positive integer in cents.")
        .then(|| f.amount("amount"))
        .flatten();
    let currency =
        required(&mut f, "currency", "invalid_currency", "Currency is required: an ISO 4217 code such as USD.")
            .then(|| {
                f.parsed("currency", |c| Currency::parse(c).map_err(|e| Invalid::new("invalid_currency", e.message)))
            })
            .flatten();
    let customer = if required(&mut f, "customer_id", "missing_customer", "Customer ID is required.") {
        match f.string("customer_id", MAX_CUSTOMER) {
            Some(c) if !c.trim().is_empty() => Some(c),
            Some(_) => {
                f.reject("customer_id", Invalid::new("missing_customer", "Customer ID must not be empty."));
                None
            }
            None => None,
        }
    } else {
        None
    };
    let payment_method = required(&mut f, "payment_method_id", "invalid_payment_method", "Payment method is required.")
        .then(|| payment_method(&s, &mut f, "payment_method_id"))
        .flatten();
    let capture_method = f.parsed("capture_method", |m| {
        CaptureMethod::parse(m)
            .map_err(|_| Invalid::new("invalid_capture_method", "Capture method must be automatic or manual."))
    });
    let metadata = f.string_map("metadata").and_then(|m| Metadata::new(m).map_err(|e| f.reject("metadata", e)).ok());
    f.finish()?;
    let input = NewPaymentIntentInput {
        amount: vouched(amount)?,
        currency: vouched(currency)?,
        capture_method: capture_method.unwrap_or(CaptureMethod::Automatic),
        payment_method: Some(vouched(payment_method)?),
        confirm: false,
        customer,
        description: None,
        statement_descriptor: None,
        reference: None,
        metadata: metadata.unwrap_or_default(),
        face_notes: Default::default(),
        token: None,
    };
    let pi = s.app.create_payment_intent(&ctx, input).await?;
    let location = format!("/payment_intents/{}", pi.id);
    let view = PaymentIntentView::new(&pi, s.app.client_secret(&pi.id));
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)).into_response())
}

/// `GET /payment_intents/{id}`.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Seed>,
    Id(id, _): Id<Seed>,
    Params(q, _): Params<Seed>,
) -> Result<Json<PaymentIntentView>, SeedError> {
    q.finish()?;
    let pi = s.app.get_payment_intent(&ctx, &id).await?;
    Ok(Json(PaymentIntentView::new(&pi, s.app.client_secret(&pi.id))))
}

/// `PATCH /payment_intents/{id}/confirm[?force=failure]` → `202` with `Location` and
/// `Retry-After: 3`; the outcome is read from `GET /payment_intents/{id}` or `/payments/{id}`.
pub async fn confirm(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Seed>,
    Id(id, _): Id<Seed>,
    Params(mut q, _): Params<Seed>,
    Body(mut f, _): Body<Seed>,
) -> Result<Response, SeedError> {
    let force = q.parsed("force", |v| match v {
        "failure" => Ok(true),
        _ => Err(Invalid::new("invalid_force", "The only value of force is `failure`.")),
    });
    q.finish()?;
    let payment_method = payment_method(&s, &mut f, "payment_method_id");
    f.finish()?;
    let pi = s.app.confirm_payment_intent(&ctx, &id, payment_method, force.unwrap_or(false)).await?;
    let headers = [
        (
            header::LOCATION,
            HeaderValue::try_from(format!("/payment_intents/{}", pi.id)).map_err(crate::app::AppError::internal)?,
        ),
        (header::RETRY_AFTER, HeaderValue::from_static("3")),
    ];
    Ok((StatusCode::ACCEPTED, headers, Json(Accepted { id: pi.id.to_string(), status: pi.status.as_str() }))
        .into_response())
}
