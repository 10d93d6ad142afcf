//! HTTP plumbing shared by the faces: request ids and logs, the error shape, API key
//! authentication with rate limits, idempotency keys, and strict request parsing.

pub mod auth;
pub mod context;
pub mod error;
pub mod extract;
pub mod fields;
pub mod query;
pub mod rate_limit;
pub mod request_id;

use crate::app::App;
use crate::config::Config;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;

/// What every handler can reach.
#[derive(Clone)]
pub struct HttpState {
    /// The application.
    pub app: App,
    /// Per-key rate limits.
    pub limiter: Arc<rate_limit::RateLimiter>,
    /// Largest body accepted.
    pub body_limit: usize,
}

/// The whole HTTP surface: health, the OpenAPI document and the native v1 API, wrapped in the
/// layers every request passes (outermost first): request id, logs and error shape; panic
/// guard; timeout; body limit.
pub fn router(state: HttpState, config: &Config) -> Router {
    let v1 = crate::faces::v1::routes()
        .layer(from_fn_with_state(state.clone(), context::attach))
        .layer(from_fn_with_state(state.clone(), auth::authenticate));
    Router::new()
        .merge(crate::faces::v1::public_routes())
        .merge(crate::faces::checkout_page::routes("/checkout"))
        .route("/checkout/assets/style.css", axum::routing::get(crate::faces::checkout_page::stylesheet))
        .merge(v1)
        .merge(crate::faces::seed::routes(state.clone()))
        .merge(crate::faces::probuy::routes(state.clone()))
        .fallback(error::unknown_route)
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout,
        ))
        .layer(CatchPanicLayer::new())
        .layer(from_fn(request_id::middleware))
        .with_state(state)
}
