//! Checkout sessions, coupons and promotion codes: `/v1/checkout_sessions`, `/v1/coupons`,
//! `/v1/promotion_codes`.

use crate::list::{ListParams, Range};
use crate::refund::Expandable;
use crate::{CaptureMethod, Currency, Metadata, PaymentIntent};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

string_enum! {
    /// Where a session stands.
    CheckoutSessionStatus {
        /// Waiting for the customer.
        Open = "open",
        /// Paid.
        Complete = "complete",
        /// Not paid in time.
        Expired = "expired",
        /// Canceled by the customer, or after its last declined attempt.
        Canceled = "canceled",
    }
}

string_enum! {
    /// Where a session's payment stands.
    CheckoutPaymentStatus {
        /// No attempt yet.
        Unpaid = "unpaid",
        /// An attempt is being authorized.
        Processing = "processing",
        /// Authorized or captured.
        Paid = "paid",
        /// The last attempt was declined.
        Failed = "failed",
    }
}

/// One line of an order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineItem {
    /// What is sold.
    pub name: String,
    /// More about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `physical` or `digital`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Your reference or SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// How many (1–10000).
    pub quantity: i64,
    /// Price of one, in minor units.
    pub unit_amount: i64,
    /// Discount on the whole line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<i64>,
    /// Tax on the whole line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<i64>,
    /// A picture of it (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

impl LineItem {
    /// `quantity` × `name` at `unit_amount` each.
    pub fn new(name: impl Into<String>, quantity: i64, unit_amount: i64) -> LineItem {
        LineItem { name: name.into(), quantity, unit_amount, ..LineItem::default() }
    }
}

/// Who pays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consumer {
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email (identifies the customer for promotion restrictions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone, E.164.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// More street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Region or state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

fn payment_mode() -> String {
    "payment".to_owned()
}

/// A checkout session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutSession {
    /// `cs_…`
    pub id: String,
    /// Always `checkout_session`.
    pub object: String,
    /// Live or test data.
    pub livemode: bool,
    /// The hosted page to send the customer to.
    pub url: String,
    /// How the customer may pay on the page.
    #[serde(default)]
    pub payment_method_types: Vec<String>,
    /// `payment` (collects a payment) or `setup` (saves a card in a token, charging nothing).
    #[serde(default = "payment_mode")]
    pub mode: String,
    /// Where it stands.
    pub status: CheckoutSessionStatus,
    /// Where its payment stands.
    pub payment_status: CheckoutPaymentStatus,
    /// The order's currency.
    pub currency: Currency,
    /// Σ quantity × unit amount.
    pub amount_subtotal: i64,
    /// Line discounts plus the promotion's.
    pub amount_discount: i64,
    /// Line taxes plus the order's.
    pub amount_tax: i64,
    /// Shipping.
    pub amount_shipping: i64,
    /// What the customer pays.
    pub amount_total: i64,
    /// The lines.
    pub line_items: Vec<LineItem>,
    /// Who pays.
    #[serde(default)]
    pub consumer: Consumer,
    /// Billing address.
    #[serde(default)]
    pub billing_address: Option<Address>,
    /// Shipping address.
    #[serde(default)]
    pub shipping_address: Option<Address>,
    /// After paying (`?session_id=cs_…` appended).
    pub success_url: String,
    /// After the last declined attempt.
    #[serde(default)]
    pub failure_url: Option<String>,
    /// When the customer cancels.
    #[serde(default)]
    pub cancel_url: Option<String>,
    /// Capture method of its payment.
    pub capture_method: CaptureMethod,
    /// Page language: `en`, `ar`, `ja`, `nb`.
    pub locale: String,
    /// The promotion code applied.
    #[serde(default)]
    pub promotion_code: Option<String>,
    /// The payment (payment mode): its id, or the object with `expand[]=payment_intent`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    /// The token the customer's card is saved in (setup mode, `tok_…`).
    #[serde(default)]
    pub token: Option<String>,
    /// Your order reference.
    #[serde(default)]
    pub order_reference: Option<String>,
    /// Your own reference, unique among your sessions (its payment intent carries it too).
    #[serde(default)]
    pub reference: Option<String>,
    /// Your order number.
    #[serde(default)]
    pub order_number: Option<String>,
    /// Declined attempts so far.
    pub failed_attempts: u32,
    /// Annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// When it expires.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: OffsetDateTime,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
}

/// `POST /v1/checkout_sessions`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateCheckoutSession {
    /// `payment` (default), or `setup`: the page saves the customer's card in a token
    /// (verified, nothing charged); a setup session takes no lines, amounts, capture method,
    /// promotion code or addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// ISO 4217 (setup mode: the currency the card is verified in).
    pub currency: Currency,
    /// At least one line (payment mode); none in setup mode.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line_items: Vec<LineItem>,
    /// Shipping, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<i64>,
    /// Order-level tax, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<i64>,
    /// The total you expect; refused (422) if it does not match the lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_total: Option<i64>,
    /// Who pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<Consumer>,
    /// Billing address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// Shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// Where the customer goes after paying.
    pub success_url: String,
    /// Where the customer goes after the last declined attempt (default: the cancel URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_url: Option<String>,
    /// Where the customer goes on cancel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<String>,
    /// Capture method (default automatic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_method: Option<CaptureMethod>,
    /// `en` (default), `ar`, `ja`, `nb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Seconds until it expires (default 1800, from 300 to 86400).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
    /// A promotion code to apply now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_code: Option<String>,
    /// Your order reference (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_reference: Option<String>,
    /// Your own reference: 1 to 64 of `A-Za-z0-9._-`, unique among your sessions and payment
    /// intents; a second create with it is a 409 `reference_in_use`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Your order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// How the customer may pay on the page (default `["card"]`): `card`, and the type of any of
    /// your connectors (`vipps`, `smartpay`, `probuy`), shown as "Pay with …" buttons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_types: Option<Vec<String>>,
}

impl CreateCheckoutSession {
    /// A session for `lines` in `currency` that returns to `success_url`.
    pub fn new(currency: Currency, lines: Vec<LineItem>, success_url: impl Into<String>) -> Self {
        CreateCheckoutSession {
            mode: None,
            currency,
            line_items: lines,
            shipping_amount: None,
            tax_amount: None,
            amount_total: None,
            consumer: None,
            billing_address: None,
            shipping_address: None,
            success_url: success_url.into(),
            failure_url: None,
            cancel_url: None,
            capture_method: None,
            locale: None,
            expires_in: None,
            promotion_code: None,
            order_reference: None,
            reference: None,
            order_number: None,
            metadata: None,
            payment_method_types: None,
        }
    }

    /// A setup session: the customer saves a card (verified in `currency`, nothing charged)
    /// and is sent to `success_url`; the session's `token` can then be charged.
    pub fn setup(currency: Currency, success_url: impl Into<String>) -> Self {
        CreateCheckoutSession {
            mode: Some("setup".to_owned()),
            ..CreateCheckoutSession::new(currency, Vec::new(), success_url)
        }
    }
}

/// `GET /v1/checkout_sessions`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCheckoutSessions {
    /// Paging.
    pub page: ListParams,
    /// Only this status.
    pub status: Option<CheckoutSessionStatus>,
    /// Only the session of this payment intent.
    pub payment_intent: Option<String>,
    /// Only sessions of this customer email.
    pub customer_email: Option<String>,
    /// Only created in this range.
    pub created: Range,
}

impl ListCheckoutSessions {
    /// The query pairs for this filter.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        self.page.push_query(&mut q);
        if let Some(s) = &self.status {
            q.push(("status".into(), s.as_str().to_owned()));
        }
        if let Some(pi) = &self.payment_intent {
            q.push(("payment_intent".into(), pi.clone()));
        }
        if let Some(e) = &self.customer_email {
            q.push(("customer_email".into(), e.clone()));
        }
        self.created.push_query("created", &mut q);
        q
    }
}

/// A coupon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coupon {
    /// `co_…`
    pub id: String,
    /// Always `coupon`.
    pub object: String,
    /// Live or test data.
    pub livemode: bool,
    /// Shown to customers.
    #[serde(default)]
    pub name: Option<String>,
    /// Amount off in minor units (with `currency`), or null.
    #[serde(default)]
    pub amount_off: Option<i64>,
    /// Currency of `amount_off`.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Percentage off (1–100), or null.
    #[serde(default)]
    pub percent_off: Option<u8>,
    /// Redeemable until.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<OffsetDateTime>,
    /// Most redemptions over all its codes.
    #[serde(default)]
    pub max_redemptions: Option<i64>,
    /// Redemptions of paid checkouts.
    pub times_redeemed: i64,
    /// Whether it can be redeemed.
    pub active: bool,
    /// Annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// `POST /v1/coupons`: `amount_off` with `currency`, or `percent_off`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateCoupon {
    /// Shown to customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Amount off, in minor units of `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<i64>,
    /// Currency of `amount_off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Percentage off, 1–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<i64>,
    /// Redeemable until (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// Most redemptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_redemptions: Option<i64>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl CreateCoupon {
    /// `percent` % off.
    pub fn percent_off(percent: i64) -> Self {
        CreateCoupon { percent_off: Some(percent), ..Default::default() }
    }

    /// `amount` off in `currency`.
    pub fn amount_off(amount: i64, currency: Currency) -> Self {
        CreateCoupon { amount_off: Some(amount), currency: Some(currency), ..Default::default() }
    }
}

/// `POST /v1/coupons/{id}`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateCoupon {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `false` stops redemptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Keys to set; an empty value removes the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// Conditions on a promotion code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromotionRestrictions {
    /// The order (before the discount) must be at least this much…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_amount: Option<i64>,
    /// …in this currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_amount_currency: Option<Currency>,
    /// Only customers who never paid you before (by email).
    #[serde(default)]
    pub first_time_transaction: bool,
    /// Once per customer (by email).
    #[serde(default)]
    pub once_per_customer: bool,
}

/// A promotion code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromotionCode {
    /// `promo_…`
    pub id: String,
    /// Always `promotion_code`.
    pub object: String,
    /// Live or test data.
    pub livemode: bool,
    /// What customers type (case does not matter).
    pub code: String,
    /// Its coupon (`co_…`).
    pub coupon: String,
    /// Whether it can be used.
    pub active: bool,
    /// Usable until.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<OffsetDateTime>,
    /// Most redemptions of this code.
    #[serde(default)]
    pub max_redemptions: Option<i64>,
    /// Redemptions of paid checkouts.
    pub times_redeemed: i64,
    /// Conditions.
    pub restrictions: PromotionRestrictions,
    /// Annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// `POST /v1/promotion_codes`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatePromotionCode {
    /// 3–40 letters, digits, `-`, `_`; unique whatever the case.
    pub code: String,
    /// The coupon it hands out.
    pub coupon: String,
    /// Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Usable until (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// Most redemptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_redemptions: Option<i64>,
    /// Conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrictions: Option<PromotionRestrictions>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl CreatePromotionCode {
    /// `code` for `coupon`.
    pub fn new(code: impl Into<String>, coupon: impl Into<String>) -> Self {
        CreatePromotionCode { code: code.into(), coupon: coupon.into(), ..Default::default() }
    }
}

/// `POST /v1/promotion_codes/{id}`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdatePromotionCode {
    /// `false` stops its use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Keys to set; an empty value removes the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `GET /v1/promotion_codes`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPromotionCodes {
    /// Paging.
    pub page: ListParams,
    /// Only this code.
    pub code: Option<String>,
    /// Only codes of this coupon.
    pub coupon: Option<String>,
    /// Only active (or inactive) codes.
    pub active: Option<bool>,
}

impl ListPromotionCodes {
    /// The query pairs for this filter.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        self.page.push_query(&mut q);
        if let Some(c) = &self.code {
            q.push(("code".into(), c.clone()));
        }
        if let Some(c) = &self.coupon {
            q.push(("coupon".into(), c.clone()));
        }
        if let Some(a) = self.active {
            q.push(("active".into(), a.to_string()));
        }
        q
    }
}
