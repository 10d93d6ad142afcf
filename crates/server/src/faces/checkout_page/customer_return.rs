//! `GET /return/{payment intent}`: where a provider sends the customer back after they approved
//! or aborted a payment through a connector. Kassa asks the provider at once (so the merchant's
//! page sees the outcome), then sends the customer on to the merchant's `return_url`.

use super::{HttpState, page, see_other};
use crate::app::ErrorKind;
use crate::http::face::Id;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// A 303 to the merchant's return URL with `payment_intent=pi_…`, or the not-found page.
pub async fn back(State(s): State<HttpState>, Id(id, _): Id<super::CheckoutPage>) -> Response {
    match s.app.customer_returned(&id).await {
        Ok(location) => see_other(&location),
        Err(e) if e.kind == ErrorKind::NotFound => page(StatusCode::NOT_FOUND, super::view::not_found()),
        Err(e) => super::failure(e),
    }
}
