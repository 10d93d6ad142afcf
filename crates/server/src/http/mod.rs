//! HTTP plumbing shared by the faces: the face seam ([`face`]), request ids and logs, API key
//! authentication with rate limits, idempotency keys, and strict request parsing.

pub mod auth;
pub mod context;
pub mod face;
pub mod fields;
pub mod query;
pub mod rate_limit;
pub mod request_id;
pub mod request_metrics;
pub mod strict_json;

use crate::app::App;
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
