//! The gateway's routes, composed once: every face mounted the same way, above the plumbing in
//! `http` (which knows no face). Adding a face is one `mount` line here.

use crate::config::Config;
use crate::faces::{
    api_docs::ApiDocs, checkout_page::CheckoutPage, dashboard::Dashboard, metrics::Metrics, probuy::ProBuy,
    provider_notifications::ProviderNotifications, seed::Seed, smartpay::Smartpay, stripe::Stripe, v1::V1,
    vipps::Vipps,
};
use crate::http::face::{self, Limits, mount};
use crate::http::{HttpState, request_id};
use axum::Router;
use axum::middleware::from_fn;

/// The whole HTTP surface, composed here and nowhere else: every face mounted the same way
/// (front door, limits, refusals in its shape), anything else answered as the native API's
/// unknown route, and the request id with its log line around it all.
pub fn router(state: HttpState, config: &Config) -> Router {
    let limits = Limits { body: config.body_limit, timeout: config.request_timeout };
    let mut router = Router::new();
    if config.metrics {
        crate::faces::metrics::install();
        router = router.merge(mount::<Metrics>(&state, limits));
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
        .merge(mount::<ProviderNotifications>(&state, limits))
        .fallback(face::unknown_route::<V1>)
        .layer(from_fn(request_id::middleware))
        .with_state(state)
}

/// The Stripe face's listener: Stripe's routes alone, anything else answered in Stripe's shape.
pub fn stripe_router(state: HttpState, config: &Config) -> Router {
    let limits = Limits { body: config.body_limit, timeout: config.request_timeout };
    Router::new()
        .merge(mount::<Stripe>(&state, limits))
        .fallback(face::unknown_route::<Stripe>)
        .layer(from_fn(request_id::middleware))
        .with_state(state)
}
