//! `POST /accesstoken/get`: the merchant's id, secret key and publishable key (as Vipps'
//! `client_id`, `client_secret` and `Ocp-Apim-Subscription-Key` headers) for a bearer token.

use super::error::VippsError;
use crate::app::{AppError, ErrorKind};
use crate::http::HttpState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;

/// Vipps' token answer: every field a string, as its specification says.
#[derive(Serialize)]
pub struct TokenResponse {
    token_type: &'static str,
    expires_in: String,
    ext_expires_in: String,
    expires_on: String,
    not_before: String,
    resource: &'static str,
    access_token: String,
}

/// A header's value, or a 401 naming it.
pub fn header<'h>(headers: &'h HeaderMap, name: &str) -> Result<&'h str, AppError> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| {
        AppError::new(ErrorKind::Authentication, "missing_credentials", format!("The {name} header is required."))
    })
}

/// `POST /accesstoken/get`
pub async fn get(State(s): State<HttpState>, headers: HeaderMap) -> Result<Json<TokenResponse>, VippsError> {
    let client_id = header(&headers, "client_id")?;
    let client_secret = header(&headers, "client_secret")?;
    let subscription_key = header(&headers, "ocp-apim-subscription-key")?;
    let issued = s.app.issue_access_token(client_id, client_secret, subscription_key).await?;
    let lifetime = issued.lifetime.as_secs().to_string();
    Ok(Json(TokenResponse {
        token_type: "Bearer",
        expires_in: lifetime.clone(),
        ext_expires_in: lifetime,
        expires_on: (issued.expires_at.micros() / 1_000_000).to_string(),
        not_before: (issued.issued_at.micros() / 1_000_000).to_string(),
        resource: "00000002-0000-0000-c000-000000000000",
        access_token: issued.token,
    }))
}
