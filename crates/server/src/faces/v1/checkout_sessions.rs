//! `/v1/checkout_sessions`

use super::V1;
use super::error::V1Error;
use super::render;
use super::{expand, minor_units, read_metadata};
use crate::app::{AppError, CheckoutSessionFilter, Ctx, NewSessionInput, NewSetupSessionInput};
use crate::faces::readers::{address, consumer, web_url};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::Reference;
use kassa_domain::checkout::{
    CheckoutSession, ItemKind, LineItem, Locale, MAX_LINE_ITEMS, MAX_QUANTITY, SessionStatus,
};
use kassa_domain::payment_intent::CaptureMethod;
use kassa_domain::{Currency, Invalid, PaymentIntentId};
use std::time::Duration;

fn line_items(f: &mut Fields) -> Option<Vec<LineItem>> {
    if !f.has("line_items") {
        f.reject("line_items", Invalid::new("parameter_missing", "Missing required parameter: line_items."));
        return None;
    }
    let items = f.objects("line_items")?;
    if items.is_empty() || items.len() > MAX_LINE_ITEMS {
        f.reject("line_items", Invalid::new("invalid_line_items", format!("Give 1 to {MAX_LINE_ITEMS} line items.")));
    }
    let mut parsed = Vec::new();
    for mut item in items {
        let name = item.required_string("name", 200);
        let description = item.string("description", 1000);
        let kind = item.parsed("type", ItemKind::parse);
        let reference = item.string("reference", 100);
        let quantity = if item.has("quantity") {
            item.integer("quantity", 1, MAX_QUANTITY, "invalid_quantity")
        } else {
            item.reject("quantity", Invalid::new("parameter_missing", "Missing required parameter: quantity."));
            None
        };
        let unit_amount = if item.has("unit_amount") {
            minor_units(&mut item, "unit_amount")
        } else {
            item.reject("unit_amount", Invalid::new("parameter_missing", "Missing required parameter: unit_amount."));
            None
        };
        let discount_amount = minor_units(&mut item, "discount_amount").unwrap_or_default();
        let tax_amount = minor_units(&mut item, "tax_amount").unwrap_or_default();
        let image_url = web_url(&mut item, "image_url", false);
        let ok = !item.has_errors();
        f.absorb(item);
        if let (true, Some(name), Some(quantity), Some(unit_amount)) = (ok, name, quantity, unit_amount) {
            parsed.push(LineItem {
                name,
                description,
                kind,
                reference,
                quantity,
                unit_amount,
                discount_amount,
                tax_amount,
                image_url,
            });
        }
    }
    Some(parsed)
}

fn render_session(
    s: &HttpState,
    session: &CheckoutSession,
    expanded: Option<&kassa_domain::PaymentIntent>,
) -> api::CheckoutSession {
    render::checkout_session(session, &s.app.checkout_url(&session.id), expanded)
}

async fn with_payment(
    s: &HttpState,
    ctx: &Ctx,
    session: &CheckoutSession,
    expanded: bool,
) -> Result<api::CheckoutSession, AppError> {
    let Some(pi_id) = session.payment_intent_id().filter(|_| expanded) else {
        return Ok(render_session(s, session, None));
    };
    let pi = s.app.get_payment_intent(ctx, pi_id.as_str()).await?;
    Ok(render_session(s, session, Some(&pi)))
}

/// Create a checkout session and send the customer to its `url`: a payment session collects a
/// payment (its payment intent is created with it); a setup session (`mode: setup`) saves the
/// customer's card in a token, verified and charged nothing.
#[utoipa::path(post, path = "/v1/checkout_sessions", tag = "Checkout", request_body = api::CreateCheckoutSession,
    params(("expand[]" = Option<String>, Query, description = "`payment_intent`")),
    responses((status = 200, body = api::CheckoutSession), (status = 422, body = api::ErrorBody)))]
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::CheckoutSession>, V1Error> {
    let expanded = expand(&mut q, "payment_intent")?;
    q.finish()?;
    match f.string("mode", 20).as_deref() {
        None | Some("payment") => {}
        Some("setup") => {
            let session = s.app.create_setup_session(&ctx, setup_input(f)?).await?;
            return Ok(Json(with_payment(&s, &ctx, &session, expanded).await?));
        }
        Some(_) => f.reject("mode", Invalid::new("invalid_mode", "Mode must be payment or setup.")),
    }
    let currency = f.required_parsed("currency", Currency::parse);
    let items = line_items(&mut f);
    let shipping_amount = minor_units(&mut f, "shipping_amount").unwrap_or_default();
    let tax_amount = minor_units(&mut f, "tax_amount").unwrap_or_default();
    let amount_total = f.integer("amount_total", 1, kassa_domain::money::MAX_AMOUNT, "invalid_amount");
    let consumer = consumer(&mut f).unwrap_or_default();
    let billing_address = address(&mut f, "billing_address");
    let shipping_address = address(&mut f, "shipping_address");
    let success_url = web_url(&mut f, "success_url", true);
    let failure_url = web_url(&mut f, "failure_url", false);
    let cancel_url = web_url(&mut f, "cancel_url", false);
    let capture_method = f.parsed("capture_method", CaptureMethod::parse).unwrap_or(CaptureMethod::Automatic);
    let locale = f.parsed("locale", Locale::parse).unwrap_or(Locale::En);
    let expires_in =
        f.integer("expires_in", 1, 7 * 24 * 3600, "invalid_expires_in").map(|s| Duration::from_secs(s as u64));
    let promotion_code = f.string("promotion_code", 40);
    let order_reference = f.string("order_reference", 100);
    let reference = f.parsed_within("reference", Reference::MAX_LEN, Reference::parse);
    let order_number = f.string("order_number", 100);
    let metadata = read_metadata(&mut f, "metadata");
    let payment_method_types = payment_method_types(&mut f);
    f.finish()?;
    let input = NewSessionInput {
        currency: vouched(currency)?,
        line_items: vouched(items)?,
        tax_amount,
        shipping_amount,
        amount_total,
        consumer,
        billing_address,
        shipping_address,
        success_url: vouched(success_url)?,
        failure_url,
        cancel_url,
        capture_method,
        locale,
        expires_in,
        promotion_code,
        order_reference,
        reference,
        order_number,
        metadata: metadata.unwrap_or_default(),
        face_notes: Default::default(),
        callback: None,
        payment_method_types: payment_method_types.unwrap_or_else(kassa_domain::checkout::card_only),
        customer_codes: true,
    };
    let session = s.app.create_checkout_session(&ctx, input).await?;
    Ok(Json(with_payment(&s, &ctx, &session, expanded).await?))
}

/// Fields only a payment session takes: a setup session charges nothing.
const PAYMENT_ONLY: [&str; 11] = [
    "line_items",
    "amount_total",
    "shipping_amount",
    "tax_amount",
    "capture_method",
    "promotion_code",
    "order_reference",
    "order_number",
    "billing_address",
    "shipping_address",
    "amount",
];

/// A setup session's fields: whose card, where to go, and in which currency to verify it.
fn setup_input(mut f: Fields) -> Result<NewSetupSessionInput, AppError> {
    for field in PAYMENT_ONLY {
        if f.json(field).is_some() {
            f.reject(
                field,
                Invalid::new(
                    "parameter_not_in_setup_mode",
                    format!("{field} is for payment sessions; a setup session saves a card and charges nothing."),
                ),
            );
        }
    }
    let currency = f.parsed("currency", Currency::parse).unwrap_or(Currency::USD);
    let consumer = consumer(&mut f).unwrap_or_default();
    let success_url = web_url(&mut f, "success_url", true);
    let failure_url = web_url(&mut f, "failure_url", false);
    let cancel_url = web_url(&mut f, "cancel_url", false);
    let locale = f.parsed("locale", Locale::parse).unwrap_or(Locale::En);
    let expires_in =
        f.integer("expires_in", 1, 7 * 24 * 3600, "invalid_expires_in").map(|s| Duration::from_secs(s as u64));
    let reference = f.parsed_within("reference", Reference::MAX_LEN, Reference::parse);
    let metadata = read_metadata(&mut f, "metadata");
    f.finish()?;
    Ok(NewSetupSessionInput {
        customer: None,
        currency,
        consumer,
        success_url: vouched(success_url)?,
        failure_url,
        cancel_url,
        locale,
        expires_in,
        reference,
        metadata: metadata.unwrap_or_default(),
        face_notes: Default::default(),
    })
}

/// Retrieve a checkout session.
#[utoipa::path(get, path = "/v1/checkout_sessions/{id}", tag = "Checkout",
    params(("id" = String, Path), ("expand[]" = Option<String>, Query, description = "`payment_intent`")),
    responses((status = 200, body = api::CheckoutSession), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::CheckoutSession>, V1Error> {
    let expanded = expand(&mut q, "payment_intent")?;
    q.finish()?;
    let session = s.app.get_checkout_session(&ctx, &id).await?;
    Ok(Json(with_payment(&s, &ctx, &session, expanded).await?))
}

/// List checkout sessions, newest first.
#[utoipa::path(get, path = "/v1/checkout_sessions", tag = "Checkout",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query), ("status" = Option<String>, Query),
           ("payment_intent" = Option<String>, Query), ("customer_email" = Option<String>, Query),
           ("created[gte]" = Option<String>, Query), ("created[lte]" = Option<String>, Query),
           ("expand[]" = Option<String>, Query, description = "`data.payment_intent`")),
    responses((status = 200, body = api::List<api::CheckoutSession>)))]
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::CheckoutSession>>, V1Error> {
    let page = q.page();
    let expanded = expand(&mut q, "data.payment_intent")?;
    let status = q.parsed("status", SessionStatus::parse);
    let payment_intent = q.take("payment_intent");
    let customer_email = q.take("customer_email");
    let created = q.time_range("created");
    q.finish()?;
    let payment_intent = match payment_intent {
        Some(raw) => match PaymentIntentId::parse(&raw) {
            Some(id) => Some(id),
            None => return Ok(Json(api::List::new(Vec::new(), None))),
        },
        None => None,
    };
    let filter = CheckoutSessionFilter { status, payment_intent, customer_email, created };
    let found = s.app.list_checkout_sessions(&ctx, &filter, page).await?;
    let mut data = Vec::with_capacity(found.items.len());
    for session in &found.items {
        data.push(with_payment(&s, &ctx, session, expanded).await?);
    }
    Ok(Json(api::List::new(data, found.next.map(|c| c.encode()))))
}

/// Expire an open session now; its payment is canceled.
#[utoipa::path(post, path = "/v1/checkout_sessions/{id}/expire", tag = "Checkout", params(("id" = String, Path)),
    responses((status = 200, body = api::CheckoutSession), (status = 409, body = api::ErrorBody)))]
pub async fn expire(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(f, _): Body<V1>,
) -> Result<Json<api::CheckoutSession>, V1Error> {
    f.finish()?;
    let session = s.app.expire_checkout_session(&ctx, &id).await?;
    Ok(Json(render_session(&s, &session, None)))
}

/// `payment_method_types`: a list of 1 to 5 short names (checked against the connectors by the
/// core).
fn payment_method_types(f: &mut Fields) -> Option<Vec<String>> {
    let value = f.json("payment_method_types")?;
    let names: Option<Vec<String>> = value.as_array().and_then(|items| {
        items.iter().map(|v| v.as_str().filter(|s| (1..=20).contains(&s.len())).map(str::to_owned)).collect()
    });
    match names.filter(|n| (1..=5).contains(&n.len())) {
        Some(names) => Some(names),
        None => {
            let invalid = Invalid::new(
                "invalid_payment_method_types",
                "Give a list of 1 to 5 types, such as [\"card\", \"vipps\"].",
            );
            f.reject("payment_method_types", invalid);
            None
        }
    }
}
