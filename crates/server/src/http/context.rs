//! Builds the application [`Ctx`] of an authenticated request: scope, request id, and for a
//! mutation its `Idempotency-Key` with a fingerprint of the request. Keeps the answer that
//! settled a key and sends it again, byte for byte, to the replays, marked with
//! `Idempotent-Replayed: true`.

use super::HttpState;
use super::request_id;
use crate::app::{Answer, App, AppError, Authenticated, Ctx, ErrorKind, IdempotencyKey, Scope};
use axum::body::Body;
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use kassa_domain::RequestId;
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

/// The answer to send for a mutation the face answered with `response`: the first answer
/// of its idempotency key when this request replays one that was kept; else `response`,
/// kept for the replays to come when this request settled its key.
pub async fn answer_once(app: &App, ctx: &Ctx, response: Response) -> Response {
    if let Some(first) = ctx.first_answer() {
        return resend(first, response);
    }
    if !ctx.settled_its_key() || response.status().is_server_error() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(text) = std::str::from_utf8(&bytes) {
        let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let answer = Answer { status: parts.status.as_u16(), content_type, body: text.to_owned() };
        app.keep_answer(ctx, answer);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `first`'s status, type and body, with the headers this request's answer has otherwise.
fn resend(first: Answer, rendered: Response) -> Response {
    let (mut parts, _) = rendered.into_parts();
    parts.status = StatusCode::from_u16(first.status).unwrap_or(parts.status);
    parts.headers.remove(header::CONTENT_LENGTH);
    match first.content_type.as_deref().map(HeaderValue::from_str) {
        Some(Ok(value)) => parts.headers.insert(header::CONTENT_TYPE, value),
        _ => parts.headers.remove(header::CONTENT_TYPE),
    };
    Response::from_parts(parts, Body::from(first.body))
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
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        if is_length_limit(&e) { super::face::body_too_large(Some(limit)) } else { super::face::unreadable_body() }
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

/// Whether reading a body failed because it passed the limit (rather than being malformed).
fn is_length_limit(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = e.source();
    }
    false
}
