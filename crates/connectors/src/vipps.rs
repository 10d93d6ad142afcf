//! Vipps MobilePay (ePayment): a merchant sales unit's four credentials, checked by fetching an
//! access token.

use kassa_core::connector::BoxFuture;
use kassa_core::connector::providers::{CheckError, CredentialField, Credentials, Provider};
use kassa_domain::Mode;

/// Vipps MobilePay.
pub struct Vipps;

const FIELDS: &[CredentialField] = &[
    CredentialField { name: "client_id", required: true },
    CredentialField { name: "client_secret", required: true },
    CredentialField { name: "subscription_key", required: true },
    CredentialField { name: "merchant_serial_number", required: true },
];

impl Provider for Vipps {
    fn name(&self) -> &'static str {
        "vipps"
    }

    fn default_base_url(&self, mode: Mode) -> &'static str {
        match mode {
            Mode::Test => vipps::TEST_URL,
            Mode::Live => vipps::PRODUCTION_URL,
        }
    }

    fn credential_fields(&self) -> &'static [CredentialField] {
        FIELDS
    }

    fn check<'a>(&'a self, c: &'a Credentials, base_url: &'a str) -> BoxFuture<'a, Result<(), CheckError>> {
        Box::pin(async move {
            let field = |name| c.get(name).unwrap_or_default();
            let mut config = vipps::Config::new(
                field("client_id"),
                field("client_secret"),
                field("subscription_key"),
                field("merchant_serial_number"),
                base_url,
            );
            config.timeout = super::CHECK_TIMEOUT;
            config.retries = 0;
            let client = vipps::Vipps::new(config).map_err(|e| CheckError::Refused(e.to_string()))?;
            match client.access_token().await {
                Ok(_) => Ok(()),
                Err(vipps::VippsError::Problem { status, problem }) if status < 500 => {
                    let words = problem.detail.or(problem.title).unwrap_or_else(|| format!("HTTP {status}"));
                    Err(CheckError::Refused(words))
                }
                Err(e) => Err(super::unreachable(e)),
            }
        })
    }
}
