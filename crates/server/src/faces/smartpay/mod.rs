//! Smartpay (`@smartpay/sdk-node` 0.9.1, source document 001) under `/smartpay/v1`. Point the
//! SDK at the gateway with `new Smartpay(secretKey, { apiPrefix: '<gateway>/smartpay/v1' })`.
//! Wire reference: `shared/reference/wire/smartpay.md`.
//!
//! A Smartpay order is a payment intent, a Smartpay payment one of its captures, a
//! `checkout_test_…` session a checkout session, a `paytok_test_…` token a saved card; every id
//! is the Kassa id's random part under Smartpay's prefix and mode (`ids.rs`). Requests present
//! the raw secret key as `Authorization: Basic <key>`; every mutation, PUT and DELETE included,
//! honours its `Idempotency-Key`.

mod checkout_sessions;
mod collection;
mod error;
mod ids;
mod orders;
mod payments;
mod promotions;
mod render;
mod tokens;
mod webhooks;

pub use error::SmartpayError;
pub use webhooks::{SmartpayWebhooks, base62_decode};

use crate::app::{AppError, ErrorKind};
use crate::http::HttpState;
use crate::http::auth::Credential;
use crate::http::face::Face;
use axum::Router;
use axum::http::{HeaderMap, Method, header};
use axum::routing::{get, post, put};

/// Smartpay's API: Basic raw secret key, camelCase JSON, `{statusCode, errorCode, message,
/// details}` refusals.
pub struct Smartpay;

impl Face for Smartpay {
    type Error = SmartpayError;

    const PREFIX: Option<&'static str> = Some("/smartpay");

    fn credential(headers: &HeaderMap) -> Result<Credential, AppError> {
        let missing = || {
            AppError::new(
                ErrorKind::Authentication,
                "missing_api_key",
                "Send the secret key as `Authorization: Basic sk_test_…` (the raw key, as the Smartpay SDK does).",
            )
        };
        let value = headers.get(header::AUTHORIZATION).ok_or_else(missing)?.to_str().map_err(|_| missing())?;
        match value.trim().split_once(' ') {
            // The SDK sends the key itself, not base64 of `key:`; Bearer works too.
            Some((scheme, key)) if scheme.eq_ignore_ascii_case("basic") || scheme.eq_ignore_ascii_case("bearer") => {
                let key = key.trim();
                if key.is_empty() { Err(missing()) } else { Ok(Credential::ApiKey(key.to_owned())) }
            }
            _ => Err(missing()),
        }
    }

    fn is_mutation(method: &Method) -> bool {
        // Cancel, enable and disable are PUTs; deletes are DELETEs: all carry the key.
        [Method::POST, Method::PATCH, Method::PUT, Method::DELETE].contains(method)
    }

    fn routes() -> Router<HttpState> {
        Router::new()
            .route("/smartpay/v1/checkout-sessions", post(checkout_sessions::create).get(checkout_sessions::list))
            .route("/smartpay/v1/checkout-sessions/{id}", get(checkout_sessions::retrieve))
            .route("/smartpay/v1/orders", post(orders::create).get(orders::list))
            .route("/smartpay/v1/orders/{id}", get(orders::retrieve))
            .route("/smartpay/v1/orders/{id}/cancellation", put(orders::cancel))
            .route("/smartpay/v1/payments", post(payments::create).get(payments::list))
            .route("/smartpay/v1/payments/{id}", get(payments::retrieve).patch(payments::update))
            .route("/smartpay/v1/refunds", post(payments::create_refund).get(payments::list_refunds))
            .route("/smartpay/v1/refunds/{id}", get(payments::retrieve_refund).patch(payments::update_refund))
            .route("/smartpay/v1/webhook-endpoints", post(webhooks::create).get(webhooks::list))
            .route(
                "/smartpay/v1/webhook-endpoints/{id}",
                get(webhooks::retrieve).patch(webhooks::update).delete(webhooks::delete),
            )
            .route("/smartpay/v1/coupons", post(promotions::create_coupon).get(promotions::list_coupons))
            .route("/smartpay/v1/coupons/{id}", get(promotions::retrieve_coupon).patch(promotions::update_coupon))
            .route("/smartpay/v1/promotion-codes", post(promotions::create_code).get(promotions::list_codes))
            .route("/smartpay/v1/promotion-codes/{id}", get(promotions::retrieve_code).patch(promotions::update_code))
            .route("/smartpay/v1/tokens", get(tokens::list))
            .route("/smartpay/v1/tokens/{id}", get(tokens::retrieve).delete(tokens::delete))
            .route("/smartpay/v1/tokens/{id}/enable", put(tokens::enable))
            .route("/smartpay/v1/tokens/{id}/disable", put(tokens::disable))
    }
}

/// A Kassa field name as Smartpay calls it (`line_items[0][name]` → `items.0.name`).
fn wire_field(param: &str) -> String {
    match param {
        crate::app::field::CAPTURE_AMOUNT | crate::app::field::REFUND_AMOUNT => "amount".to_owned(),
        crate::app::field::AMOUNT_TOTAL | crate::app::field::LINE_ITEMS => "amount".to_owned(),
        crate::app::field::PROMOTION_CODE => "promotionCode".to_owned(),
        crate::app::field::PAYMENT_INTENT => "order".to_owned(),
        crate::app::field::CAPTURE => "payment".to_owned(),
        "success_url" => "successUrl".to_owned(),
        "cancel_url" => "cancelUrl".to_owned(),
        other => other.replace("][", ".").replace('[', ".").replace(']', ""),
    }
}
