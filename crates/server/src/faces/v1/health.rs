//! Liveness and readiness.

use super::error::V1Error;
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
pub async fn ready(State(s): State<HttpState>) -> Result<Json<Value>, V1Error> {
    let database = s.app.database_ready().await?;
    Ok(Json(json!({ "status": "ready", "database": database })))
}
