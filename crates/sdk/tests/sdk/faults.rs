//! Retries under a misbehaving network: they reuse the idempotency key, so each logical call
//! creates exactly one object; errors that retrying cannot fix surface at once.

use crate::client_for;
use kassa::{Client, CreatePaymentIntent, Currency, Error};
use kassa_testkit::proxy::{Action, Proxy};
use kassa_testkit::{TestApp, spawn_app};
use std::time::{Duration, Instant};

const UNAVAILABLE: &str = r#"{"error":{"type":"api_error","code":"unavailable","message":"try again"}}"#;
const THROTTLED: &str = r#"{"error":{"type":"rate_limit_error","code":"rate_limited","message":"slow down"}}"#;

async fn payment_intents_on_server(app: &TestApp) -> usize {
    app.get("/v1/payment_intents?limit=100").await.body["data"].as_array().unwrap().len()
}

fn assert_one_key_for_all(proxy: &Proxy, expected_requests: usize) {
    let seen = proxy.seen();
    assert_eq!(seen.len(), expected_requests, "{seen:?}");
    let key = seen[0].idempotency_key.clone().expect("a POST carries an Idempotency-Key");
    assert!(seen.iter().all(|s| s.idempotency_key.as_deref() == Some(key.as_str())), "{seen:?}");
}

fn create() -> CreatePaymentIntent {
    CreatePaymentIntent::new(1234, Currency::USD).payment_method("pm_card_visa").confirm(true)
}

#[tokio::test]
async fn answers_503_twice_then_succeeds_with_one_object() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    proxy.plan([Action::Respond(503, UNAVAILABLE.into(), vec![]), Action::Respond(503, UNAVAILABLE.into(), vec![])]);
    let kassa = client_for(&app, &proxy.url());
    let pi = kassa.payment_intents().create(&create()).await.unwrap();
    assert_eq!(pi.amount, 1234);
    assert_one_key_for_all(&proxy, 3);
    assert!(uuid_like(proxy.seen()[0].idempotency_key.as_deref().unwrap()));
    assert_eq!(payment_intents_on_server(&app).await, 1);
}

#[tokio::test]
async fn a_response_lost_after_the_gateway_acted_is_replayed_not_repeated() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    proxy.plan([Action::ForwardThenDrop, Action::ForwardThenDrop]);
    let kassa = client_for(&app, &proxy.url());
    let pi = kassa.payment_intents().create(&create()).idempotency_key("order-77").await.unwrap();
    assert_one_key_for_all(&proxy, 3);
    assert_eq!(proxy.seen()[0].idempotency_key.as_deref(), Some("order-77"));
    assert_eq!(payment_intents_on_server(&app).await, 1, "three deliveries, one payment");
    let settled = kassa.payment_intents().wait_until_settled(&pi.id, Duration::from_secs(20)).await.unwrap();
    let ops = kassa.test_helpers().simulator_operations(&settled.id).await.unwrap();
    assert_eq!(ops.data.len(), 1, "one authorization");
}

#[tokio::test]
async fn a_timed_out_attempt_is_retried_with_the_same_key() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    // The first delivery reaches the gateway after the client gave up on it.
    proxy.plan([Action::DelayThenForward(Duration::from_millis(700))]);
    let kassa = Client::builder(&app.merchant.secret_key)
        .base_url(proxy.url())
        .timeout(Duration::from_millis(300))
        .max_retries(2)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    let pi = kassa.payment_intents().create(&create()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_one_key_for_all(&proxy, 2);
    assert_eq!(payment_intents_on_server(&app).await, 1);
    assert_eq!(app.get(&format!("/v1/payment_intents/{}", pi.id)).await.status, 200);
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    proxy.plan([Action::Respond(429, THROTTLED.into(), vec![("retry-after", "1")])]);
    let kassa = client_for(&app, &proxy.url());
    let started = Instant::now();
    kassa.payment_intents().list(&Default::default()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
    assert_eq!(proxy.seen().len(), 2);
    assert!(proxy.seen().iter().all(|s| s.idempotency_key.is_none()), "GETs carry no idempotency key");
}

#[tokio::test]
async fn a_409_in_flight_is_retried_until_the_first_request_has_finished() {
    let app = kassa_testkit::spawn_app_with(|c| c.simulator.latency = Duration::from_millis(800)).await;
    let kassa = client_for(&app, &app.url(""));
    let pi = kassa
        .payment_intents()
        .create(
            &CreatePaymentIntent::new(500, Currency::USD)
                .capture_method(kassa::CaptureMethod::Manual)
                .payment_method("pm_card_visa")
                .confirm(true),
        )
        .await
        .unwrap();
    kassa.payment_intents().wait_until_settled(&pi.id, Duration::from_secs(20)).await.unwrap();
    // Two clients send the same capture with the same key at once: one runs it, the other is
    // told 409 (in flight), retries, and gets the replay.
    let patient = Client::builder(&app.merchant.secret_key)
        .base_url(app.url(""))
        .max_retries(10)
        .retry_backoff(Duration::from_millis(200), Duration::from_millis(400))
        .build()
        .unwrap();
    let capture = kassa::CapturePaymentIntent::all();
    let first = kassa.payment_intents().capture(&pi.id, &capture).idempotency_key("cap");
    let second = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        patient.payment_intents().capture(&pi.id, &capture).idempotency_key("cap").await
    };
    let (first, second) = tokio::join!(first.into_future(), second);
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.amount_captured, 500);
    assert_eq!(second, first);
}

#[tokio::test]
async fn retries_stop_at_max_retries() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    proxy.plan(std::iter::repeat_n(Action::Respond(503, UNAVAILABLE.into(), vec![]), 10));
    let kassa = Client::builder(&app.merchant.secret_key)
        .base_url(proxy.url())
        .max_retries(2)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let err = kassa.payment_intents().create(&create()).await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 503, .. }), "{err:?}");
    assert_one_key_for_all(&proxy, 3);
    assert_eq!(payment_intents_on_server(&app).await, 0);
}

#[tokio::test]
async fn errors_retrying_cannot_fix_surface_after_one_attempt() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    let kassa = client_for(&app, &proxy.url());
    let err = kassa.payment_intents().create(&CreatePaymentIntent::new(-5, Currency::USD)).await.unwrap_err();
    assert!(matches!(err, Error::Validation { .. }));
    let err = kassa.payment_intents().retrieve("pi_000000000000000000000000").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)));
    let bad_key = Client::builder("sk_test_nobody").base_url(proxy.url()).max_retries(5).build().unwrap();
    let err = bad_key.payment_intents().list(&Default::default()).await.unwrap_err();
    assert!(matches!(err, Error::Authentication(_)));
    assert_eq!(proxy.seen().len(), 3, "one request each, no retries: {:?}", proxy.seen());
}

#[tokio::test]
async fn dropped_connections_and_dead_gateways_are_network_errors_after_retries() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    proxy.plan([Action::Drop, Action::Drop, Action::Drop]);
    let kassa = Client::builder(&app.merchant.secret_key)
        .base_url(proxy.url())
        .max_retries(2)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let err = kassa.payment_intents().create(&create()).await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert!(err.is_retryable() && err.request_id().is_none());
    assert_one_key_for_all(&proxy, 3);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let kassa = Client::builder(&app.merchant.secret_key)
        .base_url(dead)
        .max_retries(1)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .build()
        .unwrap();
    let err = kassa.payment_intents().list(&Default::default()).await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn a_gateway_that_never_answers_in_time_is_a_timeout() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    proxy.plan(std::iter::repeat_n(Action::DelayThenForward(Duration::from_secs(2)), 3));
    let kassa = Client::builder(&app.merchant.secret_key)
        .base_url(proxy.url())
        .timeout(Duration::from_millis(150))
        .max_retries(2)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let err = kassa.payment_intents().list(&Default::default()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { after } if after == Duration::from_millis(150)), "{err:?}");
    assert_eq!(proxy.seen().len(), 3);
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}
