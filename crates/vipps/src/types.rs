//! ePayment and Checkout requests and answers, in Vipps' camelCase. Money is `{currency,
//! value}` in minor units (øre); fields this client has no name for are kept (`extra`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An amount in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// `NOK`, `DKK`, `EUR`.
    pub currency: Currency,
    /// Minor units (øre, cents).
    pub value: i64,
}

impl Money {
    /// `value` øre.
    pub fn nok(value: i64) -> Money {
        Money { currency: Currency::Nok, value }
    }
}

/// The currencies of ePayment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    /// Norwegian krone.
    Nok,
    /// Danish krone.
    Dkk,
    /// Euro.
    Eur,
}

/// How the customer approves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserFlow {
    /// A push message to the customer's phone.
    PushMessage,
    /// Redirect to the Vipps app.
    NativeRedirect,
    /// Redirect to a web page.
    WebRedirect,
    /// A QR code.
    Qr,
}

/// Wallet or card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PaymentMethodType {
    /// The Vipps/MobilePay wallet.
    Wallet,
    /// A card (web redirect only).
    Card,
}

/// `paymentMethod`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethod {
    /// Which.
    #[serde(rename = "type")]
    pub kind: PaymentMethodType,
}

/// `customer`: the phone number to push to (10 to 15 digits, country code first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// `4791234567`.
    pub phone_number: String,
}

/// `POST /epayment/v1/payments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePaymentRequest {
    /// How much.
    pub amount: Money,
    /// Wallet or card.
    pub payment_method: PaymentMethod,
    /// Your reference: 8 to 50 letters, digits and dashes, unique.
    pub reference: String,
    /// How the customer approves.
    pub user_flow: UserFlow,
    /// Where the customer returns (redirect flows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// 3 to 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_description: Option<String>,
    /// The customer, for a push message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Customer>,
    /// `CUSTOMER_PRESENT` or `CUSTOMER_NOT_PRESENT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_interaction: Option<String>,
    /// Your annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    /// Anything else the API takes (`qrFormat`, `receipt` …).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl CreatePaymentRequest {
    /// A web-redirect wallet payment of `amount` with `reference`, returning to `return_url`.
    pub fn web_redirect(amount: Money, reference: impl Into<String>, return_url: impl Into<String>) -> Self {
        CreatePaymentRequest {
            amount,
            payment_method: PaymentMethod { kind: PaymentMethodType::Wallet },
            reference: reference.into(),
            user_flow: UserFlow::WebRedirect,
            return_url: Some(return_url.into()),
            payment_description: None,
            customer: None,
            customer_interaction: None,
            metadata: BTreeMap::new(),
            extra: BTreeMap::new(),
        }
    }
}

/// The answer to a create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePaymentResponse {
    /// Your reference.
    pub reference: String,
    /// Where the customer approves (redirect flows).
    #[serde(default)]
    pub redirect_url: Option<String>,
}

/// Where a payment stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentState {
    /// Waiting for the customer.
    Created,
    /// The customer canceled.
    Aborted,
    /// Not approved in time.
    Expired,
    /// Approved: funds reserved (captures and refunds leave it so).
    Authorized,
    /// Canceled by the merchant.
    Terminated,
    /// A state this client does not know.
    #[serde(untagged)]
    Other(String),
}

/// What a payment has authorized, captured, refunded and released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Aggregate {
    /// Reserved.
    pub authorized_amount: Money,
    /// Released.
    pub cancelled_amount: Money,
    /// Captured.
    pub captured_amount: Money,
    /// Refunded.
    pub refunded_amount: Money,
}

/// `GET /epayment/v1/payments/{reference}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// The amounts so far.
    pub aggregate: Aggregate,
    /// How much.
    pub amount: Money,
    /// Where it stands.
    pub state: PaymentState,
    /// Wallet or card.
    pub payment_method: PaymentMethod,
    /// Vipps' reference.
    pub psp_reference: String,
    /// Your reference.
    pub reference: String,
    /// Where the customer approves, while they have not.
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// Your annotations.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Fields this client has no name for.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The answer to a cancel, capture or refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Modification {
    /// The payment's amount.
    pub amount: Money,
    /// Where it stands.
    pub state: PaymentState,
    /// The amounts so far.
    pub aggregate: Aggregate,
    /// Vipps' reference.
    pub psp_reference: String,
    /// Your reference.
    pub reference: String,
}

/// One entry of a payment's event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentEvent {
    /// Your reference.
    pub reference: String,
    /// Vipps' reference.
    pub psp_reference: String,
    /// `CREATED`, `AUTHORIZED`, `CAPTURED` …
    pub name: String,
    /// The amount the operation moved.
    pub amount: Money,
    /// ISO 8601.
    pub timestamp: String,
    /// The Idempotency-Key of the request that did it.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Whether it went through.
    pub success: bool,
}

/// `POST /checkout/v3/session`: a Checkout session. Parts this client does not type (order
/// summary, logistics, configuration, prefilled customer) go in `extra` as Vipps' JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitiateSessionRequest {
    /// Where to call back and return.
    pub merchant_info: MerchantInfo,
    /// What is paid.
    pub transaction: Transaction,
    /// `logistics`, `prefillCustomer`, `configuration` …
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// `merchantInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantInfo {
    /// Told when the session ends, with `Authorization: <callback_authorization_token>`.
    pub callback_url: String,
    /// Where the customer returns.
    pub return_url: String,
    /// The token the callback carries (check it with [`crate::verify_callback_token`]).
    pub callback_authorization_token: String,
    /// Your terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_and_conditions_url: Option<String>,
}

/// `transaction`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// How much.
    pub amount: Money,
    /// Your reference: 8 to 50 letters, digits and dashes.
    pub reference: String,
    /// 3 to 100 characters.
    pub payment_description: String,
    /// `orderSummary` and the like.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The answer to a session's create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitiateSessionResponse {
    /// The session's token.
    pub token: String,
    /// Where the customer pays.
    pub checkout_frontend_url: String,
    /// Where to read the session.
    pub polling_url: String,
}

/// `GET /checkout/v3/session/{reference}` (and the callback's body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The session's id.
    pub session_id: String,
    /// Your reference.
    pub reference: String,
    /// `SessionCreated`, `PaymentInitiated`, `PaymentSuccessful`, `SessionExpired`,
    /// `PaymentTerminated`.
    pub session_state: String,
    /// The payment, once there is one.
    #[serde(default)]
    pub payment_details: Option<PaymentDetails>,
    /// Fields this client has no name for (`billingDetails`, `userInfo` …).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A session's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetails {
    /// How much.
    pub amount: Money,
    /// `CREATED`, `AUTHORIZED`, `TERMINATED`.
    pub state: PaymentState,
    /// The amounts so far.
    #[serde(default)]
    pub aggregate: Option<Aggregate>,
}
