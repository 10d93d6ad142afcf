//! ProBuy's backend API (`@probuy/backend-sdk`, source document 000), under `/probuy`: point
//! the SDK's `baseUrl` at `http://HOST:PORT/probuy` and its `companyPortalUrl` at the same, and
//! it works unmodified. Wire reference: `shared/reference/wire/probuy.md`.
//!
//! A ProBuy checkout is a native checkout session (manual capture: ProBuy's `authorized` is
//! funds held, `completed` is captured); the hosted page is served at
//! `/probuy/checkout/{checkout_id}`, where the SDK's redirect URL points.

mod amount;
mod checkouts;
mod error;

pub use error::ProBuyError;

use crate::http::extract::{JsonBody, PathId};
use crate::http::fields::Fields;
use crate::http::{HttpState, context};
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::{any, get, post};

/// Where the hosted page is mounted for ProBuy's redirect URLs.
pub const PAGE_PREFIX: &str = "/probuy/checkout";

/// ProBuy's API routes, behind its authentication layer, and the hosted page.
pub fn routes(state: HttpState) -> Router<HttpState> {
    let api = Router::new()
        .route("/probuy/api/checkouts/session", post(checkouts::create))
        .route("/probuy/api/checkouts/{id}", get(checkouts::details))
        .layer(from_fn_with_state(state, admit))
        .route("/probuy/{*rest}", any(unknown_route));
    api.merge(crate::faces::checkout_page::routes(PAGE_PREFIX))
}

/// `Authorization: Bearer <secret key>` and its rate limit, then the request context (an
/// `Idempotency-Key` is honoured, but ProBuy's SDK sends none).
async fn admit(State(state): State<HttpState>, req: Request, next: Next) -> Response {
    context::admit_as::<ProBuyError>(state, req, next, false).await
}

/// A JSON object body; refusals in ProBuy's shape.
pub struct Body(pub Fields);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ProBuyError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ProBuyError> {
        Ok(Body(JsonBody::from_request(req, state).await?.0))
    }
}

/// The `{id}` path segment.
pub struct Id(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ProBuyError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ProBuyError> {
        Ok(Id(PathId::from_request_parts(parts, state).await?.0))
    }
}

/// Anything else under `/probuy`, answered in ProBuy's shape so its SDK reads the message.
async fn unknown_route(uri: axum::http::Uri) -> ProBuyError {
    ProBuyError(crate::app::AppError::new(
        crate::app::ErrorKind::NotFound,
        "route_not_found",
        format!("Unrecognized request URL: {}.", uri.path()),
    ))
}
