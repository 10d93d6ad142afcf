//! API key authentication for the native API: `Authorization: Bearer sk_…` (or HTTP Basic
//! with the key as user name), then the key's rate limit.

use super::HttpState;
use super::rate_limit::Verdict;
use crate::app::{AppError, ErrorKind};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use kassa_domain::KeyKind;

/// The key presented in an `Authorization` header.
pub fn presented_key(req: &Request) -> Result<String, AppError> {
    let missing = || {
        AppError::new(
            ErrorKind::Authentication,
            "missing_api_key",
            "No API key provided. Send it as `Authorization: Bearer sk_test_…`.",
        )
    };
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?.trim();
    let (scheme, credentials) = value.split_once(' ').ok_or_else(missing)?;
    let key = if scheme.eq_ignore_ascii_case("bearer") {
        credentials.trim().to_owned()
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(credentials.trim()).map_err(|_| missing())?;
        let decoded = String::from_utf8(decoded).map_err(|_| missing())?;
        decoded.split(':').next().unwrap_or_default().to_owned()
    } else {
        return Err(missing());
    };
    if key.is_empty() { Err(missing()) } else { Ok(key) }
}

/// Authenticates with a secret key and applies its rate limit. The result is put in the
/// request's extensions for [`super::context::attach`].
pub async fn authenticate(State(state): State<HttpState>, mut req: Request, next: Next) -> Response {
    let auth = match presented_key(&req) {
        Ok(key) => state.app.authenticate(&key).await,
        Err(e) => Err(e),
    };
    let auth = match auth {
        Ok(auth) => auth,
        Err(e) => return e.into_response(),
    };
    if auth.kind == KeyKind::Publishable {
        return AppError::new(
            ErrorKind::Permission,
            "secret_key_required",
            "This endpoint needs a secret key (sk_…); publishable keys may only be used from a browser.",
        )
        .into_response();
    }
    let headers = match state.limiter.check(&auth.key_id) {
        Verdict::Unlimited => None,
        Verdict::Allowed(h) => Some(h),
        Verdict::Limited(wait, h) => {
            let retry_after = wait.as_secs_f64().ceil().max(1.0) as u64;
            let mut response =
                AppError::new(ErrorKind::RateLimited, "rate_limited", "Too many requests for this API key; slow down.")
                    .with_retry_after(retry_after)
                    .into_response();
            response.headers_mut().extend(h);
            return response;
        }
    };
    req.extensions_mut().insert(auth);
    let mut response = next.run(req).await;
    if let Some(h) = headers {
        response.headers_mut().extend(h);
    }
    response.headers_mut().insert("kassa-api-version", HeaderValue::from_static("v1"));
    response
}
