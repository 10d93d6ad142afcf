//! The native API, `/v1`: conventions in `shared/design/api-conventions.md`, wire types in
//! `kassa-api`, rules in the app. Handlers parse into domain values, call one app method and
//! render the result.

mod bounds;
mod captures;
mod catalog;
mod checkout_sessions;
mod connectors;
mod coupons;
mod customers;
mod error;

pub use error::V1Error;
mod events;
mod health;
pub mod openapi;
mod payment_intents;
mod promotion_codes;
mod refunds;
pub mod render;
mod test_helpers;
mod tokens;
mod webhook_endpoints;
mod webhooks;

pub use webhooks::V1Webhooks;

use crate::app::{AppError, PaymentMethodInput, ThroughConnector};
use crate::faces::readers::web_url;
use crate::http::HttpState;
use crate::http::face::{self, Face};
use crate::http::fields::Fields;
use crate::http::query::QueryParams;
use axum::Router;
use axum::response::Response;
use kassa_domain::contact::{BillingDetails, CountryCode, Email, PostalAddress};
use kassa_domain::{Invalid, Metadata};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The native API: `Authorization: Bearer sk_…`, an optional `Idempotency-Key` on POST,
/// errors as `{"error": {type, code, message, param, details, request_id}}`.
pub struct V1;

impl Face for V1 {
    type Error = V1Error;

    const PREFIX: Option<&'static str> = Some("/v1");

    const JSON_CONTENT_TYPE_REQUIRED: bool = true;

    fn routes() -> Router<HttpState> {
        table().split_for_parts().0
    }

    fn public_routes() -> Router<HttpState> {
        public_table().split_for_parts().0
    }

    fn decorate(response: &mut Response) {
        face::set_header(response, "kassa-api-version", "v1");
    }
}

/// Every operation behind the front door, each registered with its OpenAPI operation by
/// `routes!` (the handler's `#[utoipa::path]` gives both its path and its document), so a
/// route cannot exist without its operation. Add routes here with `routes!` only.
fn table() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(payment_intents::create, payment_intents::list))
        .routes(routes!(payment_intents::retrieve, payment_intents::update))
        .routes(routes!(payment_intents::by_reference))
        .routes(routes!(payment_intents::confirm))
        .routes(routes!(payment_intents::capture))
        .routes(routes!(payment_intents::cancel))
        .routes(routes!(payment_intents::events))
        .routes(routes!(captures::of_payment_intent))
        .routes(routes!(captures::retrieve))
        .routes(routes!(refunds::create, refunds::list))
        .routes(routes!(refunds::retrieve, refunds::update))
        .routes(routes!(events::list))
        .routes(routes!(events::retrieve))
        .routes(routes!(webhook_endpoints::event_deliveries))
        .routes(routes!(webhook_endpoints::redeliver))
        .routes(routes!(connectors::create, connectors::list))
        .routes(routes!(connectors::retrieve, connectors::update, connectors::delete))
        .routes(routes!(customers::create, customers::list))
        .routes(routes!(customers::retrieve, customers::update, customers::delete))
        .routes(routes!(catalog::create_product, catalog::list_products))
        .routes(routes!(catalog::retrieve_product, catalog::update_product))
        .routes(routes!(catalog::create_price, catalog::list_prices))
        .routes(routes!(catalog::retrieve_price, catalog::update_price))
        .routes(routes!(webhook_endpoints::create, webhook_endpoints::list))
        .routes(routes!(webhook_endpoints::retrieve, webhook_endpoints::update, webhook_endpoints::delete))
        .routes(routes!(webhook_endpoints::rotate_secret))
        .routes(routes!(webhook_endpoints::endpoint_deliveries))
        .routes(routes!(test_helpers::simulator_operations))
        .routes(routes!(checkout_sessions::create, checkout_sessions::list))
        .routes(routes!(checkout_sessions::retrieve))
        .routes(routes!(checkout_sessions::expire))
        .routes(routes!(coupons::create, coupons::list))
        .routes(routes!(coupons::retrieve, coupons::update))
        .routes(routes!(promotion_codes::create, promotion_codes::list))
        .routes(routes!(promotion_codes::retrieve, promotion_codes::update))
        .routes(routes!(tokens::list))
        .routes(routes!(tokens::retrieve, tokens::delete))
        .routes(routes!(tokens::disable))
        .routes(routes!(tokens::enable))
}

/// The operations anyone may call.
fn public_table() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(health::health))
        .routes(routes!(health::ready))
        .routes(routes!(openapi::document))
}

/// The OpenAPI paths of every v1 route, from the same tables that serve them.
pub(crate) fn documented_paths() -> utoipa::openapi::OpenApi {
    table().merge(public_table()).split_for_parts().1
}

/// Metadata for a new object: an object of strings within the limits.
fn read_metadata(f: &mut Fields, field: &str) -> Option<Metadata> {
    let map = f.string_map(field)?;
    Metadata::new(map).map_err(|e| f.reject(field, e)).ok()
}

/// `payment_method` (a test payment method's name) or `payment_method_data`: a card, parsed
/// down to a valid card number and expiry (the security code is checked and dropped), or a
/// connector's provider with `billing_details` and the top-level `return_url` it needs.
fn read_payment_method(f: &mut Fields, today: (u16, u8)) -> Option<PaymentMethodInput> {
    let named = f.string("payment_method", 100);
    let return_url_given = f.has("return_url");
    let return_url = web_url(f, "return_url", false);
    let mut needs_return_url = false;
    let data = f.object("payment_method_data").and_then(|mut data| {
        let kind = data.string("type", 20);
        let billing = data.object("billing_details").map(|b| read_billing_details(&mut data, b));
        let method = match kind.as_deref() {
            Some("card") | None => crate::faces::readers::card(&mut data, today),
            Some(provider) => {
                if data.has("card") {
                    data.reject("card", Invalid::new("unexpected_parameter", "A card goes with type card."));
                }
                let through = |return_url| {
                    PaymentMethodInput::Connector(Box::new(ThroughConnector {
                        provider: provider.to_owned(),
                        return_url,
                        billing: billing.flatten().unwrap_or_default(),
                    }))
                };
                needs_return_url = true;
                return_url.clone().map(through)
            }
        };
        f.absorb(data);
        method
    });
    if needs_return_url && !return_url_given {
        f.reject(
            "return_url",
            Invalid::new(
                "parameter_missing",
                "A payment method where the customer approves elsewhere needs a return_url.",
            ),
        );
    }
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

/// `billing_details`: who pays, each part optional, every bad one named.
fn read_billing_details(parent: &mut Fields, mut b: Fields) -> Option<BillingDetails> {
    let name = b.string("name", 200);
    let email = b.parsed_within("email", 254, Email::parse);
    let phone = b.string("phone", 30);
    let address = b.object("address").map(|mut a| {
        let address = PostalAddress {
            line1: a.string("line1", 200),
            line2: a.string("line2", 200),
            city: a.string("city", 200),
            postal_code: a.string("postal_code", 20),
            state: a.string("state", 200),
            country: a.parsed_within("country", 2, CountryCode::parse),
        };
        b.absorb(a);
        address
    });
    let valid = !b.has_errors();
    parent.absorb(b);
    valid.then_some(BillingDetails { name, email, phone, address })
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
