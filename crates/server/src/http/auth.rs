//! API key authentication for the native API: `Authorization: Bearer sk_…` (or HTTP Basic
//! with the key as user name), then the key's rate limit.

use super::HttpState;
use super::rate_limit::Verdict;
use crate::app::{AppError, Authenticated, ErrorKind};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use kassa_domain::KeyKind;

/// The key presented in an `Authorization` header.
pub fn presented_key(headers: &HeaderMap) -> Result<String, AppError> {
    let missing = || {
        AppError::new(
            ErrorKind::Authentication,
            "missing_api_key",
            "No API key provided. Send it as `Authorization: Bearer sk_test_…`.",
        )
    };
    let value = headers.get(header::AUTHORIZATION).ok_or_else(missing)?;
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

/// Authenticates a request with a secret key and takes a token from the key's rate limit.
/// Returns who is asking and the `RateLimit-*` headers for the answer; each face renders the
/// error in its own shape.
pub async fn admit(state: &HttpState, headers: &HeaderMap) -> Result<(Authenticated, Option<HeaderMap>), Refused> {
    let key = presented_key(headers).map_err(Refused::from)?;
    let auth = state.app.authenticate(&key).await.map_err(Refused::from)?;
    if auth.kind == KeyKind::Publishable {
        return Err(Refused::from(AppError::new(
            ErrorKind::Permission,
            "secret_key_required",
            "This endpoint needs a secret key (sk_…); publishable keys may only be used from a browser.",
        )));
    }
    match state.limiter.check(&auth.key_id) {
        Verdict::Unlimited => Ok((auth, None)),
        Verdict::Allowed(h) => Ok((auth, Some(h))),
        Verdict::Limited(wait, h) => {
            let retry_after = wait.as_secs_f64().ceil().max(1.0) as u64;
            let error =
                AppError::new(ErrorKind::RateLimited, "rate_limited", "Too many requests for this API key; slow down.")
                    .with_retry_after(retry_after);
            Err(Refused { error, headers: Some(h) })
        }
    }
}

/// Why [`admit`] turned a request away, and the rate-limit headers to answer with.
#[derive(Debug)]
pub struct Refused {
    /// What to tell the client.
    pub error: AppError,
    /// `RateLimit-*` headers, when the limit was hit.
    pub headers: Option<HeaderMap>,
}

impl From<AppError> for Refused {
    fn from(error: AppError) -> Refused {
        Refused { error, headers: None }
    }
}

impl Refused {
    /// The error rendered by `render`, with the rate-limit headers.
    pub fn render(self, render: impl FnOnce(AppError) -> Response) -> Response {
        let mut response = render(self.error);
        if let Some(h) = self.headers {
            response.headers_mut().extend(h);
        }
        response
    }
}

/// The native API's authentication layer: [`admit`], then the request's extensions carry the
/// result for [`super::context::attach`].
pub async fn authenticate(State(state): State<HttpState>, mut req: Request, next: Next) -> Response {
    let (auth, headers) = match admit(&state, req.headers()).await {
        Ok(admitted) => admitted,
        Err(refused) => return refused.render(IntoResponse::into_response),
    };
    req.extensions_mut().insert(auth);
    let mut response = next.run(req).await;
    if let Some(h) = headers {
        response.headers_mut().extend(h);
    }
    response.headers_mut().insert("kassa-api-version", HeaderValue::from_static("v1"));
    response
}
