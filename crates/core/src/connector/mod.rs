//! The processor connector: how Kassa talks to a card network.
//!
//! Every call that moves money carries an idempotency key derived from the durable job that
//! makes it, so a job retried after a crash or a lost response asks the same question again
//! and gets the same answer: the network never sees two charges. Errors are split into an
//! answer ([`Decision::Declined`], final) and a failure to get one ([`ConnectorError`],
//! retried with backoff).

pub mod providers;
pub mod simulator;

use kassa_domain::card::{Expiry, Pan};
use kassa_domain::payment_intent::{Authorization, PaymentFailure};
use kassa_domain::{Currency, Invalid, Mode};
use std::future::Future;
use std::pin::Pin;

/// A boxed future, so the connector can be a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The network's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision<T> {
    /// Done.
    Approved(T),
    /// Refused, finally.
    Declined(PaymentFailure),
}

impl<T> Decision<T> {
    /// The same decision about `f` of what was approved.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Decision<U> {
        match self {
            Decision::Approved(value) => Decision::Approved(f(value)),
            Decision::Declined(failure) => Decision::Declined(failure),
        }
    }
}

/// No answer was obtained (timeout, connection lost, network error); the same call may be
/// retried with the same idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("processor unavailable: {0}")]
pub struct ConnectorError(pub String);

/// Why a card could not be tokenized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenizeError {
    /// The card is not acceptable (e.g. a test card in live mode); names the problem.
    #[error("{0}")]
    Rejected(Invalid),
    /// The processor did not answer.
    #[error(transparent)]
    Unavailable(ConnectorError),
}

/// A card to turn into a network token.
pub struct CardToTokenize<'a> {
    /// The number (never stored).
    pub pan: &'a Pan,
    /// Expiry.
    pub expiry: Expiry,
    /// Test or live.
    pub mode: Mode,
}

/// Authorize `amount` on a card; with `capture`, capture it in the same call.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    /// Same key, same answer.
    pub idempotency_key: String,
    /// The payment intent.
    pub reference: String,
    /// From [`Connector::tokenize`].
    pub network_token: String,
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency: Currency,
    /// Capture at once.
    pub capture: bool,
    /// Test mode fault injection: decline whatever the card.
    pub force_decline: bool,
}

/// Capture, refund or release part of an authorization.
#[derive(Debug, Clone)]
pub struct AdjustRequest {
    /// Same key, same answer.
    pub idempotency_key: String,
    /// The payment intent.
    pub reference: String,
    /// The authorization.
    pub authorization_id: String,
    /// Minor units.
    pub amount: i64,
}

/// A card network.
pub trait Connector: Send + Sync + 'static {
    /// The card number behind a named test payment method (`pm_card_visa` …), if this
    /// connector has test payment methods.
    fn test_card_number(&self, _name: &str) -> Option<&'static str> {
        None
    }

    /// Exchanges a card for a token the network can charge later.
    fn tokenize<'a>(&'a self, card: CardToTokenize<'a>) -> BoxFuture<'a, Result<String, TokenizeError>>;

    /// Authorizes (and optionally captures) a payment.
    fn authorize(&self, req: AuthorizeRequest) -> BoxFuture<'_, Result<Decision<Authorization>, ConnectorError>>;

    /// Captures part of an authorization.
    fn capture(&self, req: AdjustRequest) -> BoxFuture<'_, Result<Decision<()>, ConnectorError>>;

    /// Releases what is left of an authorization.
    fn void(&self, req: AdjustRequest) -> BoxFuture<'_, Result<Decision<()>, ConnectorError>>;

    /// Returns captured money.
    fn refund(&self, req: AdjustRequest) -> BoxFuture<'_, Result<Decision<()>, ConnectorError>>;
}
