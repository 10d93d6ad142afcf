//! `/v1/payment_intents`

use super::V1;
use super::error::V1Error;
use super::render;
use super::{expect_no_query, read_metadata, read_payment_method};
use crate::app::{NewPaymentIntentInput, PaymentIntentFilter};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::Reference;
use kassa_domain::capture::CaptureNotes;
use kassa_domain::contact::StatementDescriptor;
use kassa_domain::payment_intent::{CancellationReason, CaptureMethod, PaymentIntentUpdate, Status};
use kassa_domain::{Currency, Invalid};

/// Longest customer reference.
pub(super) const MAX_CUSTOMER: usize = 255;
/// Longest description.
pub(super) const MAX_DESCRIPTION: usize = 1000;

/// Create a payment intent.
#[utoipa::path(post, path = "/v1/payment_intents", tag = "Payment intents", request_body = api::CreatePaymentIntent,
    responses((status = 200, body = api::PaymentIntent), (status = 422, description = "Invalid fields", body = api::ErrorBody),
        (status = 404, description = "No such token", body = api::ErrorBody),
        (status = 409, description = "The reference is already used by another payment intent, or the token is not active", body = api::ErrorBody)))]
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::PaymentIntent>, V1Error> {
    let amount = f.required_amount("amount");
    let currency = f.required_parsed("currency", Currency::parse);
    let capture_method = f.parsed("capture_method", CaptureMethod::parse);
    let payment_method = read_payment_method(&mut f, s.app.clock().year_month());
    let token = f.string("token", 64);
    let confirm = f.boolean("confirm").unwrap_or(false);
    let customer = f.string("customer", MAX_CUSTOMER);
    let description = f.string("description", MAX_DESCRIPTION);
    let statement_descriptor = f.parsed("statement_descriptor", StatementDescriptor::parse);
    let metadata = read_metadata(&mut f, "metadata");
    let reference = f.parsed_within("reference", Reference::MAX_LEN, Reference::parse);
    if confirm && payment_method.is_none() && token.is_none() && !f.has_errors() {
        f.reject(
            "payment_method",
            Invalid::new(
                "payment_method_required",
                "confirm: true needs a payment_method, payment_method_data or token.",
            ),
        );
    }
    f.finish()?;
    let input = NewPaymentIntentInput {
        amount: vouched(amount)?,
        currency: vouched(currency)?,
        capture_method: capture_method.unwrap_or(CaptureMethod::Automatic),
        payment_method,
        confirm,
        customer,
        description,
        statement_descriptor,
        metadata: metadata.unwrap_or_default(),
        face_notes: Default::default(),
        reference,
        token,
    };
    let pi = s.app.create_payment_intent(&ctx, input).await?;
    Ok(Json(render::payment_intent_answer(&s.app, &pi)))
}

/// Retrieve a payment intent.
#[utoipa::path(get, path = "/v1/payment_intents/{id}", tag = "Payment intents", params(("id" = String, Path)),
    responses((status = 200, body = api::PaymentIntent), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::PaymentIntent>, V1Error> {
    expect_no_query(q)?;
    Ok(Json(render::payment_intent_answer(&s.app, &s.app.get_payment_intent(&ctx, &id).await?)))
}

/// List payment intents, newest first.
#[utoipa::path(get, path = "/v1/payment_intents", tag = "Payment intents",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query), ("status" = Option<String>, Query),
           ("reference" = Option<String>, Query), ("created[gte]" = Option<String>, Query), ("created[lte]" = Option<String>, Query),
           ("created[gt]" = Option<String>, Query), ("created[lt]" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::PaymentIntent>)))]
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::PaymentIntent>>, V1Error> {
    let page = q.page();
    let status = q.parsed("status", Status::parse);
    let reference = q.parsed("reference", Reference::parse);
    let created = q.time_range("created");
    q.finish()?;
    let filter = PaymentIntentFilter { status, reference, created, search: None };
    let found = s.app.list_payment_intents(&ctx, &filter, page).await?;
    let data = found.items.iter().map(|pi| render::payment_intent_answer(&s.app, pi)).collect();
    Ok(Json(api::List::new(data, found.next.map(|c| c.encode()))))
}

/// Retrieve a payment intent by the merchant's own reference.
#[utoipa::path(get, path = "/v1/payment_intents/by_reference/{reference}", tag = "Payment intents",
    params(("reference" = String, Path)),
    responses((status = 200, body = api::PaymentIntent), (status = 404, body = api::ErrorBody)))]
pub async fn by_reference(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(reference, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::PaymentIntent>, V1Error> {
    expect_no_query(q)?;
    Ok(Json(render::payment_intent_answer(&s.app, &s.app.payment_intent_by_reference(&ctx, &reference).await?)))
}

/// Update a payment intent before it is confirmed.
#[utoipa::path(post, path = "/v1/payment_intents/{id}", tag = "Payment intents", params(("id" = String, Path)),
    request_body = api::UpdatePaymentIntent,
    responses((status = 200, body = api::PaymentIntent), (status = 409, body = api::ErrorBody)))]
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::PaymentIntent>, V1Error> {
    let changes = PaymentIntentUpdate {
        description: f.string("description", MAX_DESCRIPTION),
        customer: f.string("customer", MAX_CUSTOMER),
        statement_descriptor: f.parsed("statement_descriptor", StatementDescriptor::parse),
        metadata: f.string_map("metadata"),
    };
    f.finish()?;
    Ok(Json(render::payment_intent_answer(&s.app, &s.app.update_payment_intent(&ctx, &id, changes).await?)))
}

/// Confirm: start authorizing. Answers at once with `processing`.
#[utoipa::path(post, path = "/v1/payment_intents/{id}/confirm", tag = "Payment intents", params(("id" = String, Path)),
    request_body = api::ConfirmPaymentIntent,
    responses((status = 200, body = api::PaymentIntent), (status = 409, body = api::ErrorBody)))]
pub async fn confirm(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::PaymentIntent>, V1Error> {
    let payment_method = read_payment_method(&mut f, s.app.clock().year_month());
    f.finish()?;
    Ok(Json(render::payment_intent_answer(
        &s.app,
        &s.app.confirm_payment_intent(&ctx, &id, payment_method, false).await?,
    )))
}

/// Reads a field that has a Stripe name and a short alias (`amount_to_capture` / `amount`).
fn aliased<T>(f: &mut Fields, name: &str, alias: &str, read: impl Fn(&mut Fields, &str) -> Option<T>) -> Option<T> {
    let first = read(f, name);
    let second = read(f, alias);
    if first.is_some() && second.is_some() {
        f.reject(alias, Invalid::new("parameter_conflict", format!("Give {name} or {alias}, not both.")));
    }
    first.or(second)
}

/// Capture (part of) the authorized amount.
#[utoipa::path(post, path = "/v1/payment_intents/{id}/capture", tag = "Payment intents", params(("id" = String, Path)),
    request_body = api::CapturePaymentIntent,
    responses((status = 200, body = api::PaymentIntent), (status = 402, description = "The processor refused the capture", body = api::ErrorBody),
              (status = 409, body = api::ErrorBody), (status = 422, body = api::ErrorBody)))]
pub async fn capture(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::PaymentIntent>, V1Error> {
    let amount = aliased(&mut f, "amount_to_capture", "amount", |f, name| f.amount(name));
    let final_capture = f.boolean("final_capture").unwrap_or(true);
    let description = f.string("description", MAX_DESCRIPTION);
    let metadata = read_metadata(&mut f, "metadata");
    f.finish()?;
    let notes = CaptureNotes { description, metadata: metadata.unwrap_or_default(), face_notes: Default::default() };
    Ok(Json(render::payment_intent_answer(
        &s.app,
        &s.app.capture_payment_intent(&ctx, &id, amount, final_capture, notes).await?,
    )))
}

/// Cancel, releasing any authorization.
#[utoipa::path(post, path = "/v1/payment_intents/{id}/cancel", tag = "Payment intents", params(("id" = String, Path)),
    request_body = api::CancelPaymentIntent,
    responses((status = 200, body = api::PaymentIntent), (status = 409, body = api::ErrorBody)))]
pub async fn cancel(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::PaymentIntent>, V1Error> {
    let reason = aliased(&mut f, "cancellation_reason", "reason", |f, name| f.parsed(name, CancellationReason::parse));
    f.finish()?;
    Ok(Json(render::payment_intent_answer(&s.app, &s.app.cancel_payment_intent(&ctx, &id, reason).await?)))
}

/// This payment's event log, oldest first.
#[utoipa::path(get, path = "/v1/payment_intents/{id}/events", tag = "Payment intents", params(("id" = String, Path),
    ("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::Event>), (status = 404, body = api::ErrorBody)))]
pub async fn events(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::Event>>, V1Error> {
    let page = q.page();
    q.finish()?;
    let found = s.app.payment_intent_events(&ctx, &id, page).await?;
    Ok(Json(api::List::new(
        found.items.iter().map(|e| render::event(e, &s.app)).collect(),
        found.next.map(|c| c.encode()),
    )))
}
