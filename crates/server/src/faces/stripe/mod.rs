//! Stripe (the official `stripe` npm package 23.x and Stripe's other SDKs), on a listener of
//! its own (`kassa serve --stripe-addr`), because Stripe's SDKs have no base path and Kassa's
//! native API is at `/v1` too. Point stripe-node at it with `new Stripe(sk_test_…, {host,
//! port, protocol: 'http'})`; the merchant's Kassa test secret key is the Stripe key.
//!
//! Requests are form-encoded as the SDKs send them (`form.rs`), read with the gateway's field
//! readers (`params.rs`); answers take the shapes of API version `2026-11-18.endive`
//! (`render.rs`), refusals Stripe's (`error.rs`). Served so far: payment intents, charges,
//! refunds, customers, payment methods and setup intents (saved cards), checkout sessions
//! (payment mode), products and prices, coupons and promotion codes, events and webhook endpoints, whose deliveries are Stripe's signed envelope
//! (`webhooks.rs`); every other `/v1` path is Stripe's 404 "Unrecognized request URL".

mod catalog;
mod charges;
mod checkout;
mod customers;
mod error;
mod events;
mod expand;
mod form;
mod lists;
mod params;
mod payment_intents;
mod payment_methods;
mod promotions;
mod refunds;
mod render;
mod search;
mod webhooks;

pub use error::StripeError;
pub use render::API_VERSION;
pub use webhooks::StripeWebhooks;

use crate::app::{App, Ctx};
use crate::http::HttpState;
use crate::http::face::Face;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};

/// Stripe's API: Bearer (or Basic) secret key, form-encoded requests, JSON answers.
pub struct Stripe;

impl Face for Stripe {
    type Error = StripeError;

    const PREFIX: Option<&'static str> = Some("/v1");

    fn routes() -> Router<HttpState> {
        Router::new()
            .route("/v1/payment_intents", get(payment_intents::list).post(payment_intents::create))
            .route("/v1/payment_intents/search", get(payment_intents::search))
            .route("/v1/payment_intents/{id}", get(payment_intents::retrieve).post(payment_intents::update))
            .route("/v1/payment_intents/{id}/confirm", post(payment_intents::confirm))
            .route("/v1/payment_intents/{id}/capture", post(payment_intents::capture))
            .route("/v1/payment_intents/{id}/cancel", post(payment_intents::cancel))
            .route("/v1/refunds", get(refunds::list).post(refunds::create))
            .route("/v1/refunds/{id}", get(refunds::retrieve))
            .route("/v1/charges", get(charges::list))
            .route("/v1/charges/{id}", get(charges::retrieve))
            .route("/v1/checkout/sessions", get(checkout::list).post(checkout::create))
            .route("/v1/checkout/sessions/{id}", get(checkout::retrieve))
            .route("/v1/checkout/sessions/{id}/expire", post(checkout::expire))
            .route("/v1/checkout/sessions/{id}/line_items", get(checkout::line_items_of))
            .route("/v1/coupons", get(promotions::list_coupons).post(promotions::create_coupon))
            .route(
                "/v1/coupons/{id}",
                get(promotions::retrieve_coupon).post(promotions::update_coupon).delete(promotions::delete_coupon),
            )
            .route("/v1/promotion_codes", get(promotions::list_promotion_codes).post(promotions::create_promotion_code))
            .route(
                "/v1/promotion_codes/{id}",
                get(promotions::retrieve_promotion_code).post(promotions::update_promotion_code),
            )
            .route("/v1/products", get(catalog::list_products).post(catalog::create_product))
            .route("/v1/products/{id}", get(catalog::retrieve_product).post(catalog::update_product))
            .route("/v1/prices", get(catalog::list_prices).post(catalog::create_price))
            .route("/v1/prices/{id}", get(catalog::retrieve_price).post(catalog::update_price))
            .route("/v1/customers", get(customers::list).post(customers::create))
            .route("/v1/customers/search", get(customers::search))
            .route("/v1/customers/{id}/payment_methods", get(payment_methods::of_customer))
            .route("/v1/payment_methods", get(payment_methods::list).post(payment_methods::create))
            .route("/v1/payment_methods/{id}", get(payment_methods::retrieve))
            .route("/v1/payment_methods/{id}/attach", post(payment_methods::attach))
            .route("/v1/payment_methods/{id}/detach", post(payment_methods::detach))
            .route("/v1/setup_intents", get(payment_methods::list_setup).post(payment_methods::create_setup))
            .route("/v1/setup_intents/{id}", get(payment_methods::retrieve_setup))
            .route("/v1/setup_intents/{id}/cancel", post(payment_methods::cancel_setup))
            .route("/v1/customers/{id}", get(customers::retrieve).post(customers::update).delete(customers::delete))
            .route("/v1/events", get(events::list))
            .route("/v1/events/{id}", get(events::retrieve))
            .route("/v1/webhook_endpoints", get(webhooks::list).post(webhooks::create))
            .route(
                "/v1/webhook_endpoints/{id}",
                get(webhooks::retrieve).post(webhooks::update).delete(webhooks::delete),
            )
    }

    fn wrap(routes: Router<HttpState>) -> Router<HttpState> {
        routes.layer(from_fn(echo_version))
    }
}

/// An answer with the `expand[]` it asked for done.
async fn expanded(
    app: &App,
    ctx: &Ctx,
    value: serde_json::Value,
    asked: &[String],
) -> Result<Json<serde_json::Value>, StripeError> {
    Ok(Json(expand::apply(app, ctx, value, asked).await?))
}

/// Every answer names the API version its shapes are: the one asked for (echoed, as Stripe
/// does; the shapes stay this face's), or the face's own.
async fn echo_version(req: Request, next: Next) -> Response {
    let asked = req.headers().get("stripe-version").cloned();
    let mut response = next.run(req).await;
    let version = asked.unwrap_or(HeaderValue::from_static(API_VERSION));
    response.headers_mut().insert("stripe-version", version);
    response
}
