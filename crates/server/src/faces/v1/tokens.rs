//! `/v1/tokens`: saved cards, created by setup checkout sessions.

use super::error::V1Error;
use super::{V1, expect_no_query, render};
use crate::app::TokenFilter;
use crate::http::HttpState;
use crate::http::face::{Caller, Id, Params};
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::Invalid;
use kassa_domain::token::TokenStatus;

/// Retrieve a token (a deleted token answers 404).
#[utoipa::path(get, path = "/v1/tokens/{id}", tag = "Tokens", params(("id" = String, Path)),
    responses((status = 200, body = api::Token), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Token>, V1Error> {
    expect_no_query(q)?;
    Ok(Json(render::token(&s.app.get_token(&ctx, &id).await?)))
}

/// List tokens, newest first (deleted tokens are gone).
#[utoipa::path(get, path = "/v1/tokens", tag = "Tokens",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query), ("status" = Option<String>, Query),
           ("customer" = Option<String>, Query, description = "The customer's email"),
           ("created[gte]" = Option<String>, Query), ("created[lte]" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::Token>)))]
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::Token>>, V1Error> {
    let page = q.page();
    let status = q.parsed("status", |s| {
        TokenStatus::from_name(s).filter(|s| *s != TokenStatus::Deleted).ok_or_else(|| {
            Invalid::new("invalid_status", "Status must be requires_authorization, active, rejected or disabled.")
        })
    });
    let customer = q.take("customer");
    let created = q.time_range("created");
    q.finish()?;
    let filter = TokenFilter { status, customer, created };
    let found = s.app.list_tokens(&ctx, &filter, page).await?;
    Ok(Json(api::List::new(found.items.iter().map(render::token).collect(), found.next.map(|c| c.encode()))))
}

/// Disable an active token: it cannot be charged until enabled. A token not yet authorized (or
/// rejected) answers 409 with its status.
#[utoipa::path(post, path = "/v1/tokens/{id}/disable", tag = "Tokens", params(("id" = String, Path)),
    responses((status = 200, body = api::Token), (status = 404, body = api::ErrorBody),
        (status = 409, description = "The token is not active or disabled", body = api::ErrorBody)))]
pub async fn disable(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Token>, V1Error> {
    expect_no_query(q)?;
    Ok(Json(render::token(&s.app.disable_token(&ctx, &id).await?)))
}

/// Enable a disabled token again. A token not yet authorized (or rejected) answers 409 with its
/// status.
#[utoipa::path(post, path = "/v1/tokens/{id}/enable", tag = "Tokens", params(("id" = String, Path)),
    responses((status = 200, body = api::Token), (status = 404, body = api::ErrorBody),
        (status = 409, description = "The token is not active or disabled", body = api::ErrorBody)))]
pub async fn enable(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Token>, V1Error> {
    expect_no_query(q)?;
    Ok(Json(render::token(&s.app.enable_token(&ctx, &id).await?)))
}

/// Delete a token for good: answers it with status `deleted`; afterwards it is 404.
#[utoipa::path(delete, path = "/v1/tokens/{id}", tag = "Tokens", params(("id" = String, Path)),
    responses((status = 200, body = api::Token), (status = 404, body = api::ErrorBody)))]
pub async fn delete(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Token>, V1Error> {
    expect_no_query(q)?;
    Ok(Json(render::token(&s.app.delete_token(&ctx, &id).await?)))
}
