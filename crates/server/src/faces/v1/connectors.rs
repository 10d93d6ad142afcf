//! `/v1/connectors`: a merchant's accounts at payment providers. Credentials go in and never
//! come out.

use super::V1;
use super::error::V1Error;
use super::render;
use crate::app::{ConnectorChanges, NewConnectorInput};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::Invalid;
use serde_json::{Map, Value};

/// `credentials`: an object (its fields are the provider's to check).
fn credentials(f: &mut Fields, required: bool) -> Option<Map<String, Value>> {
    match f.json("credentials") {
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            f.reject("credentials", Invalid::new("parameter_invalid_object", "Must be an object."));
            None
        }
        None if required => {
            f.reject("credentials", Invalid::new("parameter_missing", "Missing required parameter: credentials."));
            None
        }
        None => None,
    }
}

/// Add a connector: the merchant's account at Vipps, Smartpay or ProBuy, its credentials checked
/// with the provider. One per provider and mode.
#[utoipa::path(post, path = "/v1/connectors", tag = "Connectors", request_body = api::CreateConnector,
    responses((status = 200, body = api::Connector), (status = 409, body = api::ErrorBody),
        (status = 422, body = api::ErrorBody), (status = 503, body = api::ErrorBody)))]
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Connector>, V1Error> {
    let provider = f.required_string("type", 40);
    let credentials = credentials(&mut f, true);
    let base_url = f.string("base_url", kassa_domain::connector::MAX_URL_LEN);
    let description = f.string("description", 1000);
    f.finish()?;
    let input =
        NewConnectorInput { provider: vouched(provider)?, credentials: vouched(credentials)?, base_url, description };
    Ok(Json(render::connector(&s.app.create_connector(&ctx, input).await?)))
}

/// Retrieve a connector (never its credentials).
#[utoipa::path(get, path = "/v1/connectors/{id}", tag = "Connectors", params(("id" = String, Path)),
    responses((status = 200, body = api::Connector), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Connector>, V1Error> {
    q.finish()?;
    Ok(Json(render::connector(&s.app.get_connector(&ctx, &id).await?)))
}

/// List connectors, newest first.
#[utoipa::path(get, path = "/v1/connectors", tag = "Connectors",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::Connector>)))]
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::Connector>>, V1Error> {
    let page = q.page();
    q.finish()?;
    let found = s.app.list_connectors(&ctx, page).await?;
    Ok(Json(api::List::new(found.items.iter().map(render::connector).collect(), found.next.map(|c| c.encode()))))
}

/// Rotate a connector's credentials (replaced whole), move it to another base URL (both checked
/// with the provider) or change its description.
#[utoipa::path(post, path = "/v1/connectors/{id}", tag = "Connectors", params(("id" = String, Path)),
    request_body = api::UpdateConnector,
    responses((status = 200, body = api::Connector), (status = 404, body = api::ErrorBody), (status = 422, body = api::ErrorBody)))]
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Connector>, V1Error> {
    let changes = ConnectorChanges {
        credentials: credentials(&mut f, false),
        base_url: f.string("base_url", kassa_domain::connector::MAX_URL_LEN),
        description: f.string("description", 1000),
    };
    f.finish()?;
    Ok(Json(render::connector(&s.app.update_connector(&ctx, &id, changes).await?)))
}

/// Delete a connector.
#[utoipa::path(delete, path = "/v1/connectors/{id}", tag = "Connectors", params(("id" = String, Path)),
    responses((status = 200, body = api::Deleted), (status = 404, body = api::ErrorBody)))]
pub async fn delete(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
) -> Result<Json<api::Deleted>, V1Error> {
    let id = s.app.delete_connector(&ctx, &id).await?;
    Ok(Json(api::Deleted { id: id.to_string(), object: "connector".into(), deleted: true }))
}
