//! `GET /v1/openapi.json`: the OpenAPI 3.1 document. Its paths come from the route table
//! that serves them (`super::table`), its schemas from the `kassa-api` types the handlers
//! answer with, so it cannot drift.

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
    SPEC.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        doc.merge(super::documented_paths());
        doc
    })
}

/// The OpenAPI document of the native API.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "Operations", security(()),
    responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn document() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(spec())
}
