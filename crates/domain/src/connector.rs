//! Connectors: a merchant's accounts at payment providers, through which its payments may go.
//! Which providers exist, and what their credentials are, the gateway's providers say; here a
//! provider is a name.

use crate::contact::BillingDetails;
use crate::id::{ConnectorId, MerchantId};
use crate::merchant::Mode;
use crate::time::Timestamp;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};

/// Longest provider base URL.
pub const MAX_URL_LEN: usize = 2048;

/// A merchant's account at one payment provider, in one mode. Its credentials are kept sealed
/// beside it and never leave the gateway but towards the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorAccount {
    /// `conn_…`
    pub id: ConnectorId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live: which of the provider's environments it reaches.
    pub mode: Mode,
    /// The provider's name, as the gateway's providers know it.
    pub provider: String,
    /// Where the provider's API is.
    pub base_url: ProviderUrl,
    /// Free text.
    pub description: Option<String>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A provider API's base URL: any http(s) URL in test mode (a sandbox, or a gateway playing the
/// provider), https only in live mode, where money moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProviderUrl(String);

impl ProviderUrl {
    /// Checks `raw` for `mode`; a trailing slash is dropped.
    pub fn parse(raw: &str, mode: Mode) -> Result<ProviderUrl, Invalid> {
        let invalid = |message: &str| Invalid::new("invalid_base_url", message);
        let trimmed = raw.trim_end_matches('/');
        if trimmed.len() > MAX_URL_LEN || trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("Give the provider API's URL, such as https://api.example.com/v1."));
        }
        let (scheme, rest) = trimmed
            .split_once("://")
            .ok_or_else(|| invalid("Give an absolute URL, such as https://api.example.com/v1."))?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(invalid("The URL names no host."));
        }
        match (scheme.to_ascii_lowercase().as_str(), mode) {
            ("https", _) => Ok(ProviderUrl(trimmed.to_owned())),
            ("http", Mode::Test) => Ok(ProviderUrl(trimmed.to_owned())),
            ("http", Mode::Live) => Err(invalid("Live-mode connectors reach their provider over https.")),
            _ => Err(invalid("The URL must be http or https.")),
        }
    }

    /// A URL read back from storage.
    pub fn from_trusted(s: String) -> ProviderUrl {
        ProviderUrl(s)
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A payment that goes through a merchant's connector: the customer approves it at the
/// provider, which then holds and moves the money as Kassa asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorPayment {
    /// The connector it goes through.
    pub connector_id: ConnectorId,
    /// The connector's provider.
    pub provider: String,
    /// The provider's id for this attempt, once the provider has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Where the customer approves, while they have not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Where the customer goes once they have approved or aborted.
    pub return_url: String,
    /// Who pays, as far as the provider needs to know.
    #[serde(default, skip_serializing_if = "BillingDetails::is_empty")]
    pub billing: BillingDetails,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_mode_takes_https_only_and_test_mode_any_http() {
        assert_eq!(ProviderUrl::parse("http://127.0.0.1:4242/", Mode::Test).unwrap().as_str(), "http://127.0.0.1:4242");
        assert!(ProviderUrl::parse("https://api.example.com/v1", Mode::Live).is_ok());
        for bad in ["http://api.example.com", "ftp://x", "api.example.com", "https://", "https:///x", "https://a b"] {
            assert!(ProviderUrl::parse(bad, Mode::Live).is_err(), "{bad}");
        }
    }
}
