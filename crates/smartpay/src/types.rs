//! Smartpay's objects and requests in Rust naming (camelCase on the wire). Money is integers in
//! the currency's smallest unit (yen); times are epoch milliseconds. Fields this client has no
//! name for are kept in `extra`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Free annotations.
pub type Metadata = BTreeMap<String, String>;
/// What this client has no field for, as sent.
pub type Extra = BTreeMap<String, serde_json::Value>;

/// A referenced object: its id, or the object itself (`expand=all`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    /// Named by id.
    Id(String),
    /// Inlined.
    Object(Box<T>),
}

impl<T: HasId> Expandable<T> {
    /// The referenced object's id, either way.
    pub fn id(&self) -> &str {
        match self {
            Expandable::Id(id) => id,
            Expandable::Object(o) => o.id(),
        }
    }
}

/// Objects with an id.
pub trait HasId {
    /// The id.
    fn id(&self) -> &str;
}

macro_rules! has_id {
    ($($t:ty),*) => { $(impl HasId for $t { fn id(&self) -> &str { &self.id } })* };
}
has_id!(CheckoutSession, Order, Payment, Refund, Token, WebhookEndpoint, Coupon, PromotionCode);

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection<T> {
    /// The items.
    pub data: Vec<T>,
    /// The token of the next page, if there is one.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// The token that asked for this page.
    #[serde(default)]
    pub page_token: Option<String>,
    /// The page size asked for.
    #[serde(default)]
    pub max_results: u32,
}

/// `automatic` (capture on authorization) or `manual`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptureMethod {
    /// Captured when authorized.
    Automatic,
    /// Captured by [`crate::Smartpay::create_payment`].
    Manual,
}

/// Where an order stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Waiting for the customer.
    RequiresAuthorization,
    /// Authorized; capture it.
    RequiresCapture,
    /// Captured.
    Succeeded,
    /// Canceled.
    Canceled,
    /// Refused.
    Rejected,
    /// Failed.
    Failed,
    /// A status this client does not know.
    #[serde(untagged)]
    Other(String),
}

/// A checkout session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSession {
    /// `checkout_test_…`
    pub id: String,
    /// Where the customer pays (or saves a card).
    pub url: String,
    /// Its order (flat sessions).
    #[serde(default)]
    pub order: Option<Expandable<Order>>,
    /// Its token (token sessions).
    #[serde(default)]
    pub token: Option<Expandable<Token>>,
    /// Your reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// After paying.
    pub success_url: String,
    /// On cancel.
    #[serde(default)]
    pub cancel_url: Option<String>,
    /// Your annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Test mode.
    pub test: bool,
    /// Epoch ms.
    pub created_at: i64,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// `order_test_…`
    pub id: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// What the customer pays.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// Its payments (captures), oldest first.
    #[serde(default)]
    pub payments: Vec<Expandable<Payment>>,
    /// Your reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// The saved card it was charged to.
    #[serde(default)]
    pub token_id: Option<String>,
    /// Your annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Test mode.
    pub test: bool,
    /// Epoch ms.
    pub created_at: i64,
    /// Everything else (`lineItems`, `shippingInfo`, `discountAmount` …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A payment: a capture of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// `payment_test_…`
    pub id: String,
    /// Its order.
    pub order: String,
    /// Captured.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// `processed`, `refunded` …
    pub status: String,
    /// Your reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Its refunds.
    #[serde(default)]
    pub refunds: Vec<Expandable<Refund>>,
    /// Your annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Test mode.
    pub test: bool,
    /// Epoch ms.
    pub created_at: i64,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A refund of a payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// `refund_test_…`
    pub id: String,
    /// The payment refunded.
    #[serde(default)]
    pub payment: Option<String>,
    /// Refunded.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// Why.
    #[serde(default)]
    pub reason: Option<RefundReason>,
    /// `succeeded`, `failed` …
    pub status: String,
    /// Your reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Your annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Test mode.
    pub test: bool,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Why a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// The customer asked.
    RequestedByCustomer,
    /// Fraud.
    Fraudulent,
}

/// A saved card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    /// `paytok_test_…`
    pub id: String,
    /// `requires_authorization`, `active`, `rejected`, `disabled`, `deleted`.
    pub status: String,
    /// Your reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// Your annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Test mode.
    pub test: bool,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A webhook endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpoint {
    /// `webhookendpoint_test_…`
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// Receiving deliveries.
    pub active: bool,
    /// The event types it hears.
    #[serde(default)]
    pub event_subscriptions: Vec<String>,
    /// The base62 secret deliveries are signed with.
    pub signing_secret: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Your annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A coupon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coupon {
    /// `coupon_test_…`
    pub id: String,
    /// Shown to customers.
    pub name: String,
    /// Usable.
    pub active: bool,
    /// `amount` or `percentage`.
    pub discount_type: String,
    /// Off, in the currency's smallest unit.
    #[serde(default)]
    pub discount_amount: Option<i64>,
    /// Off, in percent.
    #[serde(default)]
    pub discount_percentage: Option<u8>,
    /// The currency of `discount_amount`.
    #[serde(default)]
    pub currency: Option<String>,
    /// How often it was used.
    #[serde(default)]
    pub redemption_count: i64,
    /// Your annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A promotion code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromotionCode {
    /// `promotioncode_test_…`
    pub id: String,
    /// What customers type.
    pub code: String,
    /// Its coupon.
    pub coupon: String,
    /// Usable.
    pub active: bool,
    /// Your annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An address (`line1`, `locality`, `postalCode`, `country` at least, for shipping).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Street.
    pub line1: String,
    /// More street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City or ward.
    pub locality: String,
    /// Prefecture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administrative_area: Option<String>,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// `customerInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInfo {
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `shippingInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingInfo {
    /// Where to.
    pub address: Address,
    /// The fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_amount: Option<i64>,
    /// The fee's currency (the order's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_currency: Option<String>,
}

/// One line of an order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// What is sold.
    pub name: String,
    /// Price of one.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// How many (1 if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    /// `product` (default), `discount` or `tax`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Your reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// More about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Item {
    /// `quantity` × `name` at `amount` each.
    pub fn new(name: impl Into<String>, amount: i64, currency: impl Into<String>, quantity: u32) -> Item {
        Item { name: name.into(), amount, currency: currency.into(), quantity: Some(quantity), ..Item::default() }
    }

    /// What the line adds to the order (negative for a discount).
    pub fn value(&self) -> i64 {
        let value = self.amount * i64::from(self.quantity.unwrap_or(1));
        if self.kind.as_deref() == Some("discount") { -value } else { value }
    }
}

/// `createCheckoutSession` (flat): an order the customer pays on the hosted page. `amount`
/// is computed from the items and the shipping fee when left at 0 (as the Node SDK does).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSessionRequest {
    /// What the customer pays.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// The lines (at least one).
    pub items: Vec<Item>,
    /// Who pays.
    pub customer_info: CustomerInfo,
    /// Where it goes.
    pub shipping_info: ShippingInfo,
    /// After paying.
    pub success_url: String,
    /// On cancel.
    pub cancel_url: String,
    /// Default automatic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_method: Option<CaptureMethod>,
    /// Your reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `ja`, `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// A promotion code to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_code: Option<String>,
    /// Your annotations.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Reused on retries; a fresh one when `None`.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// `createCheckoutSession` with `mode: 'token'`: the customer saves a card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSessionRequest {
    /// Whose card.
    pub customer_info: CustomerInfo,
    /// After saving.
    pub success_url: String,
    /// On cancel.
    pub cancel_url: String,
    /// Your reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `ja`, `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Your annotations.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Reused on retries; a fresh one when `None`.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// `createOrder`: charge a saved card, the customer absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenOrderRequest {
    /// `paytok_test_…`, active.
    pub token: String,
    /// What is charged: the items and the shipping fee.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// The lines.
    pub items: Vec<Item>,
    /// Who pays.
    pub customer_info: CustomerInfo,
    /// Where it goes.
    pub shipping_info: ShippingInfo,
    /// Default automatic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_method: Option<CaptureMethod>,
    /// Your reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Reused on retries; a fresh one when `None`.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// `createPayment` (capture).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequest {
    /// `order_test_…`
    pub order: String,
    /// To capture.
    pub amount: i64,
    /// The order's currency.
    pub currency: String,
    /// `Automatic` releases what is left after this capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_remainder: Option<CaptureMethod>,
    /// Your reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Your annotations.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Reused on retries; a fresh one when `None`.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// `createRefund`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRequest {
    /// `payment_test_…`
    pub payment: String,
    /// To refund.
    pub amount: i64,
    /// The payment's currency.
    pub currency: String,
    /// Why.
    pub reason: RefundReason,
    /// Your reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Your annotations.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Reused on retries; a fresh one when `None`.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// `updatePayment`, `updateRefund`: what changes (`None` leaves it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotesUpdate {
    /// Your reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Merged into the annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `createWebhookEndpoint`, `updateWebhookEndpoint` (`None` leaves a field).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpointRequest {
    /// Where deliveries go (required to create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The event types to hear (all when absent at create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_subscriptions: Option<Vec<String>>,
    /// Receiving deliveries (update only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `createCoupon`: a fixed amount off ([`CouponRequest::amount_off`]) or a percentage
/// ([`CouponRequest::percent_off`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CouponRequest {
    /// Shown to customers.
    pub name: String,
    /// `amount` or `percentage`.
    pub discount_type: String,
    /// For `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<i64>,
    /// For `percentage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_percentage: Option<u8>,
    /// For `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Most uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_redemption_count: Option<i64>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

impl CouponRequest {
    /// `amount` off in `currency`.
    pub fn amount_off(name: impl Into<String>, amount: i64, currency: impl Into<String>) -> CouponRequest {
        CouponRequest {
            name: name.into(),
            discount_type: "amount".into(),
            discount_amount: Some(amount),
            currency: Some(currency.into()),
            ..CouponRequest::default()
        }
    }

    /// `percent` % off.
    pub fn percent_off(name: impl Into<String>, percent: u8) -> CouponRequest {
        CouponRequest {
            name: name.into(),
            discount_type: "percentage".into(),
            discount_percentage: Some(percent),
            ..CouponRequest::default()
        }
    }
}

/// `createPromotionCode`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromotionCodeRequest {
    /// What customers type (unique whatever its case).
    pub code: String,
    /// `coupon_test_…`
    pub coupon: String,
    /// Each customer once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_per_customer: Option<bool>,
    /// Only customers who never paid you.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_time_transaction: Option<bool>,
    /// The least order, in `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_amount: Option<i64>,
    /// The currency of `minimum_amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

/// `updateCoupon`, `updatePromotionCode` (`None` leaves a field; `name` for coupons only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveUpdate {
    /// New name (coupons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Usable or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Merged into the annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}
