//! HTTP plumbing shared by the faces: the face seam ([`face`]), request ids and logs, API key
//! authentication with rate limits, idempotency keys, and strict request parsing.

pub mod auth;
pub mod context;
pub mod face;
pub mod fields;
pub mod query;
pub mod rate_limit;
pub mod request_id;
pub mod strict_json;

use crate::app::App;
use crate::config::Config;
use axum::Router;
use axum::middleware::from_fn;
use face::{Limits, mount};
use std::sync::Arc;

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

/// The whole HTTP surface, composed here and nowhere else: every face mounted the same way
/// (front door, limits, refusals in its shape), anything else answered as the native API's
/// unknown route, and the request id with its log line around it all.
pub fn router(state: HttpState, config: &Config) -> Router {
    use crate::faces::{
        api_docs::ApiDocs, checkout_page::CheckoutPage, dashboard::Dashboard, probuy::ProBuy, seed::Seed,
        smartpay::Smartpay, v1::V1, vipps::Vipps,
    };
    let limits = Limits { body: config.body_limit, timeout: config.request_timeout };
    let mut router = Router::new();
    if config.metrics {
        crate::faces::metrics::install();
        router = router.merge(mount::<crate::faces::metrics::Metrics>(&state, limits));
    }
    router
        .merge(mount::<V1>(&state, limits))
        .merge(mount::<CheckoutPage>(&state, limits))
        .merge(mount::<Seed>(&state, limits))
        .merge(mount::<ProBuy>(&state, limits))
        .merge(mount::<Vipps>(&state, limits))
        .merge(mount::<Smartpay>(&state, limits))
        .merge(mount::<ApiDocs>(&state, limits))
        .merge(mount::<Dashboard>(&state, limits))
        .fallback(face::unknown_route::<V1>)
        .layer(from_fn(request_id::middleware))
        .with_state(state)
}
