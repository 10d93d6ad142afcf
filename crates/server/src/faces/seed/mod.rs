//! The seed payment backend's API (source document 002), served at the gateway's root so the
//! seed's own frontend and test clients work with only their base URL changed.
//!
//! A translator over the app: `POST /payment_intents`, `PATCH /payment_intents/{id}/confirm`,
//! `GET /payment_intents/{id}`, `GET /payment_intents/{id}/jobs`, `GET /payments/{id}` and
//! `POST /refunds` (and `GET /refunds/{id}`, where its `Location` points) map onto the same commands as `/v1`. Where the seed is wrong Kassa is
//! right: a missing `Idempotency-Key` is 400, a reused key with another body is refused, every
//! invalid field is listed, a 425 has the standard error object, and refunds never exceed
//! what was captured. A seed "payment" is the captured side of an intent: `pay_X` is `pi_X`.

mod error;
mod jobs;
mod payment_intents;
mod payments;
mod views;

pub use error::SeedError;

use crate::http::extract::{JsonBody, PathId, Query};
use crate::http::fields::Fields;
use crate::http::query::QueryParams;
use crate::http::{HttpState, context};
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::{get, patch, post};
use tower_http::cors::{Any, CorsLayer};

/// The seed's routes, behind their authentication and idempotency layer.
pub fn routes(state: HttpState) -> Router<HttpState> {
    Router::new()
        .route("/payment_intents", post(payment_intents::create))
        .route("/payment_intents/{id}", get(payment_intents::retrieve))
        .route("/payment_intents/{id}/confirm", patch(payment_intents::confirm))
        .route("/payment_intents/{id}/jobs", get(jobs::list))
        .route("/payments/{id}", get(payments::result))
        .route("/refunds", post(payments::refund))
        .route("/refunds/{id}", get(payments::retrieve_refund))
        .layer(from_fn_with_state(state, admit))
        .layer(cors())
}

/// The seed's own frontend is a browser app on another origin that calls the API with its key
/// (the seed server allowed any origin); preflights are answered before authentication.
fn cors() -> CorsLayer {
    use axum::http::{HeaderName, Method, header};
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::PATCH])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, HeaderName::from_static("idempotency-key")])
        .expose_headers([
            header::LOCATION,
            header::RETRY_AFTER,
            HeaderName::from_static("request-id"),
            HeaderName::from_static("idempotent-replayed"),
        ])
}

/// Bearer secret key, rate limit, and a mandatory `Idempotency-Key` on POST and PATCH; then
/// the same request context as `/v1`. Refusals use the seed's error shape.
async fn admit(State(state): State<HttpState>, req: Request, next: Next) -> Response {
    context::admit_as::<SeedError>(state, req, next, true).await
}

/// A JSON object body; refusals in the seed's shape.
pub struct Body(pub Fields);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = SeedError;

    async fn from_request(req: Request, state: &S) -> Result<Self, SeedError> {
        Ok(Body(JsonBody::from_request(req, state).await?.0))
    }
}

/// The `{id}` path segment.
pub struct Id(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = SeedError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, SeedError> {
        Ok(Id(PathId::from_request_parts(parts, state).await?.0))
    }
}

/// The query string.
pub struct Params(pub QueryParams);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = SeedError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, SeedError> {
        Ok(Params(Query::from_request_parts(parts, state).await?.0))
    }
}
