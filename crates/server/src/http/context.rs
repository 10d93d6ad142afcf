//! Builds the application [`Ctx`] of an authenticated request: scope, request id, and for a
//! POST its `Idempotency-Key` with a fingerprint of the request. Marks replayed answers with
//! `Idempotent-Replayed: true`.

use super::HttpState;
use super::request_id;
use crate::app::{AppError, Authenticated, Ctx, ErrorKind, IdempotencyKey};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kassa_domain::RequestId;
use kassa_store::Scope;
use sha2::{Digest, Sha256};

/// Longest accepted `Idempotency-Key`.
pub const MAX_KEY_LEN: usize = 255;

/// Attaches the [`Ctx`] to the request.
pub async fn attach(State(state): State<HttpState>, req: Request, next: Next) -> Response {
    let Some(auth) = req.extensions().get::<Authenticated>().cloned() else {
        return AppError::internal("context without authentication").into_response();
    };
    let (ctx, req) = match build(&state, auth, req).await {
        Ok(built) => built,
        Err(e) => return e.into_response(),
    };
    let mut response = next.run(req).await;
    mark_replayed(&ctx, &mut response);
    response
}

/// Builds the [`Ctx`] of an authenticated request and puts it in the request's extensions.
/// A POST or PATCH may carry an `Idempotency-Key`; its body is buffered to fingerprint it.
pub async fn build(state: &HttpState, auth: Authenticated, req: Request) -> Result<(Ctx, Request), AppError> {
    let (mut parts, body) = req.into_parts();
    let (idempotency, body) =
        if is_mutation(&parts.method) { idempotency_key(&parts, body, state.body_limit).await? } else { (None, body) };
    let scope = Scope { merchant_id: auth.merchant_id, mode: auth.mode };
    let ctx = Ctx::new(scope, auth.kind, request_id::current().unwrap_or_else(RequestId::generate), idempotency);
    parts.extensions.insert(ctx.clone());
    Ok((ctx, Request::from_parts(parts, body)))
}

/// Methods that change something, and so take an `Idempotency-Key`.
pub fn is_mutation(method: &Method) -> bool {
    method == Method::POST || method == Method::PATCH
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

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Ctx, AppError> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| AppError::internal("handler without context"))
    }
}

/// A face's front door: [`super::auth::admit`], an `Idempotency-Key` on every POST and PATCH if
/// the face demands one, then [`build`]; every refusal rendered by the face's error type `E`.
pub async fn admit_as<E>(state: HttpState, req: Request, next: Next, key_required: bool) -> Response
where
    E: From<AppError> + IntoResponse,
{
    let (auth, limits) = match super::auth::admit(&state, req.headers()).await {
        Ok(admitted) => admitted,
        Err(refused) => return refused.render(|e| E::from(e).into_response()),
    };
    let mut response = if key_required && is_mutation(req.method()) && !req.headers().contains_key("idempotency-key") {
        let missing = AppError::new(
            ErrorKind::BadRequest,
            "missing_idempotency_key",
            "Idempotency-Key header is required on POST and PATCH requests.",
        );
        E::from(missing.with_param("Idempotency-Key")).into_response()
    } else {
        match build(&state, auth, req).await {
            Ok((ctx, req)) => {
                let mut response = next.run(req).await;
                mark_replayed(&ctx, &mut response);
                response
            }
            Err(e) => E::from(e).into_response(),
        }
    };
    if let Some(h) = limits {
        response.headers_mut().extend(h);
    }
    response
}
