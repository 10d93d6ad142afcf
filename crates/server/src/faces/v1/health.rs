//! Liveness and readiness.

use crate::app::{AppError, ErrorKind};
use crate::http::HttpState;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// Liveness: the process answers, with its time (the seed API's health check has the same
/// shape).
#[utoipa::path(get, path = "/health", tag = "Operations", security(()), responses((status = 200, description = "Alive")))]
pub async fn health(State(s): State<HttpState>) -> Json<Value> {
    Json(json!({ "status": "ok", "timestamp": crate::faces::timestamps::iso_millis(s.app.clock().now()) }))
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/ready", tag = "Operations", security(()),
    responses((status = 200, description = "Ready"), (status = 503, body = kassa_api::ErrorBody)))]
pub async fn ready(State(s): State<HttpState>) -> Result<Json<Value>, AppError> {
    s.app.store().ping().await.map_err(|e| {
        tracing::warn!(error = %e, "not ready");
        AppError::new(ErrorKind::Unavailable, "database_unavailable", "The database does not answer.")
    })?;
    Ok(Json(json!({ "status": "ready", "database": format!("{:?}", s.app.store().backend()).to_lowercase() })))
}
