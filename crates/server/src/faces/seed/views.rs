//! The seed's response objects, made from domain values.

use crate::faces::timestamps::iso_millis;
use kassa_domain::payment_intent::Status;
use kassa_domain::{PaymentIntent, PaymentIntentId, Refund};
use serde::Serialize;
use std::collections::BTreeMap;

/// A payment intent (`GET /payment_intents/{id}`, and the 201 of a create).
#[derive(Serialize)]
pub struct PaymentIntentView {
    id: String,
    status: &'static str,
    amount: i64,
    currency: String,
    customer_id: Option<String>,
    payment_method_id: Option<String>,
    capture_method: &'static str,
    client_secret: String,
    metadata: BTreeMap<String, String>,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_message: Option<String>,
}

impl PaymentIntentView {
    /// The view of `pi`, with its client secret.
    pub fn new(pi: &PaymentIntent, client_secret: String) -> PaymentIntentView {
        let failure = pi.last_error.as_ref().filter(|_| pi.status == Status::Failed);
        PaymentIntentView {
            id: pi.id.to_string(),
            status: pi.status.as_str(),
            amount: pi.amount.get(),
            currency: pi.currency.code().to_owned(),
            customer_id: pi.customer.clone(),
            payment_method_id: pi.payment_method.as_ref().map(|pm| pm.id.clone()),
            capture_method: pi.capture_method.as_str(),
            client_secret,
            metadata: pi.metadata.entries().clone(),
            created_at: iso_millis(pi.created_at),
            updated_at: iso_millis(pi.updated_at),
            failure_reason: failure.map(|f| f.reason().to_owned()),
            failure_message: failure.map(|f| f.message.clone()),
        }
    }
}

/// The answer to a confirm: `202 {id, status}`.
#[derive(Serialize)]
pub struct Accepted {
    /// The intent.
    pub id: String,
    /// `processing`.
    pub status: &'static str,
}

/// The seed's id of the payment of an intent: `pay_X` for `pi_X`.
pub fn payment_id(pi: &PaymentIntentId) -> String {
    format!("pay_{}", pi.as_str().trim_start_matches("pi_"))
}

/// The intent behind a seed payment id, if it has the form of one.
pub fn intent_of_payment(payment_id: &str) -> Option<PaymentIntentId> {
    PaymentIntentId::parse(&format!("pi_{}", payment_id.strip_prefix("pay_")?))
}

/// A payment result (`GET /payments/{intent id}`).
#[derive(Serialize)]
pub struct PaymentView {
    payment_id: String,
    payment_intent_id: String,
    status: &'static str,
    amount: i64,
    currency: String,
    captured_amount: i64,
    refunded_amount: i64,
    auth_code: Option<String>,
    /// The customer's receipt page, once money was taken.
    receipt_url: Option<String>,
    /// When the payment was completed (authorized; captured with it for automatic capture).
    created_at: String,
}

impl PaymentView {
    /// The payment of an authorized or captured intent, completed at `completed`.
    pub fn new(pi: &PaymentIntent, completed: kassa_domain::Timestamp, receipt_url: Option<String>) -> PaymentView {
        PaymentView {
            payment_id: payment_id(&pi.id),
            payment_intent_id: pi.id.to_string(),
            status: pi.status.as_str(),
            amount: pi.amount.get(),
            currency: pi.currency.code().to_owned(),
            captured_amount: pi.amount_captured.get(),
            refunded_amount: pi.amount_refunded.get(),
            auth_code: pi.authorization.as_ref().map(|a| a.code.clone()),
            receipt_url,
            created_at: iso_millis(completed),
        }
    }
}

/// A refund (`POST /refunds`).
#[derive(Serialize)]
pub struct RefundView {
    id: String,
    payment_id: String,
    amount: i64,
    currency: String,
    reason: Option<&'static str>,
    status: &'static str,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<String>,
}

impl RefundView {
    /// The view of `refund`.
    pub fn new(refund: &Refund) -> RefundView {
        RefundView {
            id: refund.id.to_string(),
            payment_id: payment_id(&refund.payment_intent_id),
            amount: refund.amount.get(),
            currency: refund.currency.code().to_owned(),
            reason: refund.reason.map(|r| r.as_str()),
            status: refund.status.as_str(),
            created_at: iso_millis(refund.created_at),
            failure_reason: refund.failure.as_ref().map(|f| f.reason().to_owned()),
        }
    }
}
