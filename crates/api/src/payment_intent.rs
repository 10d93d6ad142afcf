//! Payment intents: `/v1/payment_intents`.

use crate::list::{ListParams, Range};
use crate::{Currency, Metadata};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

string_enum! {
    /// Where a payment intent stands.
    PaymentIntentStatus {
        /// Created without a payment method.
        RequiresPaymentMethod = "requires_payment_method",
        /// Has a payment method; waiting for confirm.
        RequiresConfirmation = "requires_confirmation",
        /// Confirmed; the processor is working on it.
        Processing = "processing",
        /// The customer must approve the payment elsewhere: see `next_action`.
        RequiresAction = "requires_action",
        /// Authorized; waiting for capture.
        RequiresCapture = "requires_capture",
        /// Funds captured.
        Succeeded = "succeeded",
        /// The last attempt failed (see `last_payment_error`); confirm again or cancel.
        Failed = "failed",
        /// Canceled.
        Canceled = "canceled",
    }
}

string_enum! {
    /// When the authorized funds are captured.
    CaptureMethod {
        /// As soon as the authorization succeeds.
        Automatic = "automatic",
        /// When the merchant calls capture.
        Manual = "manual",
    }
}

string_enum! {
    /// Why a payment intent was canceled.
    CancellationReason {
        /// A duplicate payment.
        Duplicate = "duplicate",
        /// Suspected fraud.
        Fraudulent = "fraudulent",
        /// The customer asked.
        RequestedByCustomer = "requested_by_customer",
        /// The customer left.
        Abandoned = "abandoned",
    }
}

/// A card as Kassa keeps it: never the full number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Card {
    /// `visa`, `mastercard`, `amex`, `discover`, `jcb`, `diners`, `unionpay`.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month.
    pub exp_month: u8,
    /// Expiry year.
    pub exp_year: u16,
    /// Same card, same fingerprint (per merchant).
    pub fingerprint: String,
}

/// The payment method used, as shown on a payment intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentMethodDetails {
    /// Always `card` for now.
    #[serde(rename = "type")]
    pub kind: String,
    /// The card.
    pub card: Card,
}

/// Why the last attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentError {
    /// `card_declined`, `expired_card`, `processing_error`, `capture_declined` …
    pub code: String,
    /// The issuer's reason when known, e.g. `insufficient_funds`.
    #[serde(default)]
    pub decline_code: Option<String>,
    /// A message that can be shown to the customer.
    pub message: String,
}

/// What the merchant's page must do for the payment to go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextAction {
    /// `redirect_to_url`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where to send the customer.
    #[serde(default)]
    pub redirect_to_url: Option<RedirectToUrl>,
}

/// Send the customer to `url`; they come back to `return_url` with `payment_intent=pi_…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedirectToUrl {
    /// The provider's page where the customer approves.
    pub url: String,
    /// Where the customer comes back to.
    pub return_url: String,
}

/// The connector a payment goes through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentConnector {
    /// `conn_…`
    pub id: String,
    /// The provider: `vipps`, `smartpay`, `probuy`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The provider's id for the payment, once it has one.
    #[serde(default)]
    pub reference: Option<String>,
}

/// A capture sent to the processor and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingCapture {
    /// `cap_…`
    pub id: String,
    /// Amount being captured.
    pub amount: i64,
    /// Whether the rest is released when it succeeds.
    pub final_capture: bool,
}

/// A payment intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentIntent {
    /// `pi_…`
    pub id: String,
    /// Always `payment_intent`.
    pub object: String,
    /// Live or test data.
    pub livemode: bool,
    /// Where it stands.
    pub status: PaymentIntentStatus,
    /// Amount requested, in minor units.
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: Currency,
    /// Automatic or manual capture.
    pub capture_method: CaptureMethod,
    /// Held by the authorization.
    pub amount_authorized: i64,
    /// Captured so far.
    pub amount_captured: i64,
    /// Still capturable (only while `requires_capture`).
    pub amount_capturable: i64,
    /// Refunded (settled refunds).
    pub amount_refunded: i64,
    /// Reserved by refunds still pending at the processor.
    pub amount_refund_pending: i64,
    /// Authorized but released without capture.
    pub amount_canceled: i64,
    /// The payment method's id (`pm_card_visa` …), once attached.
    #[serde(default)]
    pub payment_method: Option<String>,
    /// The card, once attached.
    #[serde(default)]
    pub payment_method_details: Option<PaymentMethodDetails>,
    /// While `requires_action`: where the customer approves the payment.
    #[serde(default)]
    pub next_action: Option<NextAction>,
    /// The connector the payment goes through, when it is not a card payment.
    #[serde(default)]
    pub connector: Option<PaymentConnector>,
    /// A capture in progress at the processor.
    #[serde(default)]
    pub pending_capture: Option<PendingCapture>,
    /// Why the last attempt failed.
    #[serde(default)]
    pub last_payment_error: Option<PaymentError>,
    /// Why it was canceled.
    #[serde(default)]
    pub cancellation_reason: Option<CancellationReason>,
    /// The merchant's customer reference.
    #[serde(default)]
    pub customer: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Text on the customer's card statement.
    #[serde(default)]
    pub statement_descriptor: Option<String>,
    /// The merchant's own reference, unique among its payment intents.
    #[serde(default)]
    pub reference: Option<String>,
    /// The most recent capture asked for (`cap_…`); see `GET /v1/payment_intents/{id}/captures`.
    #[serde(default)]
    pub latest_capture: Option<String>,
    /// The saved card charged (`tok_…`), for a payment made without the customer present.
    #[serde(default)]
    pub token: Option<String>,
    /// The customer's receipt page, once the payment took money (`null` before, and in event
    /// payloads).
    #[serde(default)]
    pub receipt_url: Option<String>,
    /// Merchant annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
}

/// Raw card data (test mode: the simulator's test numbers; never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardData {
    /// The card number, 12–19 digits.
    pub number: String,
    /// Expiry month, 1–12.
    pub exp_month: u8,
    /// Expiry year, four digits (or two).
    pub exp_year: u16,
    /// Security code (3 digits; 4 for Amex).
    pub cvc: String,
}

/// A payment method given as data instead of an id: a card, or a connector's provider
/// (`vipps`, `smartpay`, `probuy`), where the customer approves the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentMethodData {
    /// `card` (the default), or the type of one of your connectors.
    #[serde(rename = "type")]
    pub kind: String,
    /// The card (type `card` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardData>,
    /// Who pays, as far as the provider needs to know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_details: Option<BillingDetails>,
}

impl PaymentMethodData {
    /// A card payment method.
    pub fn card(number: impl Into<String>, exp_month: u8, exp_year: u16, cvc: impl Into<String>) -> Self {
        PaymentMethodData {
            kind: "card".into(),
            card: Some(CardData { number: number.into(), exp_month, exp_year, cvc: cvc.into() }),
            billing_details: None,
        }
    }

    /// Paying through your connector of `kind` (`vipps`, `smartpay`, `probuy`): give a
    /// `return_url` with it.
    pub fn connector(kind: impl Into<String>) -> Self {
        PaymentMethodData { kind: kind.into(), card: None, billing_details: None }
    }

    /// The same, with who pays.
    pub fn with_billing_details(self, billing_details: BillingDetails) -> Self {
        PaymentMethodData { billing_details: Some(billing_details), ..self }
    }
}

/// Who pays, as Stripe names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillingDetails {
    /// Full name (≤ 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number, country code first (≤ 30 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<BillingAddress>,
}

/// A postal address (each line ≤ 200 characters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillingAddress {
    /// Street and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Apartment, floor …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// State, province or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// `POST /v1/payment_intents`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatePaymentIntent {
    /// Amount in minor units, 1 to 99 999 999 999.
    pub amount: i64,
    /// ISO 4217 code, uppercase.
    pub currency: Currency,
    /// Default `automatic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_method: Option<CaptureMethod>,
    /// A test payment method (`pm_card_visa` …) to attach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// Raw card data to attach, or a connector's provider to pay through, instead of
    /// `payment_method`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_data: Option<PaymentMethodData>,
    /// Where the customer comes back after approving elsewhere (required for a connector's
    /// payment method).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// A saved card (`tok_…`, active) to charge without the customer present, instead of a
    /// payment method; needs `confirm: true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Confirm at once (needs a payment method or a token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm: Option<bool>,
    /// The merchant's customer reference (≤ 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Free text (≤ 1000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Text on the statement (≤ 22 characters, no `<>\"'`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_descriptor: Option<String>,
    /// Your own reference: 1 to 64 of `A-Za-z0-9._-`, unique among your payment intents; a
    /// second create with it is a 409 `reference_in_use` (unless it replays an idempotency key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Merchant annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl CreatePaymentIntent {
    /// An intent for `amount` minor units of `currency`, with defaults for everything else.
    pub fn new(amount: i64, currency: Currency) -> Self {
        CreatePaymentIntent {
            amount,
            currency,
            capture_method: None,
            payment_method: None,
            payment_method_data: None,
            return_url: None,
            token: None,
            confirm: None,
            customer: None,
            description: None,
            statement_descriptor: None,
            reference: None,
            metadata: None,
        }
    }
}

/// `POST /v1/payment_intents/{id}`: only the fields to change, before confirmation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdatePaymentIntent {
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New customer reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// New statement descriptor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_descriptor: Option<String>,
    /// Keys to set; an empty value removes the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `POST /v1/payment_intents/{id}/confirm`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmPaymentIntent {
    /// A test payment method to use (replaces any attached one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// Raw card data, or a connector's provider to pay through, instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_data: Option<PaymentMethodData>,
    /// Where the customer comes back after approving elsewhere (required for a connector's
    /// payment method).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
}

/// `POST /v1/payment_intents/{id}/capture`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapturePaymentIntent {
    /// Amount to capture; default everything still capturable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_to_capture: Option<i64>,
    /// `true` (default) releases the rest of the authorization; `false` allows further
    /// captures up to the authorized amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_capture: Option<bool>,
    /// Free text kept on the capture record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Annotations kept on the capture record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `POST /v1/payment_intents/{id}/cancel`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CancelPaymentIntent {
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<CancellationReason>,
}

/// `GET /v1/payment_intents`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPaymentIntents {
    /// Paging.
    pub page: ListParams,
    /// Only this status.
    pub status: Option<PaymentIntentStatus>,
    /// Only the intent with this reference.
    pub reference: Option<String>,
    /// Only created in this range.
    pub created: Range,
}

impl ListPaymentIntents {
    /// The query pairs for this filter.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        self.page.push_query(&mut q);
        if let Some(s) = &self.status {
            q.push(("status".into(), s.as_str().to_owned()));
        }
        if let Some(r) = &self.reference {
            q.push(("reference".into(), r.clone()));
        }
        self.created.push_query("created", &mut q);
        q
    }
}
