//! `/v1/checkout/sessions` (payment mode): Kassa's hosted page, asked for as Stripe asks.
//! `line_items` of a `price` (active, looked up) or of `price_data` (`currency`, `unit_amount`,
//! `product_data.name`), with a `quantity`; `success_url` (its `{CHECKOUT_SESSION_ID}`
//! replaced), `cancel_url`, `customer` or `customer_email`, `client_reference_id`, `metadata`,
//! `discounts[0][promotion_code]`, `allow_promotion_codes`, `payment_intent_data[capture_method]`,
//! `expires_at`, `locale`. In setup mode the customer saves a card on the page instead
//! (`setup_intent`, `customer`'s payment method).

use super::lists::{self, LIST_PARAMS};
use super::params::{self, Kind};
use super::{Stripe, StripeError, expanded, render};
use crate::app::{App, AppError, CheckoutSessionFilter, Ctx, NewSessionInput, NewSetupSessionInput};
use crate::faces::readers::web_url;
use crate::http::HttpState;
use crate::http::face::{Caller, Id, RawBody};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::checkout::{
    CheckoutSession, Consumer, LineItem, Locale, MAX_LINE_ITEMS, MAX_QUANTITY, SessionPaymentStatus, SessionStatus,
};
use kassa_domain::contact::Email;
use kassa_domain::payment_intent::CaptureMethod;
use kassa_domain::{Currency, FaceNotes, Invalid, MinorUnits};
use serde_json::{Value, json};
use std::time::Duration;

const FACE: &str = "stripe";
/// The customer (`cus_…`) a session is for.
const CUSTOMER: &str = "customer";
/// A setup session's `client_reference_id` (a payment session keeps it as its order reference).
const CLIENT_REFERENCE: &str = "client_reference_id";

const TYPED: &[(&str, Kind)] = &[
    ("line_items.*.quantity", Kind::Integer),
    ("line_items.*.price_data.unit_amount", Kind::Integer),
    ("expires_at", Kind::Integer),
    ("allow_promotion_codes", Kind::Boolean),
];

/// A checkout line as asked for: its amount given (`price_data`), or a price to look up.
enum Line {
    Given(LineItem, Currency),
    Priced { price: String, quantity: i64 },
}

/// `line_items`: each a `quantity` of a `price`, or of `price_data`.
fn line_items(f: &mut Fields) -> Option<Vec<Line>> {
    let Some(items) = f.objects("line_items") else {
        f.reject("line_items", Invalid::new("parameter_missing", "Missing required param: line_items."));
        return None;
    };
    if items.is_empty() || items.len() > MAX_LINE_ITEMS {
        f.reject("line_items", Invalid::new("parameter_invalid", format!("Give 1 to {MAX_LINE_ITEMS} line items.")));
    }
    let mut lines = Vec::new();
    for mut item in items {
        let quantity = item.integer("quantity", 1, MAX_QUANTITY, "parameter_invalid_integer");
        if quantity.is_none() && !item.has_errors() {
            item.reject("quantity", Invalid::new("parameter_missing", "Missing required param: quantity."));
        }
        let price = item.string("price", 100);
        let given = item.has("price_data");
        let data = match item.object("price_data") {
            Some(mut data) => {
                let currency = data.required_parsed("currency", |c| Currency::parse(&c.to_ascii_uppercase()));
                let unit_amount = data
                    .integer("unit_amount", 0, kassa_domain::money::MAX_AMOUNT, "parameter_invalid_integer")
                    .and_then(MinorUnits::new);
                if unit_amount.is_none() && !data.has_errors() {
                    data.reject(
                        "unit_amount",
                        Invalid::new("parameter_missing", "Missing required param: unit_amount."),
                    );
                }
                let product = data.object("product_data").map(|mut product| {
                    let name = product.required_string("name", 200);
                    let description = product.string("description", 1000);
                    data.absorb(product);
                    (name, description)
                });
                if product.is_none() && !data.has_errors() {
                    data.reject(
                        "product_data",
                        Invalid::new("parameter_missing", "Missing required param: product_data."),
                    );
                }
                item.absorb(data);
                match (currency, unit_amount, product) {
                    (Some(c), Some(a), Some((Some(name), description))) => Some((c, a, name, description)),
                    _ => None,
                }
            }
            None => None,
        };
        if price.is_some() == given && !item.has_errors() {
            item.reject("price", Invalid::new("parameter_missing", "Give price or price_data for each line item."));
        }
        let ok = !item.has_errors();
        f.absorb(item);
        match (ok, quantity, price, data) {
            (true, Some(quantity), Some(price), None) => lines.push(Line::Priced { price, quantity }),
            (true, Some(quantity), None, Some((currency, unit_amount, name, description))) => lines.push(Line::Given(
                LineItem {
                    name,
                    description,
                    kind: None,
                    reference: None,
                    quantity,
                    unit_amount,
                    discount_amount: MinorUnits::default(),
                    tax_amount: MinorUnits::default(),
                    image_url: None,
                },
                currency,
            )),
            _ => {}
        }
    }
    Some(lines)
}

/// The lines with their prices looked up (each active, of a product), in one currency.
async fn priced(app: &App, ctx: &Ctx, lines: Vec<Line>) -> Result<(Vec<LineItem>, Currency), AppError> {
    let mut items = Vec::with_capacity(lines.len());
    let mut currencies = Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        match line {
            Line::Given(item, currency) => {
                items.push(item);
                currencies.push(currency);
            }
            Line::Priced { price, quantity } => {
                let param = format!("line_items[{i}][price]");
                let found = app.get_price(ctx, &price).await.map_err(|_| {
                    AppError::invalid_field(
                        &param,
                        Invalid::new("resource_missing", format!("No such price: '{price}'")),
                    )
                })?;
                if !found.active {
                    return Err(AppError::invalid_field(
                        &param,
                        Invalid::new("price_inactive", format!("The price {price} is not active.")),
                    ));
                }
                let product = app.get_product(ctx, found.product_id.as_str()).await?;
                items.push(LineItem {
                    name: product.name,
                    description: product.description,
                    kind: None,
                    reference: Some(found.id.to_string()),
                    quantity,
                    unit_amount: found.unit_amount,
                    discount_amount: MinorUnits::default(),
                    tax_amount: MinorUnits::default(),
                    image_url: None,
                });
                currencies.push(found.currency);
            }
        }
    }
    currencies.dedup();
    match currencies.as_slice() {
        [one] => Ok((items, *one)),
        _ => Err(AppError::invalid_field(
            "line_items",
            Invalid::new("parameter_invalid", "Every line item takes the same currency."),
        )),
    }
}

/// Create a payment session; the customer pays on its `url`.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, TYPED)?;
    match f.string("mode", 20).as_deref() {
        Some("payment") => {}
        Some("setup") => return create_setup(&s, ctx, f).await,
        Some("subscription") => f.reject(
            "mode",
            Invalid::new("parameter_unsupported", "Subscriptions are not served: use payment or setup mode."),
        ),
        Some(_) => f.reject("mode", Invalid::new("parameter_invalid", "Mode must be payment, setup or subscription.")),
        None => f.reject("mode", Invalid::new("parameter_missing", "Missing required param: mode.")),
    }
    let items = line_items(&mut f);
    let success_url = web_url(&mut f, "success_url", true);
    let cancel_url = web_url(&mut f, "cancel_url", false);
    let customer = f.string("customer", 255);
    let customer_email = f.parsed("customer_email", Email::parse);
    let client_reference_id = f.string("client_reference_id", 200);
    let metadata = params::metadata(&mut f);
    let allow_promotion_codes = f.boolean("allow_promotion_codes");
    let promotion_code = f.objects("discounts").and_then(|discounts| {
        let mut code = None;
        for mut discount in discounts {
            code = code.or(discount.string("promotion_code", 255));
            if discount.has("coupon") {
                discount.reject("coupon", Invalid::new("parameter_unsupported", "Give a promotion_code."));
            }
            f.absorb(discount);
        }
        code
    });
    let capture_method = f.object("payment_intent_data").and_then(|mut data| {
        let method = data.parsed("capture_method", |m| match m {
            "automatic" | "automatic_async" => Ok(CaptureMethod::Automatic),
            "manual" => Ok(CaptureMethod::Manual),
            _ => Err(Invalid::new("parameter_invalid", "Must be automatic, automatic_async or manual.")),
        });
        f.absorb(data);
        method
    });
    let expires_at = f.integer("expires_at", 0, i64::MAX / 1_000_000, "parameter_invalid_integer");
    let locale = f.parsed("locale", |l| if l == "auto" { Ok(Locale::En) } else { Locale::parse(l) });
    if let Some(Value::Array(types)) = f.json("payment_method_types")
        && types.iter().any(|t| t != "card")
    {
        f.reject("payment_method_types", Invalid::new("parameter_invalid", "Only card is served on this face."));
    }
    let expand = params::finish(f, false)?;
    let (line_items, currency) = priced(&s.app, &ctx, vouched(items)?).await?;
    let mut consumer = Consumer { email: customer_email, ..Consumer::default() };
    if let Some(id) = &customer {
        let found = super::customers::known(&s.app, &ctx, id).await?;
        consumer.email = consumer.email.or(found.email);
        consumer.phone_number = found.phone;
        if let Some((first, last)) = found.name.as_deref().and_then(|n| n.rsplit_once(' ')) {
            (consumer.first_name, consumer.last_name) = (Some(first.to_owned()), Some(last.to_owned()));
        }
    }
    let now = render::unix(s.app.clock().now());
    let expires_in = expires_at.map(|at| Duration::from_secs(at.saturating_sub(now).max(1) as u64));
    let notes = FaceNotes::default().with(FACE, CUSTOMER, customer);
    let input = NewSessionInput {
        currency,
        line_items,
        tax_amount: MinorUnits::default(),
        shipping_amount: MinorUnits::default(),
        amount_total: None,
        consumer,
        billing_address: None,
        shipping_address: None,
        success_url: vouched(success_url)?,
        failure_url: None,
        cancel_url,
        capture_method: capture_method.unwrap_or(CaptureMethod::Automatic),
        locale: locale.unwrap_or(Locale::En),
        expires_in,
        promotion_code,
        order_reference: client_reference_id,
        reference: None,
        order_number: None,
        metadata: metadata.unwrap_or_default(),
        face_notes: notes,
        callback: None,
        payment_method_types: kassa_domain::checkout::card_only(),
        // Stripe's page takes codes only when asked to.
        customer_codes: allow_promotion_codes == Some(true),
    };
    let session = s.app.create_checkout_session(&ctx, input).await?;
    expanded(&s.app, &ctx, session_object(&s.app, &session), &expand).await
}

/// Fields only a payment session takes: a setup session charges nothing.
const PAYMENT_ONLY: [&str; 4] = ["line_items", "discounts", "allow_promotion_codes", "payment_intent_data"];

/// A setup session: the customer saves a card on the hosted page (verified, nothing charged);
/// its setup intent is that card's verification, its payment method the saved card.
async fn create_setup(s: &HttpState, ctx: Ctx, mut f: Fields) -> Result<Json<Value>, StripeError> {
    for field in PAYMENT_ONLY {
        if f.json(field).is_some() {
            f.reject(field, Invalid::new("parameter_invalid", format!("{field} is for payment mode.")));
        }
    }
    let currency = f.parsed("currency", |c| Currency::parse(&c.to_ascii_uppercase()));
    let success_url = web_url(&mut f, "success_url", true);
    let cancel_url = web_url(&mut f, "cancel_url", false);
    let customer = f.string("customer", 255);
    let customer_email = f.parsed("customer_email", Email::parse);
    let client_reference_id = f.string("client_reference_id", 200);
    let metadata = params::metadata(&mut f);
    let expires_at = f.integer("expires_at", 0, i64::MAX / 1_000_000, "parameter_invalid_integer");
    let locale = f.parsed("locale", |l| if l == "auto" { Ok(Locale::En) } else { Locale::parse(l) });
    if let Some(Value::Array(types)) = f.json("payment_method_types")
        && types.iter().any(|t| t != "card")
    {
        f.reject("payment_method_types", Invalid::new("parameter_invalid", "Only card is served on this face."));
    }
    let expand = params::finish(f, false)?;
    let mut consumer = Consumer { email: customer_email, ..Consumer::default() };
    if let Some(id) = &customer {
        let found = super::customers::known(&s.app, &ctx, id).await?;
        consumer.email = consumer.email.or(found.email);
    }
    let now = render::unix(s.app.clock().now());
    let notes =
        FaceNotes::default().with(FACE, CUSTOMER, customer.clone()).with(FACE, CLIENT_REFERENCE, client_reference_id);
    let input = NewSetupSessionInput {
        customer,
        // The card's zero-amount check; nothing is charged.
        currency: currency.unwrap_or(Currency::USD),
        consumer,
        success_url: vouched(success_url)?,
        failure_url: None,
        cancel_url,
        locale: locale.unwrap_or(Locale::En),
        expires_in: expires_at.map(|at| Duration::from_secs(at.saturating_sub(now).max(1) as u64)),
        reference: None,
        metadata: metadata.unwrap_or_default(),
        face_notes: notes,
    };
    let session = s.app.create_setup_session(&ctx, input).await?;
    expanded(&s.app, &ctx, session_object(&s.app, &session), &expand).await
}

/// A session in Stripe's shape.
pub fn session_object(app: &App, cs: &CheckoutSession) -> Value {
    let t = &cs.totals;
    json!({
        "id": cs.id.as_str(),
        "object": "checkout.session",
        "allow_promotion_codes": cs.customer_codes,
        "amount_subtotal": t.subtotal.get(),
        "amount_total": t.total.get(),
        "cancel_url": cs.cancel_url,
        "client_reference_id": cs.order_reference.as_deref().or(cs.face_notes.get(FACE, CLIENT_REFERENCE)),
        "created": render::unix(cs.created_at),
        "currency": cs.currency.code().to_ascii_lowercase(),
        "customer": cs.face_notes.get(FACE, CUSTOMER),
        "customer_details": cs.consumer.email.as_ref().map(|e| json!({"email": e.as_str()})),
        "customer_email": cs.consumer.email.as_ref().map(|e| e.as_str()),
        "expires_at": render::unix(cs.expires_at),
        "livemode": cs.mode == kassa_domain::Mode::Live,
        "locale": cs.locale.as_str(),
        "metadata": serde_json::to_value(&cs.metadata).unwrap_or_else(|_| json!({})),
        "mode": if cs.payment_intent_id().is_some() { "payment" } else { "setup" },
        "payment_intent": cs.payment_intent_id().map(|p| p.as_str()),
        "payment_method_types": ["card"],
        "payment_status": match (cs.payment_status, cs.token_id()) {
            (_, Some(_)) => "no_payment_required",
            (SessionPaymentStatus::Paid, None) => "paid",
            _ => "unpaid",
        },
        "setup_intent": cs.token_id().map(|t| format!("seti_{}", &t.as_str()["tok_".len()..])),
        "status": match cs.status {
            SessionStatus::Open => "open",
            SessionStatus::Complete => "complete",
            SessionStatus::Expired | SessionStatus::Canceled => "expired",
        },
        "success_url": cs.success_url,
        "total_details": {"amount_discount": t.discount.get(), "amount_shipping": t.shipping.get(),
            "amount_tax": t.tax.get()},
        "url": (cs.status == SessionStatus::Open).then(|| app.checkout_url(&cs.id)),
    })
}

/// A session of this merchant, or Stripe's 404.
async fn session(app: &App, ctx: &Ctx, id: &str) -> Result<CheckoutSession, AppError> {
    app.get_checkout_session(ctx, id).await
}

/// Retrieve a session.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let expand = params::finish(params::read(query.unwrap_or_default().as_bytes(), &[])?, false)?;
    let cs = session(&s.app, &ctx, &id).await?;
    expanded(&s.app, &ctx, session_object(&s.app, &cs), &expand).await
}

/// Expire an open session.
pub async fn expire(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let expand = params::finish(params::read(&body, &[])?, false)?;
    let cs = s.app.expire_checkout_session(&ctx, &id).await?;
    expanded(&s.app, &ctx, session_object(&s.app, &cs), &expand).await
}

/// A session's line items.
pub async fn line_items_of(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    lists::read(&mut f);
    f.finish()?;
    let cs = session(&s.app, &ctx, &id).await?;
    let currency = cs.currency.code().to_ascii_lowercase();
    let data: Vec<Value> = cs
        .line_items
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let subtotal = line.unit_amount.get().saturating_mul(line.quantity);
            json!({
                "id": format!("li_{}_{i}", &cs.id.as_str()["cs_".len()..]),
                "object": "item",
                "amount_discount": line.discount_amount.get(),
                "amount_subtotal": subtotal,
                "amount_tax": line.tax_amount.get(),
                "amount_total": subtotal - line.discount_amount.get() + line.tax_amount.get(),
                "currency": currency,
                "description": line.name,
                "price": {"id": line.reference.as_deref().filter(|r| r.starts_with("price_")),
                    "object": "price", "currency": currency, "unit_amount": line.unit_amount.get(),
                    "type": "one_time", "product_data": {"name": line.name}},
                "quantity": line.quantity,
            })
        })
        .collect();
    let url = format!("/v1/checkout/sessions/{id}/line_items");
    Ok(Json(json!({"object": "list", "data": data, "has_more": false, "url": url})))
}

/// List sessions, newest first (`payment_intent`, `customer_details[email]`).
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    let payment_intent = f.string("payment_intent", 255);
    let email = f.object("customer_details").and_then(|mut d| {
        let email = d.string("email", 512);
        f.absorb(d);
        email
    });
    let expand = params::finish(f, true)?;
    let payment_intent = match payment_intent {
        Some(id) => Some(s.app.get_payment_intent(&ctx, &id).await?.id),
        None => None,
    };
    let anchor = match request.anchor() {
        Some(id) => Some(session(&s.app, &ctx, id).await?.created_at),
        None => None,
    };
    let filter =
        CheckoutSessionFilter { status: None, payment_intent, customer_email: email, created: request.created.clone() };
    let page = s.app.list_checkout_sessions(&ctx, &filter, request.page(anchor)?).await?;
    let page = page.map(|cs| session_object(&s.app, &cs));
    expanded(&s.app, &ctx, request.answer("/v1/checkout/sessions", page), &expand).await
}
