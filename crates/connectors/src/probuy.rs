//! ProBuy: an API token, checked by asking for a checkout that does not exist (an accepted
//! token gets 404, a refused one 401).

use kassa_core::connector::BoxFuture;
use kassa_core::connector::providers::{CheckError, CredentialField, Credentials, Provider};
use kassa_domain::Mode;

/// ProBuy.
pub struct ProBuy;

const FIELDS: &[CredentialField] = &[CredentialField { name: "api_token", required: true }];

/// The APIs of ProBuy's environments.
const SANDBOX: &str = "https://sandboxapi.probuy.dev";
const PRODUCTION: &str = "https://api.probuy.dev";

impl Provider for ProBuy {
    fn name(&self) -> &'static str {
        "probuy"
    }

    fn default_base_url(&self, mode: Mode) -> &'static str {
        match mode {
            Mode::Test => SANDBOX,
            Mode::Live => PRODUCTION,
        }
    }

    fn credential_fields(&self) -> &'static [CredentialField] {
        FIELDS
    }

    fn check<'a>(&'a self, c: &'a Credentials, base_url: &'a str) -> BoxFuture<'a, Result<(), CheckError>> {
        Box::pin(async move {
            let environment = probuy::Environment::Custom { api: base_url.to_owned(), portal: base_url.to_owned() };
            let mut config = probuy::Config::new(c.get("api_token").unwrap_or_default(), environment);
            config.timeout = super::CHECK_TIMEOUT;
            config.retry_count = 0;
            let client = probuy::ProBuy::new(config).map_err(|e| CheckError::Refused(e.to_string()))?;
            match client.get_checkout_details("kassa-credential-check").await {
                Ok(_) => Ok(()),
                Err(probuy::ProBuyError::Api { status: 404, .. }) => Ok(()),
                Err(probuy::ProBuyError::Authentication { message, .. }) => Err(CheckError::Refused(message)),
                Err(probuy::ProBuyError::Api { status, message, .. }) if status < 500 => {
                    Err(CheckError::Refused(message))
                }
                Err(e) => Err(super::unreachable(e)),
            }
        })
    }
}
