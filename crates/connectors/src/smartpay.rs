//! Smartpay: a secret key (and, optionally, the public key that goes with it), checked by
//! listing one payment.

use kassa_core::connector::BoxFuture;
use kassa_core::connector::providers::{CheckError, CredentialField, Credentials, Provider};
use kassa_domain::Mode;

/// Smartpay.
pub struct Smartpay;

const FIELDS: &[CredentialField] =
    &[CredentialField { name: "secret_key", required: true }, CredentialField { name: "public_key", required: false }];

impl Provider for Smartpay {
    fn name(&self) -> &'static str {
        "smartpay"
    }

    fn default_base_url(&self, _: Mode) -> &'static str {
        // One host for both: the key's `sk_test_`/`sk_live_` says which.
        smartpay::API_PREFIX
    }

    fn credential_fields(&self) -> &'static [CredentialField] {
        FIELDS
    }

    fn check<'a>(&'a self, c: &'a Credentials, base_url: &'a str) -> BoxFuture<'a, Result<(), CheckError>> {
        Box::pin(async move {
            let config = smartpay::Config {
                api_prefix: base_url.to_owned(),
                timeout: super::CHECK_TIMEOUT,
                retries: 0,
                ..smartpay::Config::default()
            };
            let client = smartpay::Smartpay::new(c.get("secret_key").unwrap_or_default(), config)
                .map_err(|e| CheckError::Refused(e.to_string()))?;
            let one = smartpay::ListOptions { max_results: Some(1), expand: false };
            match client.list_page::<serde_json::Value>("/payments", one, None).await {
                Ok(_) => Ok(()),
                Err(smartpay::SmartpayError::Api { status, error_code, message, .. }) if status < 500 => {
                    Err(CheckError::Refused(format!("{error_code}: {message}")))
                }
                Err(e) => Err(super::unreachable(e)),
            }
        })
    }
}
