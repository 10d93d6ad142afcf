//! Saved cards: `GET /tokens[/{id}]`, `PUT /tokens/{id}/enable|disable`, `DELETE /tokens/{id}`.

use super::Smartpay;
use super::collection::{self, expand_only};
use super::error::SmartpayError;
use super::ids;
use super::render;
use crate::app::{AppError, ErrorKind, TokenFilter};
use crate::http::HttpState;
use crate::http::face::{Caller, Id, Params};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kassa_domain::token::TokenStatus;
use serde_json::Value;

/// Smartpay answers `token.not-found` for a token whose card the customer has not saved yet:
/// there is nothing to enable or disable.
fn not_yet_authorized(e: AppError, wire_id: &str) -> SmartpayError {
    if e.kind == ErrorKind::Conflict && e.current_status.as_deref() == Some(TokenStatus::RequiresAuthorization.as_str())
    {
        return ids::not_found(ids::TOKEN, wire_id).into();
    }
    e.into()
}

/// `GET /tokens/{id}`.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    expand_only(q)?;
    let kassa_id = ids::parse(ids::TOKEN, ctx.scope.mode, &id)?;
    Ok(Json(render::token(&s.app.get_token(&ctx, &kassa_id).await?)))
}

/// `GET /tokens`.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Params(mut q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let asked = collection::request(&mut q);
    collection::finish(q)?;
    let found = s.app.list_tokens(&ctx, &TokenFilter::default(), asked.page.clone()).await?;
    let data = found.items.iter().map(render::token).collect();
    Ok(collection::respond(&asked, &found, data)?)
}

/// `PUT /tokens/{id}/enable`.
pub async fn enable(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    collection::finish(q)?;
    let kassa_id = ids::parse(ids::TOKEN, ctx.scope.mode, &id)?;
    let token = s.app.enable_token(&ctx, &kassa_id).await.map_err(|e| not_yet_authorized(e, &id))?;
    Ok(Json(render::token(&token)))
}

/// `PUT /tokens/{id}/disable`.
pub async fn disable(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    collection::finish(q)?;
    let kassa_id = ids::parse(ids::TOKEN, ctx.scope.mode, &id)?;
    let token = s.app.disable_token(&ctx, &kassa_id).await.map_err(|e| not_yet_authorized(e, &id))?;
    Ok(Json(render::token(&token)))
}

/// `DELETE /tokens/{id}` → 204; the token is gone (`token.not-found`) from then on.
pub async fn delete(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Response, SmartpayError> {
    collection::finish(q)?;
    let kassa_id = ids::parse(ids::TOKEN, ctx.scope.mode, &id)?;
    s.app.delete_token(&ctx, &kassa_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
