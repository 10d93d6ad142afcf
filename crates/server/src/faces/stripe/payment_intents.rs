//! `/v1/payment_intents`: create (and confirm), retrieve, update, confirm, capture, cancel,
//! list. A confirmation answers with the authorization's outcome, as Stripe's does: a decline
//! is a 402 carrying the payment intent, back at `requires_payment_method`.

use super::lists::{self, LIST_PARAMS};
use super::params::{self, Kind};
use super::search::{self, Field, SearchRequest, Term};
use super::{Stripe, StripeError, expanded, render};
use crate::app::{App, AppError, Ctx, ErrorKind, NewPaymentIntentInput, PaymentIntentFilter, PaymentMethodInput};
use crate::http::HttpState;
use crate::http::face::{Caller, Id, RawBody};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::capture::CaptureNotes;
use kassa_domain::contact::StatementDescriptor;
use kassa_domain::payment_intent::{CancellationReason, CaptureMethod, PaymentIntent, PaymentIntentUpdate};
use kassa_domain::{Amount, Currency, Invalid};
use serde_json::Value;

const MAX_DESCRIPTION: usize = 1000;
const MAX_CUSTOMER: usize = 255;

/// `payment_method`: one of Stripe's test names (as the simulator names it), or an id.
fn payment_method(f: &mut Fields) -> Option<PaymentMethodInput> {
    let name = f.string("payment_method", 100)?;
    let kassa = super::payment_methods::test_card(&name).unwrap_or(&name);
    Some(PaymentMethodInput::Named(kassa.to_owned()))
}

/// `payment_method`: a saved card (`tok_…`, charged without the customer), or a card to pay
/// with now.
fn card_or_saved(f: &mut Fields) -> (Option<PaymentMethodInput>, Option<String>) {
    match payment_method(f) {
        Some(PaymentMethodInput::Named(name)) if name.starts_with("tok_") => (None, Some(name)),
        other => (other, None),
    }
}

/// `currency`: Stripe's lowercase ISO code.
fn currency(code: &str) -> Result<Currency, Invalid> {
    Currency::parse(&code.to_ascii_uppercase())
}

/// Parameters a card payment takes that change nothing here: the payment method types (only
/// `card`), and `automatic_payment_methods` (cards are what Kassa's processor takes).
fn payment_method_types(f: &mut Fields) {
    if let Some(Value::Array(types)) = f.json("payment_method_types")
        && types.iter().any(|t| t != "card")
    {
        f.reject(
            "payment_method_types",
            Invalid::new("payment_method_type_unsupported", "Only card is a payment method type here."),
        );
    }
    if let Some(mut automatic) = f.object("automatic_payment_methods") {
        automatic.boolean("enabled");
        automatic.parsed("allow_redirects", |v| match v {
            "always" | "never" => Ok(()),
            _ => Err(Invalid::new("invalid_allow_redirects", "Must be always or never.")),
        });
        f.absorb(automatic);
    }
}

/// Create a payment intent, confirmed at once with `confirm=true`.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let typed = [
        ("amount", Kind::Integer),
        ("confirm", Kind::Boolean),
        ("off_session", Kind::Boolean),
        ("automatic_payment_methods.enabled", Kind::Boolean),
    ];
    let mut f = params::read(&body, &typed)?;
    let amount = f.required_amount("amount");
    let currency = f.required_parsed("currency", currency);
    let capture_method = f.parsed("capture_method", |v| match v {
        "automatic" | "automatic_async" => Ok(CaptureMethod::Automatic),
        "manual" => Ok(CaptureMethod::Manual),
        _ => Err(Invalid::new("invalid_capture_method", "Must be automatic, automatic_async or manual.")),
    });
    let confirm = f.boolean("confirm").unwrap_or(false);
    let (payment_method, token) = card_or_saved(&mut f);
    // A saved card is charged without the customer whether or not this says so.
    f.boolean("off_session");
    let customer = f.string("customer", MAX_CUSTOMER);
    let description = f.string("description", MAX_DESCRIPTION);
    let statement_descriptor = f.parsed("statement_descriptor", StatementDescriptor::parse);
    let metadata = params::metadata(&mut f);
    f.string("return_url", 2048);
    payment_method_types(&mut f);
    if token.is_some() && !confirm {
        f.reject(
            "confirm",
            Invalid::new("parameter_unsupported", "A saved card (tok_…) is charged at creation: send confirm=true."),
        );
    }
    if confirm && payment_method.is_none() && token.is_none() && !f.has_errors() {
        f.reject(
            "payment_method",
            Invalid::new(
                "payment_intent_unexpected_state",
                "You cannot confirm this PaymentIntent because it's missing a payment method.",
            ),
        );
    }
    let expand = params::finish(f, false)?;
    if let Some(customer) = &customer {
        super::customers::known(&s.app, &ctx, customer).await?;
    }
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
        reference: None,
        token,
    };
    let ctx = ctx.awaiting_authorization();
    let result = s.app.create_payment_intent(&ctx, input).await;
    declined_with_intent(&s.app, &ctx, result, &expand).await
}

/// A decline names the payment intent it happened to (stripe-node's `error.payment_intent`).
async fn declined_with_intent(
    app: &App,
    ctx: &Ctx,
    result: Result<PaymentIntent, AppError>,
    expand: &[String],
) -> Result<Json<Value>, StripeError> {
    match result {
        Ok(pi) => expanded(app, ctx, render::payment_intent(app, &pi), expand).await,
        Err(e) if e.kind == ErrorKind::Card => {
            let pi = match &e.subject {
                Some(id) => app.get_payment_intent(ctx, id).await.ok(),
                None => None,
            };
            Err(StripeError::with_object(e, "payment_intent", pi.map(|pi| render::payment_intent(app, &pi))))
        }
        Err(e) => Err(e.into()),
    }
}

/// Retrieve a payment intent.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), &[])?;
    f.string("client_secret", 200);
    let expand = params::finish(f, false)?;
    let pi = s.app.get_payment_intent(&ctx, &id).await?;
    expanded(&s.app, &ctx, render::payment_intent(&s.app, &pi), &expand).await
}

/// Update what may change before confirmation.
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[])?;
    let changes = PaymentIntentUpdate {
        description: f.string("description", MAX_DESCRIPTION),
        customer: f.string("customer", MAX_CUSTOMER),
        statement_descriptor: f.parsed("statement_descriptor", StatementDescriptor::parse),
        metadata: f.string_map("metadata"),
    };
    let expand = params::finish(f, false)?;
    let pi = s.app.update_payment_intent(&ctx, &id, changes).await?;
    expanded(&s.app, &ctx, render::payment_intent(&s.app, &pi), &expand).await
}

/// Confirm: authorize, answering with the outcome.
pub async fn confirm(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[])?;
    let payment_method = payment_method(&mut f);
    f.string("return_url", 2048);
    let expand = params::finish(f, false)?;
    let ctx = ctx.awaiting_authorization();
    let result = s.app.confirm_payment_intent(&ctx, &id, payment_method, false).await;
    declined_with_intent(&s.app, &ctx, result, &expand).await
}

/// Capture all, or `amount_to_capture`, of what is authorized (`final_capture=false` keeps
/// the rest capturable).
pub async fn capture(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[("amount_to_capture", Kind::Integer), ("final_capture", Kind::Boolean)])?;
    let amount: Option<Amount> = f.amount("amount_to_capture");
    let final_capture = f.boolean("final_capture").unwrap_or(true);
    let metadata = params::metadata(&mut f);
    let expand = params::finish(f, false)?;
    let notes =
        CaptureNotes { description: None, metadata: metadata.unwrap_or_default(), face_notes: Default::default() };
    let pi = s.app.capture_payment_intent(&ctx, &id, amount, final_capture, notes).await?;
    expanded(&s.app, &ctx, render::payment_intent(&s.app, &pi), &expand).await
}

/// Cancel, releasing any authorization.
pub async fn cancel(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[])?;
    let reason = f.parsed("cancellation_reason", CancellationReason::parse);
    let expand = params::finish(f, false)?;
    let pi = s.app.cancel_payment_intent(&ctx, &id, reason).await?;
    expanded(&s.app, &ctx, render::payment_intent(&s.app, &pi), &expand).await
}

/// List payment intents, newest first.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    let expand = params::finish(f, true)?;
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_payment_intent(&ctx, id).await?.created_at),
        None => None,
    };
    let filter = PaymentIntentFilter { created: request.created.clone(), ..PaymentIntentFilter::default() };
    let page = s.app.list_payment_intents(&ctx, &filter, request.page(anchor)?).await?;
    let page = page.map(|pi| render::payment_intent(&s.app, &pi));
    expanded(&s.app, &ctx, request.answer("/v1/payment_intents", page), &expand).await
}

/// Search payment intents: `amount`, `currency`, `customer`, `status`, `created`,
/// `metadata["…"]`.
pub async fn search(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let asked = SearchRequest::read(query, &["amount", "currency", "customer", "status", "created"])?;
    let filter = PaymentIntentFilter::default();
    let (found, next) = search::scan(
        asked.limit,
        asked.from.clone(),
        |page| s.app.list_payment_intents(&ctx, &filter, page),
        |pi| asked.query.matches(|field| payment_intent_field(&s.app, pi, field)),
        |pi| format!("{}.{}", pi.created_at.micros(), pi.id),
    )
    .await?;
    let data = found.iter().map(|pi| render::payment_intent(&s.app, pi)).collect();
    expanded(&s.app, &ctx, SearchRequest::answer("/v1/payment_intents/search", data, next), &asked.expand).await
}

/// A payment's field as Stripe's search reads it (the status in Stripe's words).
fn payment_intent_field(app: &App, pi: &PaymentIntent, field: &Field) -> Option<Term> {
    match field {
        Field::Metadata(key) => pi.metadata.entries().get(key).map(|v| Term::Text(v.clone())),
        Field::Named(name) => match name.as_str() {
            "amount" => Some(Term::Number(pi.amount.get())),
            "currency" => Some(Term::Text(pi.currency.code().to_ascii_lowercase())),
            "customer" => pi.customer.clone().map(Term::Text),
            "status" => render::payment_intent(app, pi)["status"].as_str().map(|s| Term::Text(s.to_owned())),
            "created" => Some(Term::Number(render::unix(pi.created_at))),
            _ => None,
        },
    }
}
