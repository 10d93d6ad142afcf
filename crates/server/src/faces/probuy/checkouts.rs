//! `POST /probuy/api/checkouts/session` and `GET /probuy/api/checkouts/{checkout_id}`.

use super::amount::{major_json, to_major, to_minor};
use super::{PAGE_PREFIX, ProBuy, ProBuyError, status};
use crate::app::{AppError, Ctx, NewSessionInput};
use crate::faces::readers::{address, consumer, web_url};
use crate::faces::timestamps::iso_seconds;
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kassa_domain::Reference;
use kassa_domain::checkout::{CheckoutSession, ItemKind, LineItem, Locale, MAX_QUANTITY};
use kassa_domain::checkout::{LineValueError, line_value};
use kassa_domain::contact::CountryCode;
use kassa_domain::payment_intent::CaptureMethod;
use kassa_domain::{Currency, FaceNotes, Invalid, Metadata, MinorUnits, PaymentIntent};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// This face's name in face notes, where it keeps what ProBuy sends and Kassa has no field for
/// (the tax as ProBuy stated it, the order's country, platform, SKU and additional data).
const FACE: &str = "probuy";
/// The face note of the order's tax, as sent.
const TAX: &str = "tax_amount";

fn missing(f: &mut Fields, field: &str) {
    f.reject(field, Invalid::new("parameter_missing", "Required"));
}

fn required_string(f: &mut Fields, field: &str, max: usize) -> Option<String> {
    if !f.has(field) {
        missing(f, field);
        return None;
    }
    f.string(field, max).filter(|v| !v.trim().is_empty()).or_else(|| {
        f.reject(field, Invalid::new("invalid_string", "Must be a non-empty string"));
        None
    })
}

/// A major-unit amount in minor units; `None` when absent (after a problem is recorded, if it
/// was required or invalid). Without a valid currency only the type is checked.
fn amount(f: &mut Fields, field: &str, currency: Option<Currency>, required: bool) -> Option<i64> {
    let Some(value) = f.json(field) else {
        if required {
            missing(f, field);
        }
        return None;
    };
    let Some(currency) = currency else {
        if !value.is_number() {
            f.reject(field, Invalid::new("invalid_amount", "Must be a number"));
        }
        return None;
    };
    match to_minor(&value, currency) {
        Ok(minor) => Some(minor),
        Err(reason) => {
            f.reject(field, Invalid::new("invalid_amount", reason));
            None
        }
    }
}

/// ProBuy's single `item`, as a line, and the line's value before tax.
struct Item {
    line: LineItem,
    sku: Option<String>,
    tax: i64,
}

fn item(f: &mut Fields, currency: Option<Currency>) -> Option<Item> {
    if !f.has("item") {
        missing(f, "item");
        return None;
    }
    let mut i = f.object("item")?;
    let name = required_string(&mut i, "name", 200);
    let description = i.string("description", 1000);
    let kind = i.parsed("type", |t| {
        ItemKind::parse(t).map_err(|_| Invalid::new("invalid_type", "Must be Physical or Digital"))
    });
    let reference = i.string("reference_id", 100);
    let sku = i.string("sku", 100);
    let quantity = if i.has("quantity") {
        i.integer("quantity", 1, MAX_QUANTITY, "invalid_quantity")
    } else {
        missing(&mut i, "quantity");
        None
    };
    let unit_price = amount(&mut i, "unit_price", currency, true);
    let discount = amount(&mut i, "discount_amount", currency, false).unwrap_or(0);
    let tax = amount(&mut i, "tax_amount", currency, false).unwrap_or(0);
    let total = amount(&mut i, "total_amount", currency, false);
    let mut value = None;
    if let (Some(q), Some(unit), Some(c)) = (quantity, unit_price, currency) {
        match line_value(q, unit, discount) {
            Ok(v) => match total {
                Some(t) if t != v.get() => i.reject(
                    "total_amount",
                    Invalid::new(
                        "amount_mismatch",
                        format!("Must equal unit_price × quantity − discount_amount = {}", to_major(v.get(), c)),
                    ),
                ),
                _ => value = Some(v.get()),
            },
            Err(LineValueError::DiscountExceedsValue) => {
                i.reject("discount_amount", Invalid::new("invalid_amount", "Must not exceed unit_price × quantity"))
            }
            Err(LineValueError::TooLarge) => {
                i.reject("unit_price", Invalid::new("amount_too_large", "unit_price × quantity is too large"))
            }
        }
    }
    let ok = !i.has_errors();
    f.absorb(i);
    let (name, quantity, unit_price, _) = (name?, quantity?, unit_price?, value.filter(|_| ok)?);
    let line = LineItem {
        name,
        description,
        kind,
        reference: reference.or_else(|| sku.clone()),
        quantity,
        unit_amount: MinorUnits::new(unit_price)?,
        discount_amount: MinorUnits::new(discount)?,
        tax_amount: MinorUnits::ZERO,
        image_url: None,
    };
    Some(Item { line, sku, tax })
}

/// `merchant_url`: where the customer's browser goes after paying, failing or canceling.
fn merchant_urls(f: &mut Fields) -> Option<(String, Option<String>, Option<String>)> {
    if !f.has("merchant_url") {
        missing(f, "merchant_url");
        return None;
    }
    let mut m = f.object("merchant_url")?;
    let success = web_url(&mut m, "success", true);
    let failure = web_url(&mut m, "failure", false);
    let cancel = web_url(&mut m, "cancel", false);
    f.absorb(m);
    Some((success?, failure, cancel))
}

/// The ProBuy order, read into a native session's input, every problem collected.
fn read_order(f: &mut Fields) -> Option<NewSessionInput> {
    let order_reference = required_string(f, "order_reference_id", 100);
    let order_number = required_string(f, "order_number", 100);
    let currency = if f.has("currency") {
        f.parsed("currency", |c| {
            Currency::parse(c).map_err(|_| Invalid::new("invalid_currency", "Must be an ISO 4217 code such as SAR"))
        })
    } else {
        missing(f, "currency");
        None
    };
    let total = amount(f, "total_amount", currency, true);
    if total == Some(0) {
        f.reject("total_amount", Invalid::new("invalid_amount", "Must be greater than 0"));
    }
    let shipping = amount(f, "shipping_amount", currency, false).unwrap_or(0);
    let order_tax = amount(f, "tax_amount", currency, false);
    let item = item(f, currency);
    let buyer = if f.has("consumer") {
        consumer(f)
    } else {
        missing(f, "consumer");
        None
    };
    if buyer.as_ref().is_some_and(|c| c.email.is_none()) {
        f.reject("consumer[email]", Invalid::new("parameter_missing", "Required"));
    }
    let country = required_string(f, "country_code", 2);
    if let Some(Err(_)) = country.as_deref().map(CountryCode::parse) {
        f.reject("country_code", Invalid::new("invalid_country_code", "Must be an ISO 3166-1 alpha-2 code such as SA"));
    }
    let urls = merchant_urls(f);
    let billing = if f.has("billing_address") {
        address(f, "billing_address")
    } else {
        missing(f, "billing_address");
        None
    };
    let shipping_address = if f.has("shipping_address") {
        address(f, "shipping_address")
    } else {
        missing(f, "shipping_address");
        None
    };
    let description = f.string("description", 500);
    let platform = f.string("platform", 50);
    let is_mobile = f.boolean("is_mobile");
    let locale = f.parsed("locale", |l| {
        Locale::parse(l).map_err(|_| Invalid::new("invalid_locale", "Must be one of ar, en, ja, nb"))
    });
    let additional = f.json("additional_data").and_then(|v| match v {
        Value::Object(_) if v.to_string().chars().count() <= 500 => Some(v.to_string()),
        Value::Object(_) => {
            f.reject("additional_data", Invalid::new("too_long", "Must be at most 500 characters as JSON"));
            None
        }
        _ => {
            f.reject("additional_data", Invalid::new("invalid_object", "Must be an object"));
            None
        }
    });

    // ProBuy's examples include the tax in the prices (total = item + shipping); an order
    // that adds it (total = item + tax + shipping) is read that way. Anything else is refused.
    let mut tax_added = MinorUnits::ZERO;
    if let (Some(total), Some(item), Some(c)) = (total, &item, currency) {
        let value = item.line.quantity * item.line.unit_amount.get() - item.line.discount_amount.get();
        let tax = order_tax.unwrap_or(item.tax);
        if total == value + tax + shipping && tax > 0 {
            tax_added = MinorUnits::new(tax).unwrap_or_default();
        } else if total != value + shipping {
            f.reject(
                "total_amount",
                Invalid::new(
                    "amount_mismatch",
                    format!(
                        "Must equal item.total_amount + shipping_amount = {} (tax included), or {} with tax_amount added",
                        to_major(value + shipping, c),
                        to_major(value + tax + shipping, c)
                    ),
                ),
            );
        }
    }
    if f.has_errors() {
        return None;
    }
    let item = item?;
    let tax = order_tax.unwrap_or(item.tax);
    let face_notes = FaceNotes::default()
        .with(FACE, TAX, Some(tax.to_string()))
        .with(FACE, "country_code", country)
        .with(FACE, "description", description)
        .with(FACE, "platform", platform)
        .with(FACE, "is_mobile", is_mobile.map(|m| m.to_string()))
        .with(FACE, "item_sku", item.sku.clone())
        .with(FACE, "additional_data", additional);
    let (success_url, failure_url, cancel_url) = urls?;
    Some(NewSessionInput {
        currency: currency?,
        line_items: vec![item.line],
        tax_amount: tax_added,
        shipping_amount: MinorUnits::new(shipping).unwrap_or_default(),
        amount_total: total,
        consumer: buyer?,
        billing_address: billing,
        shipping_address,
        success_url,
        failure_url,
        cancel_url,
        capture_method: CaptureMethod::Manual,
        locale: locale.unwrap_or(Locale::En),
        expires_in: None,
        promotion_code: None,
        // ProBuy's order reference addresses the checkout as the merchant's own reference
        // (unique: a second checkout for it is a 409) where it is one; ProBuy allows any text,
        // and other texts are only echoed back.
        reference: order_reference.as_deref().and_then(|r| Reference::parse(r).ok()),
        order_reference,
        order_number,
        metadata: Metadata::default(),
        face_notes,
        callback: None,
        payment_method_types: kassa_domain::checkout::card_only(),
        customer_codes: true,
    })
}

/// The answer to a create.
#[derive(Serialize)]
struct Created {
    checkout_id: String,
    order_reference_id: Option<String>,
    checkout_url: String,
    status: &'static str,
    expires_at: String,
    created_at: String,
}

/// `POST /probuy/api/checkouts/session` → `201`.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<ProBuy>,
    Body(mut f, _): Body<ProBuy>,
) -> Result<Response, ProBuyError> {
    let input = read_order(&mut f);
    f.finish()?;
    let session = s.app.create_checkout_session(&ctx, vouched(input)?).await?;
    let pi = payment_of(&s, &ctx, &session).await?;
    let created = Created {
        checkout_id: session.id.to_string(),
        order_reference_id: session.order_reference.clone(),
        checkout_url: format!("{}{PAGE_PREFIX}/{}", s.app.public_url(), session.id),
        status: status::status(session.phase(Some(pi.status))),
        expires_at: iso_seconds(session.expires_at),
        created_at: iso_seconds(session.created_at),
    };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[derive(Serialize)]
struct Buyer {
    first_name: Option<String>,
    last_name: Option<String>,
    phone_number: Option<String>,
    email: Option<String>,
}

#[derive(Serialize)]
struct MerchantUrls {
    success: String,
    failure: Option<String>,
    cancel: Option<String>,
}

/// ProBuy's detailed checkout, plus Kassa's `payment_intent_id` (to capture through `/v1`).
#[derive(Serialize)]
struct Details {
    checkout_id: String,
    order_reference_id: Option<String>,
    order_number: Option<String>,
    currency: String,
    total_amount: Box<RawValue>,
    tax_amount: Box<RawValue>,
    shipping_amount: Box<RawValue>,
    status: &'static str,
    consumer: Buyer,
    created_at: String,
    updated_at: String,
    expires_at: String,
    merchant_url: MerchantUrls,
    payment_intent_id: String,
}

fn details_of(session: &CheckoutSession, pi: &PaymentIntent) -> Details {
    let c = session.currency;
    let tax = session.face_notes.get(FACE, TAX).and_then(|t| t.parse().ok()).unwrap_or(session.totals.tax.get());
    Details {
        checkout_id: session.id.to_string(),
        order_reference_id: session.order_reference.clone(),
        order_number: session.order_number.clone(),
        currency: c.code().to_owned(),
        total_amount: major_json(session.totals.total.get(), c),
        tax_amount: major_json(tax, c),
        shipping_amount: major_json(session.shipping_amount.get(), c),
        status: status::status(session.phase(Some(pi.status))),
        consumer: Buyer {
            first_name: session.consumer.first_name.clone(),
            last_name: session.consumer.last_name.clone(),
            phone_number: session.consumer.phone_number.clone(),
            email: session.consumer.email.as_ref().map(|e| e.as_str().to_owned()),
        },
        created_at: iso_seconds(session.created_at),
        updated_at: iso_seconds(session.updated_at.max(pi.updated_at)),
        expires_at: iso_seconds(session.expires_at),
        merchant_url: MerchantUrls {
            success: session.success_url.clone(),
            failure: session.failure_url.clone(),
            cancel: session.cancel_url.clone(),
        },
        payment_intent_id: pi.id.to_string(),
    }
}

/// A ProBuy checkout's payment. A setup session (created through the v1 API) is no ProBuy
/// checkout: not found here.
async fn payment_of(s: &HttpState, ctx: &Ctx, session: &CheckoutSession) -> Result<PaymentIntent, AppError> {
    match session.payment_intent_id() {
        Some(id) => s.app.get_payment_intent(ctx, id.as_str()).await,
        None => Err(AppError::not_found("checkout", session.id.as_str())),
    }
}

/// `GET /probuy/api/checkouts/{checkout_id}`.
pub async fn details(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<ProBuy>,
    Id(id, _): Id<ProBuy>,
) -> Result<Response, ProBuyError> {
    let session = s.app.get_checkout_session(&ctx, &id).await?;
    let pi = payment_of(&s, &ctx, &session).await?;
    Ok(Json(details_of(&session, &pi)).into_response())
}
