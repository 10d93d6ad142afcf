//! Connectors: a merchant's accounts at payment providers, `/v1/connectors`. Their credentials
//! go in and never come out.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A connector (its credentials are never shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Connector {
    /// `conn_…`
    pub id: String,
    /// Always `connector`.
    pub object: String,
    /// The provider: `vipps`, `smartpay` or `probuy`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Reaches the provider's live (or test) environment.
    pub livemode: bool,
    /// Where the provider's API is.
    pub base_url: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Always `active` (a deleted connector is gone).
    pub status: String,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
}

/// `POST /v1/connectors`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateConnector {
    /// The provider: `vipps`, `smartpay` or `probuy`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The provider's credentials: vipps `{client_id, client_secret, subscription_key,
    /// merchant_serial_number}`, smartpay `{secret_key, public_key?}`, probuy `{api_token}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credentials: serde_json::Map<String, serde_json::Value>,
    /// The provider API's base URL (the provider's own test or production host by default;
    /// https only in live mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `POST /v1/connectors/{id}`: new credentials (replacing the old ones whole), base URL or
/// description.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateConnector {
    /// New credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub credentials: Option<serde_json::Map<String, serde_json::Value>>,
    /// New base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl CreateConnector {
    /// A connector of `kind` (`vipps`, `smartpay`, `probuy`) with these credentials.
    pub fn new<K: Into<String>, V: Into<String>>(
        kind: impl Into<String>,
        credentials: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        CreateConnector {
            kind: kind.into(),
            credentials: credentials
                .into_iter()
                .map(|(k, v)| (k.into(), serde_json::Value::String(v.into())))
                .collect(),
            base_url: None,
            description: None,
        }
    }

    /// Where the provider's API is (its own test or production host by default).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Free text.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}
