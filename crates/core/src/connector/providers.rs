//! Payment providers a merchant's connector reaches: which there are, what their credentials
//! are and how to check them. The core knows none by name; each is implemented over its
//! provider's client crate outside the core and handed to [`crate::app::App::new`].

use super::{BoxFuture, ConnectorError, Decision};
use kassa_domain::contact::BillingDetails;
use kassa_domain::payment_intent::PaymentFailure;
use kassa_domain::{Currency, Mode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A connector's credentials: the provider's named secrets (each a string). Never shown, logged
/// or kept anywhere but sealed beside the connector.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credentials(BTreeMap<String, String>);

impl Credentials {
    /// Credentials of these fields.
    pub fn new(fields: BTreeMap<String, String>) -> Credentials {
        Credentials(fields)
    }

    /// The field `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({:?}: redacted)", self.0.keys().collect::<Vec<_>>())
    }
}

/// Why credentials did not pass their check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// The provider refused them; in its words.
    Refused(String),
    /// The provider could not be asked (network, timeout, a 5xx); the check may be retried.
    Unreachable(String),
}

/// One credential field: its name, and whether a connector must give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialField {
    /// The field's name in `credentials`.
    pub name: &'static str,
    /// Whether it must be given.
    pub required: bool,
}

/// A payment provider a connector can reach.
pub trait Provider: Send + Sync {
    /// Its name: a connector's `type`.
    fn name(&self) -> &'static str;

    /// Its name as customers know it ("Vipps").
    fn display_name(&self) -> &'static str;

    /// Where its API is when a connector gives no base URL: its test host in test mode, its
    /// production host in live mode.
    fn default_base_url(&self, mode: Mode) -> &'static str;

    /// The fields of its credentials.
    fn credential_fields(&self) -> &'static [CredentialField];

    /// Asks the provider whether `credentials` are good at `base_url`, with its cheapest
    /// authenticated call; `Ok` without asking where it has none.
    fn check<'a>(&'a self, credentials: &'a Credentials, base_url: &'a str) -> BoxFuture<'a, Result<(), CheckError>>;

    /// How payments go through it; `None` while Kassa cannot take payments through it.
    fn payments(&self) -> Option<&dyn ProviderPayments> {
        None
    }

    /// How it notifies Kassa about payments; `None` where Kassa only asks.
    fn notifications(&self) -> Option<&dyn ProviderNotifications> {
        None
    }
}

/// The providers this gateway reaches, by name.
#[derive(Clone, Default)]
pub struct Providers(Arc<Vec<Arc<dyn Provider>>>);

impl Providers {
    /// These providers.
    pub fn new(providers: Vec<Arc<dyn Provider>>) -> Providers {
        Providers(Arc::new(providers))
    }

    /// The provider named `name`.
    pub fn get(&self, name: &str) -> Option<&dyn Provider> {
        self.0.iter().find(|p| p.name() == name).map(|p| p.as_ref())
    }

    /// Every provider's name.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|p| p.name()).collect()
    }

    /// Every provider.
    pub fn all(&self) -> impl Iterator<Item = &dyn Provider> {
        self.0.iter().map(|p| p.as_ref())
    }
}

/// Where, and as whom, a connector reaches its provider.
#[derive(Clone, Copy)]
pub struct Account<'a> {
    /// The connector's credentials.
    pub credentials: &'a Credentials,
    /// The provider API's base URL.
    pub base_url: &'a str,
}

/// A payment to open at the provider, for the customer to approve there.
#[derive(Debug, Clone, Copy)]
pub struct OpenPayment<'a> {
    /// Same key, same payment: a retried open never opens a second one.
    pub idempotency_key: &'a str,
    /// Kassa's reference for this attempt: unique, letters, digits and dashes, 8 to 50.
    pub reference: &'a str,
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// Where the provider sends the customer back (Kassa's return address).
    pub return_url: &'a str,
    /// What the customer is paying for.
    pub description: Option<&'a str>,
    /// Who pays.
    pub billing: &'a BillingDetails,
}

/// A payment the provider opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The provider's id for it.
    pub reference: String,
    /// Where the customer approves it.
    pub redirect_url: String,
}

/// Where a payment stands at its provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderState {
    /// The customer has not decided yet.
    Waiting,
    /// Approved: the money is held for capture.
    Authorized,
    /// Approved and captured, in full, at the provider (a provider that captures at its own
    /// pace rather than when Kassa asks).
    Captured,
    /// Aborted, expired or refused: final.
    Failed(PaymentFailure),
}

/// What Kassa may ask of a provider about a payment it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Capture part of what is held.
    Capture,
    /// Return captured money.
    Refund,
    /// Release what is held and not captured.
    Cancel,
}

impl Operation {
    /// As a verb: "capture", "refund", "cancel".
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Capture => "capture",
            Operation::Refund => "refund",
            Operation::Cancel => "cancel",
        }
    }
}

/// A capture, refund or cancel at the provider.
#[derive(Debug, Clone, Copy)]
pub struct Adjustment<'a> {
    /// Which.
    pub operation: Operation,
    /// Same key, same answer: a retried call never moves money twice.
    pub idempotency_key: &'a str,
    /// The provider's id of the payment.
    pub reference: &'a str,
    /// Minor units (ignored by a cancel, which releases what is left).
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// A capture only: release what is left of the authorization once it is done.
    pub release_rest: bool,
}

/// A part of the billing details a provider needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingField {
    /// `name`.
    Name,
    /// `email`.
    Email,
    /// `phone`.
    Phone,
    /// `address.line1`.
    Line1,
    /// `address.city`.
    City,
    /// `address.postal_code`.
    PostalCode,
    /// `address.country`.
    Country,
}

impl BillingField {
    /// Its path under `billing_details`, as the native API names it (`address][line1`).
    pub fn path(self) -> &'static str {
        match self {
            BillingField::Name => "name",
            BillingField::Email => "email",
            BillingField::Phone => "phone",
            BillingField::Line1 => "address][line1",
            BillingField::City => "address][city",
            BillingField::PostalCode => "address][postal_code",
            BillingField::Country => "address][country",
        }
    }

    /// Whether `billing` gives it.
    pub fn given(self, billing: &BillingDetails) -> bool {
        let address = billing.address.as_ref();
        match self {
            BillingField::Name => billing.name.is_some(),
            BillingField::Email => billing.email.is_some(),
            BillingField::Phone => billing.phone.is_some(),
            BillingField::Line1 => address.is_some_and(|a| a.line1.is_some()),
            BillingField::City => address.is_some_and(|a| a.city.is_some()),
            BillingField::PostalCode => address.is_some_and(|a| a.postal_code.is_some()),
            BillingField::Country => address.is_some_and(|a| a.country.is_some()),
        }
    }
}

/// What a provider does with payments: open one for the customer to approve, say where it
/// stands, and capture, refund or cancel it. Errors are split as the card processor's are: an
/// answer ([`Decision::Declined`], final, in the provider's words) and none
/// ([`ConnectorError`], retried with the same idempotency key).
pub trait ProviderPayments: Send + Sync {
    /// The currencies it takes (ISO 4217 codes).
    fn currencies(&self) -> &'static [&'static str];

    /// Whether it can do `operation` at all; Kassa refuses what it cannot before storing anything.
    fn supports(&self, operation: Operation) -> bool;

    /// What it must know of who pays; a payment without one is refused before it is stored.
    fn required_billing(&self) -> &'static [BillingField] {
        &[]
    }

    /// Opens a payment.
    fn open<'a>(
        &'a self,
        account: Account<'a>,
        payment: OpenPayment<'a>,
    ) -> BoxFuture<'a, Result<Decision<Opened>, ConnectorError>>;

    /// Where the payment `reference` stands.
    fn state<'a>(
        &'a self,
        account: Account<'a>,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<ProviderState, ConnectorError>>;

    /// Captures, refunds or cancels.
    fn adjust<'a>(
        &'a self,
        account: Account<'a>,
        adjustment: Adjustment<'a>,
    ) -> BoxFuture<'a, Result<Decision<()>, ConnectorError>>;
}

/// What Kassa keeps of a provider's notifications to a connector: the provider's id of the
/// subscription and the secret its notifications are signed with (sealed at rest).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// The provider's id of it.
    pub id: String,
    /// The signing secret.
    pub secret: String,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Subscription({}: secret redacted)", self.id)
    }
}

/// A notification as it arrived: what its signature may cover.
#[derive(Debug, Clone, Copy)]
pub struct Notification<'a> {
    /// The path and query it was sent to.
    pub path_and_query: &'a str,
    /// Its `Host` header.
    pub host: &'a str,
    /// Its headers, names in lowercase.
    pub headers: &'a [(String, String)],
    /// The raw body.
    pub body: &'a [u8],
}

impl Notification<'_> {
    /// The header `name` (lowercase), if it came.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// How a provider tells Kassa about a connector's payments. A notification only makes Kassa
/// ask the provider where the payment stands: its body is never taken for the state.
pub trait ProviderNotifications: Send + Sync {
    /// Asks the provider to notify `url` about the account's payments.
    fn subscribe<'a>(&'a self, account: Account<'a>, url: &'a str) -> BoxFuture<'a, Result<Subscription, String>>;

    /// Ends a subscription (best effort: a connector being deleted).
    fn unsubscribe<'a>(
        &'a self,
        account: Account<'a>,
        subscription: &'a Subscription,
    ) -> BoxFuture<'a, Result<(), String>>;

    /// The provider's reference of the payment `notification` is about, if it is signed with
    /// the subscription's secret; why not otherwise.
    fn read(&self, subscription: &Subscription, notification: &Notification<'_>) -> Result<String, String>;
}
