//! The native API, `/v1`: conventions in `shared/design/api-conventions.md`, wire types in
//! `kassa-api`, rules in the app. Handlers parse into domain values, call one app method and
//! render the result.

mod checkout_sessions;
mod coupons;
mod error;
mod events;
mod health;
pub mod openapi;
mod payment_intents;
mod promotion_codes;
mod refunds;
mod test_helpers;
mod webhook_endpoints;

use crate::app::{AppError, PaymentMethodInput};
use crate::http::HttpState;
use crate::http::face::{self, Face};
use crate::http::fields::Fields;
use crate::http::query::QueryParams;
use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use kassa_domain::card::{Expiry, Pan, check_cvc};
use kassa_domain::{Invalid, Metadata};

/// The native API: `Authorization: Bearer sk_…`, an optional `Idempotency-Key` on POST,
/// errors as `{"error": {type, code, message, param, details, request_id}}`.
pub struct V1;

impl Face for V1 {
    type Error = AppError;

    const PREFIX: Option<&'static str> = Some("/v1");

    fn routes() -> Router<HttpState> {
        routes()
    }

    fn public_routes() -> Router<HttpState> {
        Router::new()
            .route("/health", get(health::health))
            .route("/ready", get(health::ready))
            .route("/v1/openapi.json", get(openapi::document))
    }

    fn decorate(response: &mut Response) {
        face::set_header(response, "kassa-api-version", "v1");
    }
}

/// Routes that need a secret key.
fn routes() -> Router<HttpState> {
    Router::new()
        .route("/v1/payment_intents", post(payment_intents::create).get(payment_intents::list))
        .route("/v1/payment_intents/{id}", get(payment_intents::retrieve).post(payment_intents::update))
        .route("/v1/payment_intents/{id}/confirm", post(payment_intents::confirm))
        .route("/v1/payment_intents/{id}/capture", post(payment_intents::capture))
        .route("/v1/payment_intents/{id}/cancel", post(payment_intents::cancel))
        .route("/v1/payment_intents/{id}/events", get(payment_intents::events))
        .route("/v1/refunds", post(refunds::create).get(refunds::list))
        .route("/v1/refunds/{id}", get(refunds::retrieve).post(refunds::update))
        .route("/v1/events", get(events::list))
        .route("/v1/events/{id}", get(events::retrieve))
        .route("/v1/events/{id}/deliveries", get(webhook_endpoints::event_deliveries))
        .route("/v1/events/{id}/redeliver", post(webhook_endpoints::redeliver))
        .route("/v1/webhook_endpoints", post(webhook_endpoints::create).get(webhook_endpoints::list))
        .route(
            "/v1/webhook_endpoints/{id}",
            get(webhook_endpoints::retrieve).post(webhook_endpoints::update).delete(webhook_endpoints::delete),
        )
        .route("/v1/webhook_endpoints/{id}/rotate_secret", post(webhook_endpoints::rotate_secret))
        .route("/v1/webhook_endpoints/{id}/deliveries", get(webhook_endpoints::endpoint_deliveries))
        .route("/v1/test_helpers/simulator/operations", get(test_helpers::simulator_operations))
        .route("/v1/checkout_sessions", post(checkout_sessions::create).get(checkout_sessions::list))
        .route("/v1/checkout_sessions/{id}", get(checkout_sessions::retrieve))
        .route("/v1/checkout_sessions/{id}/expire", post(checkout_sessions::expire))
        .route("/v1/coupons", post(coupons::create).get(coupons::list))
        .route("/v1/coupons/{id}", get(coupons::retrieve).post(coupons::update))
        .route("/v1/promotion_codes", post(promotion_codes::create).get(promotion_codes::list))
        .route("/v1/promotion_codes/{id}", get(promotion_codes::retrieve).post(promotion_codes::update))
}

/// Metadata for a new object: an object of strings within the limits.
fn read_metadata(f: &mut Fields, field: &str) -> Option<Metadata> {
    let map = f.string_map(field)?;
    Metadata::new(map).map_err(|e| f.reject(field, e)).ok()
}

/// `payment_method` (a test payment method's name) or `payment_method_data` (a card), parsed
/// down to a valid card number and expiry. The security code is checked and dropped.
fn read_payment_method(f: &mut Fields, today: (u16, u8)) -> Option<PaymentMethodInput> {
    let named = f.string("payment_method", 100);
    let data = f.object("payment_method_data").and_then(|mut data| {
        let card = read_card(&mut data, today);
        match data.string("type", 20).as_deref() {
            Some("card") | None => {}
            Some(_) => data.reject("type", Invalid::new("invalid_payment_method_type", "The only type is card.")),
        }
        f.absorb(data);
        card
    });
    match (named, data) {
        (Some(_), Some(_)) => {
            f.reject(
                "payment_method_data",
                Invalid::new("parameter_conflict", "Give payment_method or payment_method_data, not both."),
            );
            None
        }
        (Some(name), None) => Some(PaymentMethodInput::Named(name)),
        (None, card) => card,
    }
}

fn read_card(data: &mut Fields, today: (u16, u8)) -> Option<PaymentMethodInput> {
    if !data.has("card") {
        data.reject("card", Invalid::new("parameter_missing", "Missing required parameter: card."));
        return None;
    }
    let mut card = data.object("card")?;
    let pan = card.required_parsed("number", Pan::parse);
    let month = card.required_integer("exp_month", 1, 12, "invalid_expiry_month").map(|m| m as u8);
    let year = card
        .required_integer("exp_year", 0, 2199, "invalid_expiry_year")
        .and_then(|y| Expiry::parse_year(y).map_err(|e| card.reject("exp_year", e)).ok());
    let expiry = match (month, year) {
        (Some(m), Some(y)) => Expiry::new(m, y, today).map_err(|e| card.reject("exp_year", e)).ok(),
        _ => None,
    };
    let cvc = card.required_string("cvc", 4);
    if let (Some(cvc), Some(pan)) = (&cvc, &pan)
        && let Err(e) = check_cvc(cvc, pan.brand())
    {
        card.reject("cvc", e);
    }
    let valid = !card.has_errors();
    data.absorb(card);
    match (pan, expiry, valid) {
        (Some(pan), Some(expiry), true) => Some(PaymentMethodInput::Card { pan, expiry }),
        _ => None,
    }
}

/// Reads `expand[]`, accepting only `allowed`.
fn expand(q: &mut QueryParams, allowed: &str) -> Result<bool, AppError> {
    let mut wanted = false;
    for value in q.take_all("expand[]") {
        if value == allowed {
            wanted = true;
        } else {
            return Err(AppError::invalid_field(
                "expand[]",
                Invalid::new("invalid_expand", format!("`{value}` cannot be expanded here; use `{allowed}`.")),
            ));
        }
    }
    Ok(wanted)
}

/// A non-negative amount in minor units.
fn minor_units(f: &mut Fields, field: &str) -> Option<kassa_domain::MinorUnits> {
    f.integer(field, 0, kassa_domain::money::MAX_AMOUNT, "invalid_amount").and_then(kassa_domain::MinorUnits::new)
}

/// For endpoints that take no query parameters.
fn expect_no_query(q: QueryParams) -> Result<(), AppError> {
    q.finish()
}
