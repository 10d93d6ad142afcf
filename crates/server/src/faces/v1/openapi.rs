//! `GET /v1/openapi.json`: the OpenAPI 3.1 document, generated from the handlers'
//! annotations and the `kassa-api` types that serve the routes, so it cannot drift.

use super::{
    checkout_sessions, coupons, events, health, payment_intents, promotion_codes, refunds, test_helpers,
    webhook_endpoints,
};
use axum::Json;
use kassa_api as api;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kassa API",
        version = "v1",
        description = "The native API of Kassa, a self-hostable payment gateway. Amounts are integers in the \
                       currency's minor unit; errors share one shape; every POST accepts an Idempotency-Key."
    ),
    paths(
        health::health, health::ready, document,
        payment_intents::create, payment_intents::list, payment_intents::retrieve, payment_intents::update,
        payment_intents::confirm, payment_intents::capture, payment_intents::cancel, payment_intents::events,
        refunds::create, refunds::list, refunds::retrieve, refunds::update,
        events::list, events::retrieve,
        test_helpers::simulator_operations,
        webhook_endpoints::create, webhook_endpoints::list, webhook_endpoints::retrieve, webhook_endpoints::update,
        webhook_endpoints::delete, webhook_endpoints::rotate_secret, webhook_endpoints::endpoint_deliveries,
        webhook_endpoints::event_deliveries, webhook_endpoints::redeliver,
        checkout_sessions::create, checkout_sessions::list, checkout_sessions::retrieve, checkout_sessions::expire,
        coupons::create, coupons::list, coupons::retrieve, coupons::update,
        promotion_codes::create, promotion_codes::list, promotion_codes::retrieve, promotion_codes::update,
    ),
    components(schemas(api::ErrorBody, api::ErrorObject, api::ErrorDetail, api::PaymentIntent, api::Refund, api::Event, api::WebhookEndpoint)),
    modifiers(&BearerAuth),
    security(("api_key" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("sk_test_…").build()),
        );
    }
}

/// The document, built once.
pub fn spec() -> &'static utoipa::openapi::OpenApi {
    static SPEC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    SPEC.get_or_init(ApiDoc::openapi)
}

/// The OpenAPI document of the native API.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "Operations", security(()),
    responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn document() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(spec())
}
