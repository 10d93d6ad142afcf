//! Tests of the SDK against the real gateway started in-process on a random port (no HTTP
//! mocks), plus a misbehaving TCP proxy for the retry and error paths.

mod coverage;
mod errors;
mod examples;
mod faults;
mod flows;
mod webhooks;

#[allow(dead_code)]
#[path = "../../examples/axum_webhooks.rs"]
mod examples_webhooks;

use kassa::Client;
use kassa_testkit::TestApp;
use std::time::Duration;

/// A client for the test merchant, talking to `base_url`, retrying fast.
pub fn client_for(app: &TestApp, base_url: &str) -> Client {
    Client::builder(&app.merchant.secret_key)
        .base_url(base_url)
        .timeout(Duration::from_secs(10))
        .max_retries(3)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(50))
        .build()
        .expect("a valid configuration")
}

/// A client straight to the gateway.
pub fn client(app: &TestApp) -> Client {
    client_for(app, &app.url(""))
}
