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
mod status;

pub use error::ProBuyError;

use crate::http::HttpState;
use crate::http::face::Face;
use axum::Router;
use axum::routing::{get, post};

/// Where the hosted page is mounted for ProBuy's redirect URLs.
pub const PAGE_PREFIX: &str = "/probuy/checkout";

/// ProBuy's API under `/probuy`: `Authorization: Bearer <secret key>`; an `Idempotency-Key` is
/// honoured but ProBuy's SDK sends none; errors in ProBuy's shape, unknown routes included (its
/// SDK shows the body's `message`).
pub struct ProBuy;

impl Face for ProBuy {
    type Error = ProBuyError;

    const PREFIX: Option<&'static str> = Some("/probuy");

    fn routes() -> Router<HttpState> {
        Router::new()
            .route("/probuy/api/checkouts/session", post(checkouts::create))
            .route("/probuy/api/checkouts/{id}", get(checkouts::details))
    }

    fn public_routes() -> Router<HttpState> {
        crate::faces::checkout_page::routes(PAGE_PREFIX)
    }
}
