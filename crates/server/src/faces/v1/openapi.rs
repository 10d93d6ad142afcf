//! `GET /v1/openapi.json`: the OpenAPI 3.1 document. Its paths come from the route table
//! that serves them (`super::table`), its schemas from the `kassa-api` types the handlers
//! answer with, so it cannot drift.

use crate::http::query::{DEFAULT_LIMIT, MAX_LIMIT};
use axum::Json;
use kassa_api as api;
use serde_json::{Value, json};
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

/// The document, built once: the operations' own answers, then every refusal the front
/// door, the parsers and the limits can give (`exact`).
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        doc.merge(super::documented_paths());
        let mut doc = serde_json::to_value(doc).expect("the document serializes");
        exact(&mut doc);
        doc
    })
}

/// The OpenAPI document of the native API.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "Operations", security(()),
    responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn document() -> Json<&'static Value> {
    Json(spec())
}

/// Names every operation uniquely (`get_payment_intents_id`: its method and path), and links
/// each create (`POST /v1/things`) to the operations on what it made (`/v1/things/{id}…`), with
/// the id taken from its answer: how a client, or a stateful test, goes from one to the other.
fn name_and_link_operations(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            let slug = path.trim_start_matches('/').replace(['{', '}'], "").replace(['/', '.'], "_");
            op["operationId"] = Value::String(format!("{method}_{slug}"));
        }
    }
    let collections: Vec<String> =
        paths.iter().filter(|(p, i)| !p.contains('{') && i.get("post").is_some()).map(|(p, _)| p.clone()).collect();
    for collection in collections {
        let prefix = format!("{collection}/{{id}}");
        let mut links = serde_json::Map::new();
        for (_, item) in paths.iter().filter(|(p, _)| p.starts_with(&prefix)) {
            for op in item.as_object().into_iter().flat_map(|o| o.values()) {
                let Some(operation_id) = op["operationId"].as_str() else { continue };
                let link = json!({"operationId": operation_id, "parameters": {"id": "$response.body#/id"}});
                links.insert(operation_id.to_owned(), link);
            }
        }
        if let Some(ok) = paths[&collection]["post"]["responses"].get_mut("200").and_then(Value::as_object_mut) {
            ok.insert("links".to_owned(), Value::Object(links));
        }
    }
}

fn error_response(description: &str) -> Value {
    json!({"description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
}

/// Makes the document say what the server does: each operation lists every status it can
/// answer (the front door's 401/403/429, the parsers' 400/415/422, the limits' 413/503, the
/// idempotency 409), and list parameters carry the bounds the parsers enforce.
fn exact(doc: &mut Value) {
    name_and_link_operations(doc);
    super::bounds::constrain(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if !["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                continue;
            }
            let public = op.get("security").is_some_and(|s| s == &json!([{}]));
            let takes_input = op.get("requestBody").is_some()
                || op.get("parameters").and_then(Value::as_array).is_some_and(|p| p.iter().any(|p| p["in"] == "query"));
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                // `bounds` describes every other query parameter.
                for p in params.iter_mut().filter(|p| p["in"] == "query") {
                    if p["name"] == "limit" {
                        p["schema"] =
                            json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT});
                    }
                }
            }
            let responses = op["responses"].as_object_mut().expect("every operation has responses");
            let mut add = |status: &str, description: &str| {
                responses.entry(status.to_owned()).or_insert_with(|| error_response(description));
            };
            add(
                "400",
                "The request could not be read: malformed JSON, a key or parameter given twice, an unknown parameter.",
            );
            add(
                "503",
                "Took longer than the request timeout; retry (with the same Idempotency-Key) after Retry-After.",
            );
            if takes_input || method != "get" {
                add(
                    "422",
                    "Invalid parameters (every bad field is listed in `error.details`), or an Idempotency-Key reused for another request.",
                );
            }
            if path.contains('{') {
                add("404", "No such object (or another merchant's, or the other mode's).");
            }
            if public {
                continue;
            }
            add("401", "No API key, or an unknown or revoked one.");
            add("403", "A publishable key, where a secret key is needed.");
            add(
                "429",
                "Too many requests for this key (or too many wrong keys from this address); retry after Retry-After.",
            );
            if method != "get" {
                add(
                    "409",
                    "The Idempotency-Key is held by a request still running (retry after Retry-After), or the object's state forbids this.",
                );
                add("413", "The body is larger than the limit.");
                add("415", "The body is not `application/json`.");
            }
        }
    }
}
