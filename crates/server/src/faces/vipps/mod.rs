//! Vipps (`@vippsno/vipps-sdk` 0.9.13, source document 003) at the gateway root, under Vipps'
//! own paths: `/accesstoken/get`, ePayment's `/epayment/v1/…`, Checkout's `/checkout/v3/…`
//! and the Webhooks API's `/webhooks/v1/…`. Point the SDK at the gateway
//! with `VIPPS_HOSTNAME=http://HOST:PORT` (a port of at most four digits) and set
//! `vipps.ePayment.accessTokenClient.hostname` to the same (the SDK ignores the override for
//! tokens). Wire reference: `shared/reference/wire/vipps.md`.
//!
//! A Kassa merchant is a Vipps merchant sales unit: `clientId` is the merchant id,
//! `clientSecret` one of its secret keys, `Ocp-Apim-Subscription-Key` its publishable key of the
//! same mode and `Merchant-Serial-Number` its serial number. An ePayment payment is a checkout
//! session (manual capture) addressed by the merchant's `reference`; its `redirectUrl` is the
//! hosted page, where the customer approves by paying with a card.

mod access_token;
mod checkout;
mod epayment;
mod error;
mod state;
mod webhooks;

pub use checkout::VippsCheckoutCallbacks;
pub use error::VippsError;
pub use webhooks::VippsWebhooks;

use crate::app::{AppError, ErrorKind};

/// This face's name in face notes.
pub(crate) const FACE: &str = "vipps";
use crate::http::HttpState;
use crate::http::auth::Credential;
use crate::http::face::Face;
use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};

/// Vipps' APIs at the gateway root: ePayment calls present a bearer token from
/// `/accesstoken/get` with the subscription key and serial number; errors are Vipps problems.
pub struct Vipps;

impl Face for Vipps {
    type Error = VippsError;

    const PREFIX: Option<&'static str> = Some("/epayment");

    fn credential(headers: &HeaderMap) -> Result<Credential, AppError> {
        // Checkout v3 sends the key pair itself on every call; ePayment a token.
        if headers.contains_key("client_id") {
            return Ok(Credential::KeyPair {
                merchant_id: access_token::header(headers, "client_id")?.to_owned(),
                secret_key: access_token::header(headers, "client_secret")?.to_owned(),
                publishable_key: access_token::header(headers, "ocp-apim-subscription-key")?.to_owned(),
                serial_number: access_token::header(headers, "merchant-serial-number")?.to_owned(),
            });
        }
        let bearer = access_token::header(headers, "authorization")?;
        let token = bearer
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned())
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::Authentication,
                    "missing_credentials",
                    "Send the access token from /accesstoken/get as `Authorization: Bearer <token>`.",
                )
            })?;
        Ok(Credential::AccessToken {
            token,
            publishable_key: access_token::header(headers, "ocp-apim-subscription-key")?.to_owned(),
            serial_number: access_token::header(headers, "merchant-serial-number")?.to_owned(),
        })
    }

    fn routes() -> Router<HttpState> {
        Router::new()
            .route("/epayment/v1/payments", post(epayment::create))
            .route("/epayment/v1/payments/{id}", get(epayment::retrieve))
            .route("/epayment/v1/payments/{id}/events", get(epayment::events))
            .route("/epayment/v1/payments/{id}/cancel", post(epayment::cancel))
            .route("/epayment/v1/payments/{id}/capture", post(epayment::capture))
            .route("/epayment/v1/payments/{id}/refund", post(epayment::refund))
            .route("/epayment/v1/test/payments/{id}/approve", post(epayment::force_approve))
            .route("/webhooks/v1/webhooks", post(webhooks::register).get(webhooks::list))
            .route("/checkout/v3/session", post(checkout::create))
            .route("/checkout/v3/session/{id}", get(checkout::details))
            .route("/webhooks/v1/webhooks/{id}", axum::routing::delete(webhooks::delete))
    }

    fn public_routes() -> Router<HttpState> {
        Router::new().route("/accesstoken/get", post(access_token::get))
    }
}

/// A Kassa field name as Vipps calls it.
fn wire_field(param: &str) -> String {
    match param {
        crate::app::field::REFERENCE => "reference".to_owned(),
        crate::app::field::CAPTURE_AMOUNT | crate::app::field::REFUND_AMOUNT => "modificationAmount.value".to_owned(),
        crate::app::field::AMOUNT_TOTAL | crate::app::field::LINE_ITEMS => "amount.value".to_owned(),
        "success_url" | "cancel_url" => "returnUrl".to_owned(),
        other => other.replace("][", ".").replace('[', ".").replace(']', ""),
    }
}
