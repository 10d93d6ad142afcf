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

use crate::http::HttpState;
use crate::http::face::Face;
use axum::Router;
use axum::routing::{get, patch, post};
use tower_http::cors::{Any, CorsLayer};

/// The seed API: `Authorization: Bearer sk_…`, a mandatory `Idempotency-Key` on POST and
/// PATCH, errors in the seed's shape with every invalid field listed.
pub struct Seed;

impl Face for Seed {
    type Error = SeedError;

    const IDEMPOTENCY_KEY_REQUIRED: bool = true;

    fn routes() -> Router<HttpState> {
        Router::new()
            .route("/payment_intents", post(payment_intents::create))
            .route("/payment_intents/{id}", get(payment_intents::retrieve))
            .route("/payment_intents/{id}/confirm", patch(payment_intents::confirm))
            .route("/payment_intents/{id}/jobs", get(jobs::list))
            .route("/payments/{id}", get(payments::result))
            .route("/refunds", post(payments::refund))
            .route("/refunds/{id}", get(payments::retrieve_refund))
    }

    /// The seed's own frontend is a browser app on another origin that calls the API with its
    /// key (the seed server allowed any origin); preflights are answered before the front door.
    fn wrap(routes: Router<HttpState>) -> Router<HttpState> {
        routes.layer(cors())
    }
}

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
