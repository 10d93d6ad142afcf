//! Kassa's objects in Stripe's shape (API version `2026-11-18.endive`): unix-second
//! timestamps, lowercase currencies, `null` for what Kassa does not have.

use crate::app::App;
use kassa_domain::payment_intent::{CancellationReason, CaptureMethod, PaymentIntent, Status};
use kassa_domain::refund::Refund;
use kassa_domain::{Metadata, Timestamp};
use serde_json::{Value, json};

/// The API version whose shapes the face speaks (stripe-node 23.x pins it).
pub const API_VERSION: &str = "2026-11-18.endive";

/// Unix seconds.
pub fn unix(t: Timestamp) -> i64 {
    t.micros().div_euclid(1_000_000)
}

fn metadata(m: &Metadata) -> Value {
    serde_json::to_value(m).unwrap_or_else(|_| json!({}))
}

/// Stripe's status: a failed attempt is a payment waiting for another payment method.
fn status(s: Status) -> &'static str {
    match s {
        Status::RequiresPaymentMethod | Status::Failed => "requires_payment_method",
        Status::RequiresConfirmation => "requires_confirmation",
        Status::RequiresAction => "requires_action",
        Status::Processing => "processing",
        Status::RequiresCapture => "requires_capture",
        Status::Succeeded => "succeeded",
        Status::Canceled => "canceled",
    }
}

/// A payment intent.
pub fn payment_intent(app: &App, pi: &PaymentIntent) -> Value {
    let last_payment_error = pi.last_error.as_ref().filter(|_| pi.status == Status::Failed).map(|f| {
        json!({"type": "card_error", "code": f.code, "decline_code": f.decline_code, "message": f.message,
            "payment_method": super::payment_methods::of_payment(pi)})
    });
    let next_action = pi.connector.as_ref().filter(|_| pi.status == Status::RequiresAction).and_then(|c| {
        c.redirect_url
            .as_ref()
            .map(|url| json!({"type": "redirect_to_url", "redirect_to_url": {"url": url, "return_url": c.return_url}}))
    });
    let captured = !pi.amount_captured.is_zero();
    json!({
        "id": pi.id.as_str(),
        "object": "payment_intent",
        "amount": pi.amount.get(),
        "amount_capturable": pi.amount_capturable().get(),
        "amount_details": {"tip": {}},
        "amount_received": pi.amount_captured.get(),
        "application": null,
        "application_fee_amount": null,
        "automatic_payment_methods": null,
        "canceled_at": (pi.status == Status::Canceled).then(|| unix(pi.updated_at)),
        "cancellation_reason": pi.cancellation_reason.map(CancellationReason::as_str),
        "capture_method": match pi.capture_method {
            CaptureMethod::Manual => "manual",
            _ => "automatic",
        },
        "client_secret": app.client_secret(&pi.id),
        "confirmation_method": "automatic",
        "created": unix(pi.created_at),
        "currency": pi.currency.code().to_ascii_lowercase(),
        "customer": pi.customer,
        "description": pi.description,
        "last_payment_error": last_payment_error,
        "latest_charge": super::charges::charge_id(pi),
        "livemode": pi.mode == kassa_domain::Mode::Live,
        "metadata": metadata(&pi.metadata),
        "next_action": next_action,
        "on_behalf_of": null,
        // A saved card shows as the payment method it is on this face.
        "payment_method": super::payment_methods::of_payment(pi),
        "payment_method_options": {},
        "payment_method_types": [pi.connector.as_ref().map_or("card", |c| c.provider.as_str())],
        "processing": null,
        "receipt_email": null,
        "review": null,
        "setup_future_usage": null,
        "shipping": null,
        "statement_descriptor": pi.statement_descriptor.as_ref().map(|d| d.as_str().to_owned()),
        "statement_descriptor_suffix": null,
        "status": status(pi.status),
        "transfer_data": null,
        "transfer_group": null,
        "captured": captured,
    })
}

/// A refund.
pub fn refund(r: &Refund) -> Value {
    json!({
        "id": r.id.as_str(),
        "object": "refund",
        "amount": r.amount.get(),
        "balance_transaction": null,
        "charge": format!("ch_{}", &r.payment_intent_id.as_str()["pi_".len()..]),
        "created": unix(r.created_at),
        "currency": r.currency.code().to_ascii_lowercase(),
        "destination_details": {"card": {"type": "refund"}, "type": "card"},
        "failure_reason": r.failure.as_ref().map(|f| f.code.clone()),
        "metadata": metadata(&r.metadata),
        "payment_intent": r.payment_intent_id.as_str(),
        "reason": r.reason.map(|reason| reason.as_str()),
        "receipt_number": null,
        "source_transfer_reversal": null,
        "status": r.status.as_str(),
        "transfer_reversal": null,
    })
}

/// A customer.
pub fn customer(c: &kassa_domain::Customer) -> Value {
    json!({
        "id": c.id.as_str(),
        "object": "customer",
        "address": null,
        "balance": 0,
        "created": unix(c.created_at),
        "currency": null,
        "default_source": null,
        "delinquent": false,
        "description": c.description,
        "discount": null,
        "email": c.email.as_ref().map(|e| e.as_str()),
        "invoice_prefix": null,
        "invoice_settings": {"custom_fields": null, "default_payment_method": null, "footer": null,
            "rendering_options": null},
        "livemode": c.mode == kassa_domain::Mode::Live,
        "metadata": metadata(&c.metadata),
        "name": c.name,
        "next_invoice_sequence": 1,
        "phone": c.phone,
        "preferred_locales": [],
        "shipping": null,
        "tax_exempt": "none",
        "test_clock": null,
    })
}
