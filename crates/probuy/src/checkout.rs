//! What ProBuy answers about a checkout session.

use crate::Decimal;
use crate::order::MerchantUrls;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a checkout stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Created; the customer has not paid.
    New,
    /// The customer paid; the payment is being authorized.
    Approved,
    /// Funds are held.
    Authorized,
    /// The payment was declined.
    Declined,
    /// Not paid in time.
    Expired,
    /// The customer canceled.
    Cancelled,
    /// Captured.
    Completed,
    /// Seen in ProBuy's own samples.
    Pending,
    /// A status this client does not know yet (kept, not an error).
    #[serde(untagged)]
    Other(String),
}

/// The answer to a create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutSession {
    /// The checkout's id (URL-safe).
    pub checkout_id: String,
    /// The merchant's reference.
    pub order_reference_id: String,
    /// Where the customer pays, as the server says.
    pub checkout_url: String,
    /// `new`.
    pub status: Status,
    /// ISO 8601.
    pub expires_at: String,
    /// ISO 8601.
    pub created_at: String,
    /// Fields this client has no name for, kept as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A create's answer with the customer's redirect URL on the portal
/// (`create_checkout_with_redirect_url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectCheckout {
    /// The session.
    pub session: CheckoutSession,
    /// `<portal>/checkout/<checkout_id>`.
    pub redirect_url: String,
}

/// Who pays, as the details show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerDetails {
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
}

/// `get_checkout_details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutDetails {
    /// The checkout's id.
    pub checkout_id: String,
    /// The merchant's reference.
    pub order_reference_id: String,
    /// The merchant's order number.
    pub order_number: String,
    /// ISO 4217.
    pub currency: String,
    /// What the customer pays, in major units, exactly.
    pub total_amount: Decimal,
    /// Tax.
    #[serde(default)]
    pub tax_amount: Option<Decimal>,
    /// Where it stands.
    pub status: Status,
    /// Who pays.
    pub consumer: ConsumerDetails,
    /// ISO 8601.
    pub created_at: String,
    /// ISO 8601.
    pub updated_at: String,
    /// ISO 8601.
    pub expires_at: String,
    /// Redirects.
    pub merchant_url: MerchantUrls,
    /// Fields this client has no name for (Kassa adds `payment_intent_id`, to capture through
    /// its native API).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}
