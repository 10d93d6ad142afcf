//! Checkout sessions: `POST /checkout-sessions` (flat: an order the customer pays on the hosted
//! page; `mode: "token"`: a card the customer saves), `GET /checkout-sessions[/{id}]`.

use super::Smartpay;
use super::collection::{self, Expand, expand_only};
use super::error::SmartpayError;
use super::ids;
use super::orders;
use super::render::{self, DESCRIPTION, FACE, REFERENCE};
use crate::app::{AppError, AppResult, Ctx, NewSessionInput, NewSetupSessionInput};
use crate::faces::readers::web_url;
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use kassa_domain::checkout::{Address, CheckoutSession, Consumer, LineItem, Locale, MAX_QUANTITY, Purpose};
use kassa_domain::contact::{CountryCode, Email};
use kassa_domain::payment_intent::CaptureMethod;
use kassa_domain::{Currency, FaceNotes, Invalid, Metadata, MinorUnits};
use serde_json::Value;

/// Largest amount Smartpay's schema allows (`uint32`).
const MAX_UINT32: i64 = u32::MAX as i64;

/// `captureMethod` / `cancelRemainder`: `automatic` (or the SDK's own constant, `autommatic`)
/// or `manual`.
pub fn read_capture_method(f: &mut Fields, field: &str) -> Option<CaptureMethod> {
    f.parsed(field, |m| match m {
        "automatic" | "autommatic" => Ok(CaptureMethod::Automatic),
        "manual" => Ok(CaptureMethod::Manual),
        _ => Err(Invalid::new("invalid_capture_method", format!("{field} is automatic or manual."))),
    })
}

/// The order's lines as Kassa's: products as lines, `discount` items spread over them, `tax`
/// items as the order's tax.
pub struct Items {
    /// Product lines, each with its share of the discounts.
    pub lines: Vec<LineItem>,
    /// Σ tax items.
    pub tax: i64,
}

impl Items {
    /// What the customer pays with a shipping fee of `fee`, before any promotion code.
    pub fn total(&self, fee: i64) -> Option<i64> {
        let mut total = self.tax.checked_add(fee)?;
        for line in &self.lines {
            let value = line.quantity.checked_mul(line.unit_amount.get())?;
            total = total.checked_add(value.checked_sub(line.discount_amount.get())?)?;
        }
        Some(total)
    }
}

/// `items`: at least one, each `{name, amount, quantity?, currency?, kind?, …}`.
pub fn read_items(f: &mut Fields, currency: Option<Currency>) -> Option<Items> {
    let Some(list) = f.objects("items") else {
        if !f.has_errors() || !f.has("items") {
            f.reject("items", Invalid::new("parameter_missing", "items must list at least one item."));
        }
        return None;
    };
    if list.is_empty() {
        f.reject("items", Invalid::new("parameter_missing", "items must list at least one item."));
        return None;
    }
    let mut lines = Vec::new();
    let (mut discount, mut tax) = (0i64, 0i64);
    let mut ok = true;
    for mut item in list {
        let kind = item.parsed("kind", |k| match k {
            "product" | "discount" | "tax" => Ok(k.to_owned()),
            _ => Err(Invalid::new("invalid_kind", "kind is product, discount or tax.")),
        });
        let name = item.required_string("name", 255);
        let amount = item.required_integer("amount", 0, MAX_UINT32, "invalid_amount");
        let quantity =
            if item.has("quantity") { item.integer("quantity", 1, MAX_QUANTITY, "invalid_quantity") } else { Some(1) };
        if let (Some(c), Some(own)) = (currency, item.parsed("currency", Currency::parse))
            && own != c
        {
            item.reject("currency", Invalid::new("currency_mismatch", format!("Every item is in {}.", c.code())));
        }
        let description = item.string("description", 1000);
        let reference = item.string("reference", 255);
        let images = item.json("images");
        let image_url = images
            .as_ref()
            .and_then(|v| v.as_array())
            .and_then(|a| a.first())
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let _ = item.string_map("metadata");
        // Product details Kassa's page does not show (brand, categories, gtin, url, label …).
        item.ignore(&[
            "brand",
            "categories",
            "gtin",
            "url",
            "label",
            "productDescription",
            "productMetadata",
            "priceDescription",
            "priceMetadata",
        ]);
        ok &= !item.has_errors();
        f.absorb(item);
        let (Some(name), Some(amount), Some(quantity)) = (name, amount, quantity) else { continue };
        let Some(value) = amount.checked_mul(quantity) else {
            ok = false;
            continue;
        };
        match kind.as_deref().unwrap_or("product") {
            "discount" => discount += value,
            "tax" => tax += value,
            _ => lines.push(LineItem {
                name,
                description,
                kind: None,
                reference,
                quantity,
                unit_amount: MinorUnits::new(amount)?,
                discount_amount: MinorUnits::ZERO,
                tax_amount: MinorUnits::ZERO,
                image_url,
            }),
        }
    }
    if !ok {
        return None;
    }
    if lines.is_empty() {
        f.reject("items", Invalid::new("parameter_missing", "items must include at least one product."));
        return None;
    }
    for line in &mut lines {
        let value = line.quantity * line.unit_amount.get();
        let share = discount.min(value);
        line.discount_amount = MinorUnits::new(share)?;
        discount -= share;
    }
    if discount > 0 {
        f.reject("items", Invalid::new("discount_too_large", "The discount items exceed the products."));
        return None;
    }
    Some(Items { lines, tax })
}

/// Smartpay's address: `line1`…`line5`, `subLocality`, `locality`, `administrativeArea`,
/// `postalCode`, `country`.
fn read_address(f: &mut Fields, field: &str, required: bool) -> Option<Address> {
    if !f.has(field) {
        if required {
            f.reject(field, Invalid::new("parameter_missing", format!("{field} is required.")));
        }
        return None;
    }
    let mut a = f.object(field)?;
    let line1 = if required { a.required_string("line1", 200) } else { a.string("line1", 200) };
    let more: Vec<String> = ["line2", "line3", "line4", "line5", "subLocality"]
        .iter()
        .filter_map(|l| a.string(l, 200))
        .filter(|l| !l.trim().is_empty())
        .collect();
    let locality = if required { a.required_string("locality", 100) } else { a.string("locality", 100) };
    let postal_code = if required { a.required_string("postalCode", 20) } else { a.string("postalCode", 20) };
    let country = if required {
        a.required_parsed("country", CountryCode::parse)
    } else {
        a.parsed("country", CountryCode::parse)
    };
    let address = Address {
        first_name: None,
        last_name: None,
        line1,
        line2: (!more.is_empty()).then(|| more.join(", ")),
        city: locality,
        region: a.string("administrativeArea", 100),
        postal_code,
        country_code: country,
        phone_number: None,
    };
    f.absorb(a);
    Some(address)
}

/// `shippingInfo`: the address and the fee.
pub struct Shipping {
    /// Where to.
    pub address: Option<Address>,
    /// The fee in the order's currency.
    pub fee: i64,
}

/// `shippingInfo` `{address, feeAmount?, feeCurrency?, …}`.
pub fn read_shipping(f: &mut Fields, currency: Option<Currency>, required: bool) -> Option<Shipping> {
    if !f.has("shippingInfo") {
        if required {
            f.reject("shippingInfo", Invalid::new("parameter_missing", "shippingInfo.address is required."));
            return None;
        }
        return Some(Shipping { address: None, fee: 0 });
    }
    let mut s = f.object("shippingInfo")?;
    let address = read_address(&mut s, "address", required);
    let fee = s.integer("feeAmount", 0, MAX_UINT32, "invalid_amount").unwrap_or(0);
    if let (Some(c), Some(own)) = (currency, s.parsed("feeCurrency", Currency::parse))
        && own != c
    {
        s.reject("feeCurrency", Invalid::new("currency_mismatch", format!("The fee is in {}.", c.code())));
    }
    for ignored in ["addressType", "carrierName", "reference"] {
        let _ = s.string(ignored, 255);
    }
    let ok = !s.has_errors();
    f.absorb(s);
    ok.then_some(Shipping { address, fee })
}

/// `customerInfo`: who pays, and their address as the billing address.
pub struct Customer {
    /// Name, email, phone.
    pub consumer: Consumer,
    /// Their address.
    pub address: Option<Address>,
}

/// `customerInfo` `{emailAddress?, firstName?, lastName?, phoneNumber?, address?, …}`.
pub fn read_customer(f: &mut Fields, required: bool) -> Option<Customer> {
    if !f.has("customerInfo") {
        if required {
            f.reject("customerInfo", Invalid::new("parameter_missing", "customerInfo is required."));
            return None;
        }
        return Some(Customer { consumer: Consumer::default(), address: None });
    }
    let mut c = f.object("customerInfo")?;
    let consumer = Consumer {
        first_name: c.string("firstName", 100),
        last_name: c.string("lastName", 100),
        email: c.parsed_within("emailAddress", 254, Email::parse),
        phone_number: c.string("phoneNumber", 30),
    };
    let address = read_address(&mut c, "address", false);
    // Kana names, birth date, gender, account age, the merchant's customer reference.
    c.ignore(&["accountAge", "firstNameKana", "lastNameKana", "dateOfBirth", "legalGender", "reference"]);
    let ok = !c.has_errors();
    f.absorb(c);
    ok.then_some(Customer { consumer, address })
}

fn read_locale(f: &mut Fields) -> Option<Locale> {
    f.parsed("locale", |l| {
        Locale::parse(l).map_err(|_| Invalid::new("invalid_locale", "locale is one of en, ja, ar, nb."))
    })
}

/// What a session says of itself: its `reference`, the merchant's metadata, and the face notes
/// that keep its `description` (and, when `keep_reference`, its reference).
fn session_notes(f: &mut Fields, keep_reference: bool) -> (Option<String>, Metadata, FaceNotes) {
    let meta = f.string_map("metadata").unwrap_or_default();
    let reference = f.string("reference", 100);
    let notes = FaceNotes::default().with(FACE, DESCRIPTION, f.string("description", 1000)).with(
        FACE,
        REFERENCE,
        reference.clone().filter(|_| keep_reference),
    );
    match Metadata::new(meta) {
        Ok(m) => (reference, m, notes),
        Err(e) => {
            f.reject("metadata", e);
            (reference, Metadata::default(), notes)
        }
    }
}

/// `POST /checkout-sessions`.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let token_mode = match f.string("mode", 20).as_deref() {
        Some("token") => true,
        None | Some("payment") => false,
        Some(_) => {
            f.reject("mode", Invalid::new("invalid_mode", "mode is token, or absent for a payment."));
            false
        }
    };
    let session = if token_mode { create_token_session(&s, &ctx, f).await? } else { create_flat(&s, &ctx, f).await? };
    Ok(Json(render_session(&s, &ctx, &session, Expand(true)).await?))
}

async fn create_flat(s: &HttpState, ctx: &Ctx, mut f: Fields) -> AppResult<CheckoutSession> {
    let currency = f.required_parsed("currency", Currency::parse);
    let items = read_items(&mut f, currency);
    let shipping = read_shipping(&mut f, currency, true);
    let customer = read_customer(&mut f, true);
    let amount = f.required_integer("amount", 1, MAX_UINT32, "invalid_amount");
    if let (Some(items), Some(shipping), Some(amount)) = (&items, &shipping, amount)
        && items.total(shipping.fee) != Some(amount)
    {
        let expected = items.total(shipping.fee).unwrap_or_default();
        f.reject(
            "amount",
            Invalid::new("amount_mismatch", format!("amount is {expected}: the items and the shipping fee.")),
        );
    }
    let capture_method = read_capture_method(&mut f, "captureMethod");
    let success_url = web_url(&mut f, "successUrl", true);
    let cancel_url = web_url(&mut f, "cancelUrl", true);
    let locale = read_locale(&mut f);
    let promotion_code = f.string("promotionCode", 100);
    let (reference, metadata, face_notes) = session_notes(&mut f, false);
    let _ = f.boolean("test");
    f.finish()?;
    let (items, shipping, customer) = (vouched(items)?, vouched(shipping)?, vouched(customer)?);
    let input = NewSessionInput {
        currency: vouched(currency)?,
        line_items: items.lines,
        tax_amount: MinorUnits::new(items.tax).ok_or_else(|| AppError::internal("negative tax"))?,
        shipping_amount: MinorUnits::new(shipping.fee).ok_or_else(|| AppError::internal("negative fee"))?,
        // Checked above against Smartpay's sum, which comes before any promotion code.
        amount_total: None,
        consumer: customer.consumer,
        billing_address: customer.address,
        shipping_address: shipping.address,
        success_url: vouched(success_url)?,
        failure_url: None,
        cancel_url,
        capture_method: capture_method.unwrap_or(CaptureMethod::Automatic),
        locale: locale.unwrap_or(Locale::Ja),
        expires_in: None,
        promotion_code,
        order_reference: reference,
        reference: None,
        order_number: None,
        metadata,
        face_notes,
        callback: None,
        payment_method_types: kassa_domain::checkout::card_only(),
        customer_codes: true,
    };
    s.app.create_checkout_session(ctx, input).await
}

async fn create_token_session(s: &HttpState, ctx: &Ctx, mut f: Fields) -> AppResult<CheckoutSession> {
    let customer = read_customer(&mut f, true);
    let success_url = web_url(&mut f, "successUrl", true);
    let cancel_url = web_url(&mut f, "cancelUrl", true);
    let locale = read_locale(&mut f);
    let currency = f.parsed("currency", Currency::parse);
    let (_, metadata, face_notes) = session_notes(&mut f, true);
    let _ = f.boolean("test");
    f.finish()?;
    let input = NewSetupSessionInput {
        customer: None,
        currency: currency.unwrap_or(Currency::JPY),
        consumer: vouched(customer)?.consumer,
        success_url: vouched(success_url)?,
        failure_url: None,
        cancel_url,
        locale: locale.unwrap_or(Locale::Ja),
        expires_in: None,
        reference: None,
        metadata,
        face_notes,
    };
    s.app.create_setup_session(ctx, input).await
}

/// A session, its order or token inlined when `expand` says so.
async fn render_session(s: &HttpState, ctx: &Ctx, session: &CheckoutSession, expand: Expand) -> AppResult<Value> {
    let mode = ctx.scope.mode;
    let subject = match (&session.purpose, expand.0) {
        (Purpose::Payment(pi), false) => Value::String(ids::wire(ids::ORDER, mode, pi.as_str())),
        (Purpose::Setup(tok), false) => Value::String(ids::wire(ids::TOKEN, mode, tok.as_str())),
        (Purpose::Payment(pi), true) => {
            let pi = s.app.get_payment_intent(ctx, pi.as_str()).await?;
            orders::load(&s.app, ctx, pi).await?.render(Expand(false))
        }
        (Purpose::Setup(tok), true) => render::token(&s.app.get_token(ctx, tok.as_str()).await?),
    };
    Ok(render::session(session, s.app.checkout_url(&session.id), subject))
}

/// `GET /checkout-sessions/{id}`.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let expand = expand_only(q)?;
    let kassa_id = ids::parse(ids::SESSION, ctx.scope.mode, &id)?;
    let session = s.app.get_checkout_session(&ctx, &kassa_id).await?;
    Ok(Json(render_session(&s, &ctx, &session, expand).await?))
}

/// `GET /checkout-sessions`.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Params(mut q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let asked = collection::request(&mut q);
    collection::finish(q)?;
    let found = s.app.list_checkout_sessions(&ctx, &Default::default(), asked.page.clone()).await?;
    let mut data = Vec::with_capacity(found.items.len());
    for session in &found.items {
        data.push(render_session(&s, &ctx, session, asked.expand).await?);
    }
    Ok(collection::respond(&asked, &found, data)?)
}
