//! The face seam: what a way into Kassa declares, and the one function that mounts it.
//!
//! A face declares four things: its error shape ([`Face::Error`], used for every refusal,
//! the framework's included), how a request presents its credential ([`Face::credential`]),
//! which methods are mutations that carry an `Idempotency-Key` ([`Face::is_mutation`]), and
//! its routes. [`mount`] wraps those routes in the same front door for every face (key check,
//! rate limit, idempotency context), the body limit, the timeout and the panic guard. What is
//! refused below the face's handlers (the router's 405, the time limit's 503, the panic guard's
//! 500) is marked where it is made ([`refused`]) and rendered in the face's error shape on the
//! way out. Handlers take the generic extractors below, whose refusals are the face's too.

use super::HttpState;
use super::auth::{self, Credential};
use super::context;
use super::fields::Fields;
use super::query::QueryParams;
use crate::app::{self, AppError, ErrorKind};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::Value;
use std::marker::PhantomData;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;

/// One way into Kassa: a wire format translated to the same app commands.
pub trait Face: Send + Sync + 'static {
    /// Every refusal of this face, rendered in its wire format.
    type Error: From<AppError> + IntoResponse + Send + 'static;

    /// The path prefix the face owns: unknown routes below it are answered in its shape.
    /// `None` for a face that owns only its own routes (the seed API at the root).
    const PREFIX: Option<&'static str> = None;

    /// Whether every mutation must carry an `Idempotency-Key` (a 400 without one).
    const IDEMPOTENCY_KEY_REQUIRED: bool = false;

    /// Whether a body must say `Content-Type: application/json` (a 415 otherwise); faces whose
    /// clients leave it out read JSON anyway and refuse only another declared type (400).
    const JSON_CONTENT_TYPE_REQUIRED: bool = false;

    /// The credential a request presents: by default a secret key as `Authorization: Bearer`
    /// or as the user name of HTTP Basic (base64).
    fn credential(headers: &HeaderMap) -> Result<Credential, AppError> {
        auth::bearer_or_basic(headers)
    }

    /// Methods that change something and so carry an `Idempotency-Key`: POST and PATCH by
    /// default.
    fn is_mutation(method: &Method) -> bool {
        method == Method::POST || method == Method::PATCH
    }

    /// Routes behind the front door: each request is authenticated, rate limited and given
    /// its [`app::Ctx`].
    fn routes() -> Router<HttpState>;

    /// Routes anyone may call, answered in the same shape (health, documents, pages).
    fn public_routes() -> Router<HttpState> {
        Router::new()
    }

    /// Layers around all of the face's routes, outside the front door (CORS, for a face whose
    /// clients are browsers on other origins).
    fn wrap(routes: Router<HttpState>) -> Router<HttpState> {
        routes
    }

    /// Adjusts every answer the front door let through (a version header, say).
    fn decorate(_response: &mut Response) {}
}

/// The limits every face is served under.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub body: usize,
    /// Longest a request may take before it answers 503.
    pub timeout: Duration,
}

/// The face's routes, ready to merge into the gateway's router: behind the front door, inside
/// the limits, with every framework refusal in the face's shape.
pub fn mount<F: Face>(state: &HttpState, limits: Limits) -> Router<HttpState> {
    // The 405 fallback is set before any layer, so it runs inside them as the routes do.
    let mut routes = F::routes()
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), front_door::<F>))
        .merge(F::public_routes().method_not_allowed_fallback(method_not_allowed));
    if let Some(prefix) = F::PREFIX {
        routes = routes.route(&format!("{prefix}/{{*rest}}"), any(unknown_route::<F>));
    }
    F::wrap(routes)
        .route_layer(from_fn(super::request_metrics::record))
        .layer(DefaultBodyLimit::max(limits.body))
        .layer(from_fn_with_state(limits.timeout, time_limit))
        .layer(CatchPanicLayer::custom(|_| refused(StatusCode::INTERNAL_SERVER_ERROR, panicked())))
        .layer(from_fn(shape_refusals::<F>))
}

/// A refusal made below the face's handlers, carried on its (empty) answer until
/// [`shape_refusals`] renders it in the face's shape.
#[derive(Debug, Clone)]
struct Refusal(AppError);

/// The answer `status` for a refusal made below the face: marked with `error`, which the face
/// renders in its own shape.
fn refused(status: StatusCode, error: AppError) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(Refusal(error));
    response
}

/// A route that exists, asked with a method it does not take (axum adds `Allow`).
async fn method_not_allowed() -> Response {
    let error = AppError::new(
        ErrorKind::MethodNotAllowed,
        "method_not_allowed",
        "This route does not accept this HTTP method.",
    );
    refused(StatusCode::METHOD_NOT_ALLOWED, error)
}

/// Answers 503 once a request has taken `limit` (a mutation still runs to its end: see
/// [`front_door`]).
async fn time_limit(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            let error = AppError::new(
                ErrorKind::Unavailable,
                "timeout",
                "The request took too long; it may be retried with the same Idempotency-Key.",
            );
            // A request cut off by the time limit may be retried: say when.
            refused(StatusCode::SERVICE_UNAVAILABLE, error.with_retry_after(1))
        }
    }
}

/// What a handler that panicked answers.
fn panicked() -> AppError {
    tracing::error!("a handler panicked");
    AppError::new(ErrorKind::Internal, "internal_error", "An internal error occurred; it has been logged.")
}

/// The front door: the face's credential, the key's rate limit, a mandatory `Idempotency-Key`
/// where the face demands one, then the request's [`app::Ctx`]; refusals in the face's shape.
async fn front_door<F: Face>(State(state): State<HttpState>, req: Request, next: Next) -> Response {
    let client = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let admitted = auth::admit(&state, F::credential(req.headers()), client).await;
    let (caller, limits) = match admitted {
        Ok(admitted) => admitted,
        Err(refused) => return refused.render(|e| F::Error::from(e).into_response()),
    };
    let mutation = F::is_mutation(req.method());
    let mut response = if F::IDEMPOTENCY_KEY_REQUIRED && mutation && !req.headers().contains_key("idempotency-key") {
        let missing = AppError::new(
            ErrorKind::BadRequest,
            "missing_idempotency_key",
            format!("Idempotency-Key header is required on {} requests.", req.method()),
        );
        F::Error::from(missing.with_param("Idempotency-Key")).into_response()
    } else {
        match context::build(&state, caller, req, mutation).await {
            Ok((ctx, req)) => {
                // A mutation runs to its end even if the timeout answers the client first:
                // its outcome is recorded under its Idempotency-Key, and the retry the 503
                // invites replays it instead of waiting out the key's lease.
                let run = next.run(req);
                let mut response = if mutation {
                    let (app, ctx) = (state.app.clone(), ctx.clone());
                    let answered = async move { context::answer_once(&app, &ctx, run.await).await };
                    match super::request_id::detach(answered).await {
                        Ok(response) => response,
                        Err(e) => {
                            F::Error::from(AppError::internal(format!("a request's task failed: {e}"))).into_response()
                        }
                    }
                } else {
                    run.await
                };
                context::mark_replayed(&ctx, &mut response);
                F::decorate(&mut response);
                response
            }
            Err(e) => F::Error::from(e).into_response(),
        }
    };
    if let Some(h) = limits {
        response.headers_mut().extend(h);
    }
    response
}

/// Any route below the face's prefix that does not exist.
pub async fn unknown_route<F: Face>(uri: axum::http::Uri) -> Response {
    let error =
        AppError::new(ErrorKind::NotFound, "route_not_found", format!("Unrecognized request URL: {}.", uri.path()));
    F::Error::from(error).into_response()
}

/// Renders a refusal made below the face's handlers ([`refused`]) in the face's shape, with the
/// status it was made with (and `Allow`, for a 405). Every other answer passes untouched.
async fn shape_refusals<F: Face>(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    match response.extensions_mut().remove::<Refusal>() {
        Some(Refusal(error)) => {
            let mut shaped = F::Error::from(error).into_response();
            *shaped.status_mut() = response.status();
            if let Some(allow) = response.headers().get(header::ALLOW) {
                shaped.headers_mut().insert(header::ALLOW, allow.clone());
            }
            shaped
        }
        None => response,
    }
}

/// The headers every face's refusal carries beside its body: `Retry-After` when a retry may
/// pass (the rate limit's headers are added by the front door).
pub fn refusal_headers(response: &mut Response, error: &AppError) {
    if let Some(seconds) = error.retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
}

/// A body longer than the limit (`limit` bytes, when known).
pub fn body_too_large(limit: Option<usize>) -> AppError {
    let message = match limit {
        Some(limit) => format!("The request body exceeds {limit} bytes."),
        None => "The request body is larger than the limit.".to_owned(),
    };
    AppError::new(ErrorKind::PayloadTooLarge, "body_too_large", message)
}

/// A body that could not be read to its end for another reason than its length: a malformed
/// chunked encoding, or a client that stopped sending.
pub fn unreadable_body() -> AppError {
    AppError::new(
        ErrorKind::BadRequest,
        "invalid_body",
        "The request body could not be read: its chunked encoding is malformed or it was cut short.",
    )
}

/// A JSON object body, as [`Fields`] (an empty body is an empty object); refusals in the face's
/// shape.
pub struct Body<F>(pub Fields, pub PhantomData<F>);

impl<F: Face, S: Send + Sync> FromRequest<S> for Body<F> {
    type Rejection = F::Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, F::Error> {
        Ok(Body(json_object(req, state, F::JSON_CONTENT_TYPE_REQUIRED).await?, PhantomData))
    }
}

async fn json_object<S: Send + Sync>(req: Request, state: &S, strict_type: bool) -> Result<Fields, AppError> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = read_body(req, state).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Fields::new(serde_json::Map::new()));
    }
    let declared = content_type.as_deref().map(|ct| ct.split(';').next().unwrap_or_default().trim());
    if declared != Some("application/json") && (strict_type || declared.is_some()) {
        let kind = if strict_type { ErrorKind::UnsupportedMediaType } else { ErrorKind::BadRequest };
        let message = match declared {
            Some(ct) => format!("Send the body as JSON with `Content-Type: application/json`, not `{ct}`."),
            None => "Send the body as JSON with `Content-Type: application/json`.".to_owned(),
        };
        return Err(AppError::new(kind, "unsupported_content_type", message));
    }
    match super::strict_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(Fields::new(map)),
        Ok(_) => Err(AppError::new(ErrorKind::BadRequest, "invalid_json", "The request body must be a JSON object.")),
        Err(e) => Err(AppError::new(
            ErrorKind::BadRequest,
            "invalid_json",
            format!("The request body is not valid JSON: {e}."),
        )),
    }
}

/// The whole body, within the body limit.
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state).await.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => body_too_large(None),
        BytesRejection::FailedToBufferBody(_) => unreadable_body(),
        other => AppError::new(ErrorKind::BadRequest, "invalid_body", other.body_text()),
    })
}

/// The raw body (a form, say), within the body limit; refusals in the face's shape.
pub struct RawBody<F>(pub Bytes, pub PhantomData<F>);

impl<F: Face, S: Send + Sync> FromRequest<S> for RawBody<F> {
    type Rejection = F::Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, F::Error> {
        Ok(RawBody(read_body(req, state).await?, PhantomData))
    }
}

/// The query string, as [`QueryParams`].
pub struct Params<F>(pub QueryParams, pub PhantomData<F>);

impl<F: Face, S: Send + Sync> FromRequestParts<S> for Params<F> {
    type Rejection = F::Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, F::Error> {
        Ok(Params(QueryParams::parse(parts.uri.query()), PhantomData))
    }
}

/// The single `{id}` segment of a path.
pub struct Id<F>(pub String, pub PhantomData<F>);

impl<F: Face, S: Send + Sync> FromRequestParts<S> for Id<F> {
    type Rejection = F::Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, F::Error> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| Id(p.0, PhantomData))
            .map_err(|_| F::Error::from(AppError::new(ErrorKind::NotFound, "resource_missing", "No such object.")))
    }
}

/// The path's `{…}` segments as `T` (a tuple of strings, say); refusals in the face's shape.
pub struct Segments<F, T>(pub T, pub PhantomData<F>);

impl<F: Face, T: serde::de::DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Segments<F, T> {
    type Rejection = F::Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, F::Error> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Segments(p.0, PhantomData))
            .map_err(|_| F::Error::from(AppError::new(ErrorKind::NotFound, "resource_missing", "No such object.")))
    }
}

/// Who is asking, as the front door admitted them: the request's [`app::Ctx`].
pub struct Caller<F>(pub app::Ctx, pub PhantomData<F>);

impl<F: Face, S: Send + Sync> FromRequestParts<S> for Caller<F> {
    type Rejection = F::Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, F::Error> {
        match parts.extensions.get::<app::Ctx>() {
            Some(ctx) => Ok(Caller(ctx.clone(), PhantomData)),
            None => Err(F::Error::from(AppError::internal("a handler behind no front door asked for its caller"))),
        }
    }
}

/// Sets a header on an answer, for [`Face::decorate`].
pub fn set_header(response: &mut Response, name: &'static str, value: &'static str) {
    response.headers_mut().insert(name, HeaderValue::from_static(value));
}
