//! Authentication at the front door: a face reads the [`Credential`] a request presents,
//! [`admit`] resolves it to a merchant and mode and takes a token from its rate limit.

use super::HttpState;
use super::rate_limit::Verdict;
use crate::app::{AppError, Authenticated, ErrorKind};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use base64::Engine;
use kassa_domain::KeyKind;
use std::net::IpAddr;

/// What a request presents to say who it is, as its face read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A secret or publishable API key (`sk_…`, `pk_…`).
    ApiKey(String),
    /// A bearer token exchanged for the merchant's keys (`App::issue_access_token`), presented
    /// with the publishable key and the merchant's serial number that must go with it.
    AccessToken {
        /// The bearer token.
        token: String,
        /// A publishable key of the token's merchant and mode.
        publishable_key: String,
        /// The merchant's serial number.
        serial_number: String,
    },
    /// The merchant's id, a secret key and a publishable key of one mode, and its serial number,
    /// each in a header.
    KeyPair {
        /// `mer_…`
        merchant_id: String,
        /// A secret key of the merchant.
        secret_key: String,
        /// A publishable key of the same mode.
        publishable_key: String,
        /// The merchant's serial number.
        serial_number: String,
    },
}

/// A key as `Authorization: Bearer <key>`, or as the user name of HTTP Basic (base64).
pub fn bearer_or_basic(headers: &HeaderMap) -> Result<Credential, AppError> {
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
    if key.is_empty() { Err(missing()) } else { Ok(Credential::ApiKey(key)) }
}

/// Authenticates a request's credential as a secret key and takes a token from the key's rate limit.
/// Returns who is asking and the `RateLimit-*` headers for the answer; each face renders the
/// error in its own shape.
pub async fn admit(
    state: &HttpState,
    credential: Result<Credential, AppError>,
    client: Option<IpAddr>,
) -> Result<(Authenticated, Option<HeaderMap>), Refused> {
    if let Some(wait) = client.and_then(|c| state.limiter.failures_block(c)) {
        let retry_after = wait.as_secs_f64().ceil().max(1.0) as u64;
        let error = AppError::new(
            ErrorKind::RateLimited,
            "too_many_failed_authentications",
            "Too many requests with invalid credentials from this address; slow down.",
        )
        .with_retry_after(retry_after);
        return Err(Refused { error, headers: None });
    }
    let resolved = match credential {
        Ok(credential) => resolve(state, credential).await,
        Err(e) => Err(e),
    };
    let auth = match resolved {
        Ok(auth) => auth,
        Err(e) => {
            if let Some(c) = client.filter(|_| e.kind == ErrorKind::Authentication) {
                state.limiter.authentication_failed(c);
            }
            return Err(Refused::from(e));
        }
    };
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

async fn resolve(state: &HttpState, credential: Credential) -> Result<Authenticated, AppError> {
    let app = &state.app;
    match credential {
        Credential::ApiKey(key) => app.authenticate(&key).await,
        Credential::AccessToken { token, publishable_key, serial_number } => {
            let auth = app.authenticate_access_token(&token).await?;
            app.check_publishable_key(&auth, &publishable_key).await?;
            app.check_serial_number(&auth.merchant_id, &serial_number).await?;
            Ok(auth)
        }
        Credential::KeyPair { merchant_id, secret_key, publishable_key, serial_number } => {
            let auth = app.authenticate_key_pair(&merchant_id, &secret_key, &publishable_key).await?;
            app.check_serial_number(&auth.merchant_id, &serial_number).await?;
            Ok(auth)
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
