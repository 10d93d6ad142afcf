//! Kassa's objects in Smartpay's words: camelCase, epoch milliseconds, Smartpay ids, `test`.
//! What Smartpay has and Kassa does not (a payment's `reference`, a refund's `description`) is
//! read back from the face notes this face keeps beside each object.

use super::collection::Expand;
use super::ids::{self, Kind};
use kassa_domain::capture::{Capture, CaptureStatus};
use kassa_domain::checkout::{Address, CheckoutPhase, CheckoutSession, Consumer, Coupon, CouponValue, PromotionCode};
use kassa_domain::payment_intent::Status;
use kassa_domain::refund::RefundStatus;
use kassa_domain::token::Token;
use kassa_domain::webhook::WebhookEndpoint;
use kassa_domain::{FaceNotes, Metadata, Mode, PaymentIntent, Refund, Timestamp};
use serde_json::{Map, Value, json};

/// This face's name in face notes.
pub const FACE: &str = "smartpay";
/// Face notes: Smartpay fields Kassa has none for.
pub const REFERENCE: &str = "reference";
pub const DESCRIPTION: &str = "description";
pub const EVENT_SUBSCRIPTIONS: &str = "event_subscriptions";

/// Milliseconds since the epoch.
pub fn millis(t: Timestamp) -> i64 {
    t.micros().div_euclid(1000)
}

/// The merchant's metadata.
pub fn metadata(m: &Metadata) -> Value {
    let own: Map<String, Value> = m.entries().iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    Value::Object(own)
}

/// The face note `name`, or `null`.
fn kept(notes: &FaceNotes, name: &str) -> Value {
    notes.get(FACE, name).map_or(Value::Null, |v| Value::String(v.to_owned()))
}

fn id(kind: Kind, mode: Mode, kassa_id: &str) -> Value {
    Value::String(ids::wire(kind, mode, kassa_id))
}

fn test(mode: Mode) -> bool {
    mode == Mode::Test
}

/// Removes `null` fields, as Smartpay leaves absent ones out.
fn compact(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.retain(|_, v| !v.is_null());
    }
    v
}

/// Smartpay's status of an order.
pub fn order_status(pi: &PaymentIntent, session: Option<&CheckoutSession>) -> &'static str {
    let phase = session.map(|s| s.phase(Some(pi.status)));
    match pi.status {
        Status::RequiresCapture => "requires_capture",
        Status::Succeeded => "succeeded",
        Status::Failed => "failed",
        Status::Canceled if phase == Some(CheckoutPhase::Failed) => "rejected",
        Status::Canceled => "canceled",
        // A saved card charged without a page: a refusal ends the order.
        Status::RequiresPaymentMethod if session.is_none() && pi.last_error.is_some() => "rejected",
        Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::Processing | Status::RequiresAction => {
            "requires_authorization"
        }
    }
}

fn address(a: &Address) -> Value {
    compact(json!({
        "line1": a.line1,
        "line2": a.line2,
        "locality": a.city,
        "administrativeArea": a.region,
        "postalCode": a.postal_code,
        "country": a.country_code.as_ref().map(|c| c.as_str()),
    }))
}

/// `customerInfo`.
pub fn customer(c: &Consumer, billing: Option<&Address>) -> Value {
    compact(json!({
        "emailAddress": c.email.as_ref().map(|e| e.as_str()),
        "firstName": c.first_name,
        "lastName": c.last_name,
        "phoneNumber": c.phone_number,
        "address": billing.map(address),
    }))
}

/// Everything an order is shown with.
pub struct OrderParts<'a> {
    /// The order.
    pub pi: &'a PaymentIntent,
    /// The checkout it was created with, if any.
    pub session: Option<&'a CheckoutSession>,
    /// Its captures, oldest first.
    pub captures: &'a [Capture],
    /// Its refunds.
    pub refunds: &'a [Refund],
}

fn line_items(parts: &OrderParts, expand: Expand) -> Vec<Value> {
    let mode = parts.pi.mode;
    let random = ids::wire(ids::ORDER, mode, parts.pi.id.as_str());
    let random = random.rsplit('_').next().unwrap_or_default();
    let currency = parts.pi.currency.code();
    let mut lines: Vec<Value> = Vec::new();
    if let Some(session) = parts.session {
        for (n, line) in session.line_items.iter().enumerate() {
            let line_id = format!("lineitem_{}_{random}L{n}", mode.as_str());
            lines.push(if expand.0 {
                compact(json!({
                    "id": line_id, "object": "lineItem", "kind": "product", "name": line.name,
                    "description": line.description, "reference": line.reference, "quantity": line.quantity,
                    "amount": line.unit_amount.get(), "currency": currency,
                    "images": line.image_url.as_ref().map(|u| vec![u]),
                }))
            } else {
                Value::String(line_id)
            });
        }
    }
    lines
}

/// An order (a payment intent).
pub fn order(parts: &OrderParts, expand: Expand) -> Value {
    let pi = parts.pi;
    let mode = pi.mode;
    let session = parts.session;
    let payments: Vec<Value> = parts
        .captures
        .iter()
        .map(
            |c| if expand.0 { payment(c, parts.refunds, Expand(false)) } else { id(ids::PAYMENT, mode, c.id.as_str()) },
        )
        .collect();
    let reference = session.and_then(|s| s.order_reference.clone()).map(Value::String);
    let description =
        session.map_or_else(|| pi.description.clone().map(Value::String), |s| Some(kept(&s.face_notes, DESCRIPTION)));
    let meta = session.map_or(&pi.metadata, |s| &s.metadata);
    let shipping = session.map(|s| {
        compact(json!({
            "address": s.shipping_address.as_ref().map(address),
            "feeAmount": s.totals.shipping.get(),
            "feeCurrency": pi.currency.code(),
        }))
    });
    compact(json!({
        "id": id(ids::ORDER, mode, pi.id.as_str()),
        "object": "order",
        "status": order_status(pi, session),
        "amount": pi.amount.get(),
        "currency": pi.currency.code(),
        "capturedAmount": pi.amount_captured.get(),
        "refundedAmount": pi.amount_refunded.get(),
        "test": test(mode),
        "createdAt": millis(pi.created_at),
        "updatedAt": millis(pi.updated_at),
        "expiresAt": session.map(|s| millis(s.expires_at)),
        "customerInfo": session.map(|s| customer(&s.consumer, s.billing_address.as_ref())),
        "shippingInfo": shipping,
        "lineItems": line_items(parts, expand),
        "payments": payments,
        "discountAmount": session.map(|s| s.totals.discount.get()),
        "discounts": session.and_then(|s| s.promotion.as_ref()).map(|p| vec![json!({
            "promotionCode": id(ids::PROMOTION_CODE, mode, p.promotion_code_id.as_str()),
            "coupon": id(ids::COUPON, mode, p.coupon_id.as_str()),
            "code": p.code,
        })]),
        "reference": reference.unwrap_or_else(|| kept(&pi.face_notes, REFERENCE)),
        "description": description,
        "metadata": metadata(meta),
        "tokenId": pi.token.as_ref().map(|t| id(ids::TOKEN, mode, t.as_str())),
        "captureMethod": pi.capture_method.as_str(),
    }))
}

/// A payment (a capture), with the refunds made against it.
pub fn payment(c: &Capture, refunds: &[Refund], expand: Expand) -> Value {
    let mode = c.mode;
    let own: Vec<Value> = refunds
        .iter()
        .filter(|r| r.capture_id.as_ref() == Some(&c.id))
        .map(|r| if expand.0 { refund(r) } else { id(ids::REFUND, mode, r.id.as_str()) })
        .collect();
    let status = match c.status {
        CaptureStatus::Succeeded if c.amount_refunded.get() >= c.amount.get() => "refunded",
        CaptureStatus::Succeeded => "processed",
        CaptureStatus::Pending => "pending",
        CaptureStatus::Failed => "failed",
    };
    compact(json!({
        "id": id(ids::PAYMENT, mode, c.id.as_str()),
        "object": "payment",
        "test": test(mode),
        "createdAt": millis(c.created_at),
        "updatedAt": millis(c.updated_at),
        "amount": c.amount.get(),
        "currency": c.currency.code(),
        "order": id(ids::ORDER, mode, c.payment_intent_id.as_str()),
        "reference": kept(&c.face_notes, REFERENCE),
        "description": c.description,
        "status": status,
        "refundedAmount": c.amount_refunded.get(),
        "lineItems": [],
        "refunds": own,
        "metadata": metadata(&c.metadata),
    }))
}

/// A refund.
pub fn refund(r: &Refund) -> Value {
    let mode = r.mode;
    let status = match r.status {
        RefundStatus::Pending => "pending",
        RefundStatus::Succeeded => "succeeded",
        RefundStatus::Failed => "failed",
    };
    compact(json!({
        "id": id(ids::REFUND, mode, r.id.as_str()),
        "object": "refund",
        "test": test(mode),
        "createdAt": millis(r.created_at),
        "updatedAt": millis(r.updated_at),
        "payment": r.capture_id.as_ref().map(|c| id(ids::PAYMENT, mode, c.as_str())),
        "order": id(ids::ORDER, mode, r.payment_intent_id.as_str()),
        "amount": r.amount.get(),
        "currency": r.currency.code(),
        "reason": r.reason.map(|x| x.as_str()),
        "status": status,
        "lineItems": [],
        "reference": kept(&r.face_notes, REFERENCE),
        "description": kept(&r.face_notes, DESCRIPTION),
        "metadata": metadata(&r.metadata),
    }))
}

/// A saved card.
pub fn token(t: &Token) -> Value {
    let mode = t.mode;
    compact(json!({
        "id": id(ids::TOKEN, mode, t.id.as_str()),
        "object": "token",
        "status": t.status.as_str(),
        "test": test(mode),
        "createdAt": millis(t.created_at),
        "updatedAt": millis(t.updated_at),
        "reference": kept(&t.face_notes, REFERENCE),
        "metadata": metadata(&t.metadata),
        "card": t.card.as_ref().map(|c| json!({"brand": c.details.brand.as_str(), "last4": c.details.last4})),
    }))
}

/// A checkout session, with its order or token by id or expanded (`subject`).
pub fn session(s: &CheckoutSession, url: String, subject: Value) -> Value {
    let mode = s.mode;
    let (order, token) = if s.token_id().is_some() { (Value::Null, subject) } else { (subject, Value::Null) };
    compact(json!({
        "id": id(ids::SESSION, mode, s.id.as_str()),
        "object": "checkoutSession",
        "test": test(mode),
        "createdAt": millis(s.created_at),
        "updatedAt": millis(s.updated_at),
        "expiresAt": millis(s.expires_at),
        "status": s.status.as_str(),
        "customerInfo": customer(&s.consumer, s.billing_address.as_ref()),
        "order": order,
        "token": token,
        "successUrl": s.success_url,
        "cancelUrl": s.cancel_url,
        "locale": s.locale.as_str(),
        "reference": s.order_reference.clone().map(Value::String).unwrap_or_else(|| kept(&s.face_notes, REFERENCE)),
        "description": kept(&s.face_notes, DESCRIPTION),
        "metadata": metadata(&s.metadata),
        "url": url,
    }))
}

/// A coupon.
pub fn coupon(c: &Coupon) -> Value {
    let mode = c.mode;
    let (kind, amount, percentage, currency) = match c.value {
        CouponValue::AmountOff { amount, currency } => ("amount", Some(amount.get()), None, Some(currency)),
        CouponValue::PercentOff(p) => ("percentage", None, Some(p), None),
    };
    compact(json!({
        "id": id(ids::COUPON, mode, c.id.as_str()),
        "object": "coupon",
        "name": c.name,
        "active": c.active,
        "discountType": kind,
        "discountAmount": amount,
        "discountPercentage": percentage,
        "currency": currency.map(|c| c.code().to_owned()),
        "expiresAt": c.expires_at.map(millis),
        "maxRedemptionCount": c.max_redemptions,
        "redemptionCount": c.times_redeemed,
        "sponsored": false,
        "metadata": metadata(&c.metadata),
        "test": test(mode),
        "createdAt": millis(c.created_at),
        "updatedAt": millis(c.created_at),
    }))
}

/// A promotion code.
pub fn promotion_code(p: &PromotionCode) -> Value {
    let mode = p.mode;
    let minimum = p.restrictions.minimum_amount;
    compact(json!({
        "id": id(ids::PROMOTION_CODE, mode, p.id.as_str()),
        "object": "promotionCode",
        "code": p.code,
        "coupon": id(ids::COUPON, mode, p.coupon_id.as_str()),
        "active": p.active,
        "currency": minimum.map(|(_, c)| c.code().to_owned()),
        "expiresAt": p.expires_at.map(millis),
        "firstTimeTransaction": p.restrictions.first_time_only,
        "onePerCustomer": p.restrictions.once_per_customer,
        "maxRedemptionCount": p.max_redemptions,
        "minimumAmount": minimum.map(|(a, _)| a.get()),
        "redemptionCount": p.times_redeemed,
        "metadata": metadata(&p.metadata),
        "test": test(mode),
        "createdAt": millis(p.created_at),
        "updatedAt": millis(p.created_at),
    }))
}

/// A webhook endpoint; its signing secret is the base62 part of Kassa's `whsec_…`.
pub fn endpoint(e: &WebhookEndpoint) -> Value {
    let mode = e.mode;
    let subscriptions: Vec<&str> = e
        .face_notes
        .get(FACE, EVENT_SUBSCRIPTIONS)
        .map(|s| s.split(',').filter(|n| !n.is_empty()).collect())
        .unwrap_or_default();
    compact(json!({
        "id": id(ids::ENDPOINT, mode, e.id.as_str()),
        "object": "webhookEndpoint",
        "active": e.status == kassa_domain::webhook::EndpointStatus::Enabled,
        "url": e.url.as_str(),
        "description": e.description,
        "eventSubscriptions": subscriptions,
        "metadata": metadata(&e.metadata),
        "signingSecret": super::webhooks::signing_secret(&e.secret),
        "test": test(mode),
        "createdAt": millis(e.created_at),
        "updatedAt": millis(e.updated_at),
    }))
}
