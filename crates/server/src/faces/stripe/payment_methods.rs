//! `/v1/payment_methods` and `/v1/setup_intents`: Kassa's saved cards (tokens) as Stripe's
//! payment methods. A card is saved when it is created with its details (test mode), attached
//! under one of Stripe's test names, or set up: each time verified with a zero-amount
//! authorization before the answer, so a card that would be refused is refused then (402).
//! A setup intent is the view of that verification: `seti_` + the token's id body. Charging a
//! saved card is a payment intent with `payment_method: tok_…` and `confirm=true`
//! (`off_session` accepted).

use super::lists::{self, LIST_PARAMS};
use super::params::{self, Kind};
use super::{Stripe, StripeError, expanded, render};
use crate::app::{App, AppError, Ctx, ErrorKind, PaymentMethodInput, TokenFilter};
use crate::http::HttpState;
use crate::http::face::{Caller, Id, RawBody};
use crate::http::fields::Fields;
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::card::CardDetails;
use kassa_domain::token::{Token, TokenStatus};
use kassa_domain::{Currency, FaceNotes, Invalid, PaymentIntent};
use serde_json::{Value, json};

/// Stripe's test card names (and tokens), as the card simulator names them.
const TEST_CARDS: &[(&str, &str)] = &[
    ("pm_card_visa", "pm_card_visa"),
    ("pm_card_mastercard", "pm_card_mastercard"),
    ("pm_card_amex", "pm_card_amex"),
    ("pm_card_chargeDeclined", "pm_card_declined"),
    ("pm_card_chargeDeclinedInsufficientFunds", "pm_card_insufficient_funds"),
    ("pm_card_chargeDeclinedExpiredCard", "pm_card_expired"),
    ("pm_card_chargeDeclinedProcessingError", "pm_card_processing_error"),
    ("tok_visa", "pm_card_visa"),
    ("tok_mastercard", "pm_card_mastercard"),
    ("tok_amex", "pm_card_amex"),
    ("tok_chargeDeclined", "pm_card_declined"),
    ("tok_chargeDeclinedInsufficientFunds", "pm_card_insufficient_funds"),
    ("tok_chargeDeclinedExpiredCard", "pm_card_expired"),
];

/// The simulator's name for one of Stripe's test cards.
pub fn test_card(name: &str) -> Option<&'static str> {
    TEST_CARDS.iter().find(|(stripe, _)| *stripe == name).map(|(_, kassa)| *kassa)
}

/// The zero-amount check's currency: any the processor takes; nothing is charged.
fn check_currency() -> Currency {
    Currency::parse("USD").expect("USD is a currency")
}

/// A card in a payment method's `card`.
fn card_json(d: &CardDetails) -> Value {
    json!({"brand": d.brand.as_str(), "last4": d.last4, "exp_month": d.exp_month, "exp_year": d.exp_year,
        "fingerprint": d.fingerprint, "funding": "credit", "country": null,
        "checks": {"address_line1_check": null, "address_postal_code_check": null, "cvc_check": "pass"},
        "networks": {"available": [d.brand.as_str()], "preferred": null}, "wallet": null})
}

/// A saved card as Stripe's payment method.
pub fn payment_method(t: &Token) -> Value {
    let card = t.card.as_ref().map(|c| card_json(&c.details));
    json!({
        "id": t.id.as_str(),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": {"address": null, "email": null, "name": null, "phone": null},
        "card": card,
        "created": render::unix(t.created_at),
        "customer": t.customer,
        "livemode": t.mode == kassa_domain::Mode::Live,
        "metadata": serde_json::to_value(&t.metadata).unwrap_or_else(|_| json!({})),
        "type": "card",
    })
}

/// The payment method a payment was confirmed with, as this face names it: the saved card
/// (`tok_…`), or for a card given to this payment alone (one of Stripe's test names, or card
/// details) `pm_` + the payment's id body: a payment method of its own per payment, as Stripe
/// makes a new `pm_…` each time `pm_card_visa` is used.
pub fn of_payment(pi: &PaymentIntent) -> Option<String> {
    if let Some(token) = &pi.token {
        return Some(token.to_string());
    }
    pi.payment_method.as_ref().map(|_| format!("pm_{}", &pi.id.as_str()["pi_".len()..]))
}

/// A payment's own payment method (see [`of_payment`]) as Stripe shows it.
fn of_payment_shown(pi: &PaymentIntent) -> Option<Value> {
    let method = pi.payment_method.as_ref().filter(|_| pi.token.is_none())?;
    Some(json!({
        "id": of_payment(pi),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": {"address": null, "email": null, "name": null, "phone": null},
        "card": card_json(&method.card),
        "created": render::unix(pi.created_at),
        "customer": null,
        "livemode": pi.mode == kassa_domain::Mode::Live,
        "metadata": {},
        "type": "card",
    }))
}

/// A payment method by id: a saved card, or a payment's own card.
pub async fn find(app: &App, ctx: &Ctx, id: &str) -> Result<Value, AppError> {
    let not_found = || AppError::not_found("payment_method", id);
    if let Some(body) = id.strip_prefix("pm_") {
        let pi = app.get_payment_intent(ctx, &format!("pi_{body}")).await.map_err(|_| not_found())?;
        return of_payment_shown(&pi).ok_or_else(not_found);
    }
    let token = app.get_token(ctx, id).await.map_err(|_| not_found())?;
    Ok(payment_method(&token))
}

/// The verification of a saved card as Stripe's setup intent.
pub fn setup_intent(t: &Token) -> Value {
    let body = &t.id.as_str()["tok_".len()..];
    let (status, error) = match t.status {
        TokenStatus::Rejected => (
            "requires_payment_method",
            Some(json!({"type": "card_error", "code": "card_declined", "message": "Your card was declined."})),
        ),
        TokenStatus::RequiresAuthorization => ("processing", None),
        TokenStatus::Deleted => ("canceled", None),
        TokenStatus::Active | TokenStatus::Disabled => ("succeeded", None),
    };
    json!({
        "id": format!("seti_{body}"),
        "object": "setup_intent",
        "cancellation_reason": null,
        "created": render::unix(t.created_at),
        "customer": t.customer,
        "description": t.description,
        "last_setup_error": error,
        "livemode": t.mode == kassa_domain::Mode::Live,
        "metadata": serde_json::to_value(&t.metadata).unwrap_or_else(|_| json!({})),
        "payment_method": t.card.as_ref().map(|_| t.id.as_str()),
        "payment_method_types": ["card"],
        "status": status,
        "usage": "off_session",
    })
}

/// The card a request names: one of Stripe's test names, or a saved card (`tok_…`).
fn named_card(name: &str) -> PaymentMethodInput {
    PaymentMethodInput::Named(test_card(name).unwrap_or(name).to_owned())
}

/// A refused card's 402, naming the payment method (and setup intent) it refused.
async fn refused(app: &App, ctx: &Ctx, mut e: AppError, as_setup: bool) -> StripeError {
    let token = match &e.subject {
        Some(id) => app.get_token(ctx, id).await.ok(),
        None => None,
    };
    e.subject = None;
    let shown = token.map(|t| if as_setup { setup_intent(&t) } else { payment_method(&t) });
    StripeError::with_object(e, if as_setup { "setup_intent" } else { "payment_method" }, shown)
}

/// `card`: its details (`number`, `exp_month`, `exp_year`, `cvc`, as `/v1` reads them), or
/// `token`, one of Stripe's test tokens.
fn card(f: &mut Fields, today: (u16, u8)) -> Option<PaymentMethodInput> {
    let Some(value) = f.json("card") else {
        f.reject("card", Invalid::new("parameter_missing", "Missing required param: card."));
        return None;
    };
    if let Some(token) = value.get("token") {
        let named = token.as_str().and_then(test_card);
        if value.as_object().is_some_and(|o| o.len() > 1) {
            f.reject("card", Invalid::new("parameter_invalid", "Give card[token] alone, or the card's details."));
        }
        if named.is_none() {
            f.reject("card[token]", Invalid::new("resource_missing", "Give one of Stripe's test tokens (tok_visa …)."));
        }
        return named.map(|n| PaymentMethodInput::Named(n.to_owned()));
    }
    let mut details = Fields::new(serde_json::Map::from_iter([("card".to_owned(), value)]));
    let card = crate::faces::readers::card(&mut details, today);
    f.absorb(details);
    card
}

/// Create a card payment method, saved and verified at once (test mode).
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[("card.exp_month", Kind::Integer), ("card.exp_year", Kind::Integer)])?;
    match f.string("type", 40).as_deref() {
        Some("card") => {}
        Some(_) => f.reject("type", Invalid::new("parameter_invalid", "Only card payment methods are served.")),
        None => f.reject("type", Invalid::new("parameter_missing", "Missing required param: type.")),
    }
    let card = card(&mut f, s.app.clock().year_month());
    let metadata = params::metadata(&mut f).unwrap_or_default();
    let expand = params::finish(f, false)?;
    let card = card.ok_or_else(|| AppError::internal("a card passed its checks without a value"))?;
    match s.app.save_card(&ctx, card, None, check_currency(), (metadata, FaceNotes::default())).await {
        Ok(token) => expanded(&s.app, &ctx, payment_method(&token), &expand).await,
        Err(e) if e.kind == ErrorKind::Card => Err(refused(&s.app, &ctx, e, false).await),
        Err(e) => Err(e.into()),
    }
}

/// Retrieve a payment method.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
) -> Result<Json<Value>, StripeError> {
    Ok(Json(find(&s.app, &ctx, &id).await?))
}

/// Attach a payment method to a customer: a saved card (`tok_…`) changes hands; one of
/// Stripe's test names (`pm_card_visa`) is saved for the customer, verified first.
pub async fn attach(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[])?;
    let customer = f.required_string("customer", 255);
    let expand = params::finish(f, false)?;
    let customer = customer.unwrap_or_default();
    super::customers::known(&s.app, &ctx, &customer).await?;
    let token = if id.starts_with("tok_") {
        s.app.assign_token(&ctx, &id, Some(customer)).await.map_err(|e| match e.kind {
            ErrorKind::NotFound => AppError::not_found("payment_method", &id),
            _ => e,
        })?
    } else {
        let saved = s.app.save_card(&ctx, named_card(&id), Some(customer), check_currency(), Default::default()).await;
        match saved {
            Ok(token) => token,
            Err(e) if e.kind == ErrorKind::Card => return Err(refused(&s.app, &ctx, e, false).await),
            Err(e) if e.kind == ErrorKind::Validation => return Err(AppError::not_found("payment_method", &id).into()),
            Err(e) => return Err(e.into()),
        }
    };
    expanded(&s.app, &ctx, payment_method(&token), &expand).await
}

/// Detach a payment method from its customer.
pub async fn detach(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let f = params::read(&body, &[])?;
    f.finish()?;
    let token = s.app.assign_token(&ctx, &id, None).await.map_err(|e| match e.kind {
        ErrorKind::NotFound => AppError::not_found("payment_method", &id),
        _ => e,
    })?;
    Ok(Json(payment_method(&token)))
}

/// A customer's saved cards (`/v1/payment_methods?customer=`, `customers.listPaymentMethods`).
async fn cards_of(s: &HttpState, ctx: &Ctx, customer: &str, request: &lists::ListRequest) -> Result<Value, AppError> {
    s.app.get_customer(ctx, customer).await?;
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_token(ctx, id).await?.created_at),
        None => None,
    };
    let filter = TokenFilter {
        status: Some(TokenStatus::Active),
        customer: Some(customer.to_owned()),
        created: request.created.clone(),
    };
    let page = s.app.list_tokens(ctx, &filter, request.page(anchor)?).await?;
    Ok(request.answer("/v1/payment_methods", page.map(|t| payment_method(&t))))
}

/// List a customer's payment methods.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    let customer = f.required_string("customer", 255);
    if let Some(kind) = f.string("type", 40).filter(|t| t != "card") {
        f.reject(
            "type",
            Invalid::new("parameter_invalid", format!("Only card payment methods are served, not {kind}.")),
        );
    }
    let expand = params::finish(f, true)?;
    let list = cards_of(&s, &ctx, &customer.unwrap_or_default(), &request).await?;
    expanded(&s.app, &ctx, list, &expand).await
}

/// `customers.listPaymentMethods`.
pub async fn of_customer(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(customer, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    if let Some(kind) = f.string("type", 40).filter(|t| t != "card") {
        f.reject(
            "type",
            Invalid::new("parameter_invalid", format!("Only card payment methods are served, not {kind}.")),
        );
    }
    let expand = params::finish(f, true)?;
    let list = cards_of(&s, &ctx, &customer, &request).await?;
    expanded(&s.app, &ctx, list, &expand).await
}

/// The token behind a setup intent's id.
fn token_of_setup(id: &str) -> String {
    id.strip_prefix("seti_").map_or_else(|| id.to_owned(), |body| format!("tok_{body}"))
}

/// Create a setup intent: with `payment_method` and `confirm=true`, the card is saved for
/// `customer` and verified before the answer (a setup intent confirmed later, by a browser,
/// is not served yet).
pub async fn create_setup(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[("confirm", Kind::Boolean)])?;
    let customer = f.string("customer", 255);
    let payment_method = f.string("payment_method", 255);
    let confirm = f.boolean("confirm").unwrap_or(false);
    if !confirm || payment_method.is_none() {
        f.reject(
            "confirm",
            Invalid::new(
                "parameter_unsupported",
                "Give payment_method with confirm=true: a setup intent confirmed later is not served yet.",
            ),
        );
    }
    if let Some(usage) = f.string("usage", 20).filter(|u| u != "off_session" && u != "on_session") {
        f.reject(
            "usage",
            Invalid::new("parameter_invalid", format!("Usage must be off_session or on_session, not {usage}.")),
        );
    }
    f.string("return_url", 2048);
    if let Some(Value::Array(types)) = f.json("payment_method_types")
        && types.iter().any(|t| t != "card")
    {
        f.reject("payment_method_types", Invalid::new("parameter_invalid", "Only card is served on this face."));
    }
    let metadata = params::metadata(&mut f).unwrap_or_default();
    let expand = params::finish(f, false)?;
    if let Some(customer) = &customer {
        super::customers::known(&s.app, &ctx, customer).await?;
    }
    let card = named_card(&payment_method.unwrap_or_default());
    match s.app.save_card(&ctx, card, customer, check_currency(), (metadata, FaceNotes::default())).await {
        Ok(token) => expanded(&s.app, &ctx, setup_intent(&token), &expand).await,
        Err(e) if e.kind == ErrorKind::Card => Err(refused(&s.app, &ctx, e, true).await),
        Err(e) => Err(e.into()),
    }
}

/// Retrieve a setup intent.
pub async fn retrieve_setup(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let expand = params::finish(params::read(query.unwrap_or_default().as_bytes(), &[])?, false)?;
    let token =
        s.app.get_token(&ctx, &token_of_setup(&id)).await.map_err(|_| AppError::not_found("setup_intent", &id))?;
    expanded(&s.app, &ctx, setup_intent(&token), &expand).await
}

/// Cancel a setup intent whose card was refused (one that succeeded is Stripe's 400).
pub async fn cancel_setup(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[])?;
    f.string("cancellation_reason", 40);
    f.finish()?;
    let token_id = token_of_setup(&id);
    let token = s.app.get_token(&ctx, &token_id).await.map_err(|_| AppError::not_found("setup_intent", &id))?;
    if token.status != TokenStatus::Rejected {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "setup_intent_unexpected_state",
            format!(
                "You cannot cancel this SetupIntent because it has a status of {}.",
                setup_intent(&token)["status"]
            ),
        )
        .with_current_status(token.status.as_str())
        .into());
    }
    let deleted = s.app.delete_token(&ctx, &token_id).await?;
    Ok(Json(setup_intent(&deleted)))
}

/// List setup intents, newest first (`customer`).
pub async fn list_setup(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    let customer = f.string("customer", 255);
    let expand = params::finish(f, true)?;
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_token(&ctx, &token_of_setup(id)).await?.created_at),
        None => None,
    };
    let mut page = request.page(anchor)?;
    if let (Some(id), Some(created)) = (request.anchor(), anchor) {
        page.after = crate::app::PageToken::parse(&format!("{}.{}", created.micros(), token_of_setup(id))).ok();
    }
    let filter = TokenFilter { status: None, customer, created: request.created.clone() };
    let found = s.app.list_tokens(&ctx, &filter, page).await?;
    expanded(&s.app, &ctx, request.answer("/v1/setup_intents", found.map(|t| setup_intent(&t))), &expand).await
}
