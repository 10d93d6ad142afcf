//! The payment providers a merchant's connector reaches: Vipps, Smartpay and ProBuy, each one
//! module over its provider's client crate (the clients are the only way Kassa speaks to a
//! provider). The core knows providers only through [`kassa_core::connector::providers`].

mod probuy;
mod smartpay;
mod vipps;

use kassa_core::connector::providers::{CheckError, ProviderState, Providers};
use kassa_domain::payment_intent::PaymentFailure;
use std::sync::Arc;
use std::time::Duration;

/// Every provider this gateway reaches.
pub fn providers() -> Providers {
    Providers::new(vec![Arc::new(vipps::Vipps::default()), Arc::new(smartpay::Smartpay), Arc::new(probuy::ProBuy)])
}

/// How long a credential check waits for the provider: one attempt, as the merchant is waiting
/// (a 503 tells them to try again).
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// A check that got no answer.
fn unreachable(e: impl std::fmt::Display) -> CheckError {
    CheckError::Unreachable(e.to_string())
}

/// The provider refused an operation, in its words.
fn refused(message: String) -> PaymentFailure {
    PaymentFailure { code: "connector_declined".into(), decline_code: None, message }
}

/// A payment the provider ended without approving it.
fn failed(code: &str, message: &str) -> ProviderState {
    ProviderState::Failed(PaymentFailure { code: code.into(), decline_code: None, message: message.into() })
}
