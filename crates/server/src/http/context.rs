//! Builds the application [`Ctx`] of an authenticated request: scope, request id, and for a
//! mutation its `Idempotency-Key` with a fingerprint of the request. Marks replayed answers
//! with `Idempotent-Replayed: true`.

use super::HttpState;
use super::request_id;
use crate::app::{AppError, Authenticated, Ctx, ErrorKind, IdempotencyKey};
use axum::body::Body;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::request::Parts;
use axum::response::Response;
use kassa_domain::RequestId;
use kassa_store::Scope;
use sha2::{Digest, Sha256};

/// Longest accepted `Idempotency-Key`.
pub const MAX_KEY_LEN: usize = 255;

/// Builds the [`Ctx`] of an authenticated request and puts it in the request's extensions.
/// A `mutation` may carry an `Idempotency-Key`; its body is then buffered to fingerprint it.
pub async fn build(
    state: &HttpState,
    auth: Authenticated,
    req: Request,
    mutation: bool,
) -> Result<(Ctx, Request), AppError> {
    let (mut parts, body) = req.into_parts();
    let (idempotency, body) =
        if mutation { idempotency_key(&parts, body, state.body_limit).await? } else { (None, body) };
    let scope = Scope { merchant_id: auth.merchant_id, mode: auth.mode };
    let ctx = Ctx::new(scope, auth.kind, request_id::current().unwrap_or_else(RequestId::generate), idempotency);
    parts.extensions.insert(ctx.clone());
    Ok((ctx, Request::from_parts(parts, body)))
}

/// Says `Idempotent-Replayed: true` on an answer replayed for a repeated key.
pub fn mark_replayed(ctx: &Ctx, response: &mut Response) {
    if ctx.was_replayed() {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
}

/// Reads the header and fingerprints method, path, query and body (which is buffered and
/// handed back).
async fn idempotency_key(parts: &Parts, body: Body, limit: usize) -> Result<(Option<IdempotencyKey>, Body), AppError> {
    let Some(value) = parts.headers.get("idempotency-key") else { return Ok((None, body)) };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY_LEN && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            AppError::new(
                ErrorKind::BadRequest,
                "invalid_idempotency_key",
                format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} printable ASCII characters."),
            )
            .with_param("Idempotency-Key")
        })?
        .to_owned();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        AppError::new(ErrorKind::PayloadTooLarge, "body_too_large", format!("The request body exceeds {limit} bytes."))
    })?;
    let mut hash = Sha256::new();
    hash.update(parts.method.as_str().as_bytes());
    hash.update(b" ");
    hash.update(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("").as_bytes());
    hash.update(b"\n");
    hash.update(&bytes);
    let fingerprint = hex::encode(hash.finalize());
    Ok((Some(IdempotencyKey { key, fingerprint }), Body::from(bytes)))
}
