//! `/v1/customers`: the people a merchant's payments are for.

use super::V1;
use super::error::V1Error;
use super::render;
use crate::app::CustomerFilter;
use crate::faces::readers::{customer_changes, new_customer};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use axum::Json;
use axum::extract::State;
use kassa_api as api;

/// Create a customer.
#[utoipa::path(post, path = "/v1/customers", tag = "Customers", request_body = api::CreateCustomer,
    responses((status = 200, body = api::Customer), (status = 422, body = api::ErrorBody)))]
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Customer>, V1Error> {
    let new = new_customer(&mut f);
    f.finish()?;
    Ok(Json(render::customer(&s.app.create_customer(&ctx, new).await?)))
}

/// Retrieve a customer.
#[utoipa::path(get, path = "/v1/customers/{id}", tag = "Customers", params(("id" = String, Path)),
    responses((status = 200, body = api::Customer), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Customer>, V1Error> {
    q.finish()?;
    Ok(Json(render::customer(&s.app.get_customer(&ctx, &id).await?)))
}

/// Change a customer's details: a field given replaces (an empty string clears it); metadata
/// merges.
#[utoipa::path(post, path = "/v1/customers/{id}", tag = "Customers", params(("id" = String, Path)),
    request_body = api::UpdateCustomer,
    responses((status = 200, body = api::Customer), (status = 404, body = api::ErrorBody), (status = 422, body = api::ErrorBody)))]
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Customer>, V1Error> {
    let changes = customer_changes(&mut f);
    f.finish()?;
    Ok(Json(render::customer(&s.app.update_customer(&ctx, &id, changes).await?)))
}

/// Delete a customer.
#[utoipa::path(delete, path = "/v1/customers/{id}", tag = "Customers", params(("id" = String, Path)),
    responses((status = 200, body = api::Deleted), (status = 404, body = api::ErrorBody)))]
pub async fn delete(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
) -> Result<Json<api::Deleted>, V1Error> {
    let id = s.app.delete_customer(&ctx, &id).await?;
    Ok(Json(api::Deleted { id: id.to_string(), object: "customer".into(), deleted: true }))
}

/// List customers, newest first (`email`: only those with this address, any case).
#[utoipa::path(get, path = "/v1/customers", tag = "Customers",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query), ("email" = Option<String>, Query),
        ("created[gte]" = Option<String>, Query), ("created[lt]" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::Customer>)))]
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::Customer>>, V1Error> {
    let page = q.page();
    let filter = CustomerFilter { email: q.take("email"), created: q.time_range("created") };
    q.finish()?;
    let found = s.app.list_customers(&ctx, &filter, page).await?;
    Ok(Json(api::List::new(found.items.iter().map(render::customer).collect(), found.next.map(|c| c.encode()))))
}
