//! Every error variant, from real gateway answers (or scripted ones where the gateway cannot
//! be made to give them), with the request id and a message a human can act on.

use crate::{client, client_for};
use kassa::{CapturePaymentIntent, Client, CreatePaymentIntent, CreateRefund, Currency, Error};
use kassa_testkit::proxy::{Action, Proxy};
use kassa_testkit::{spawn_app, spawn_app_with};
use std::time::Duration;

fn assert_request_id(e: &Error) {
    assert!(e.request_id().is_some_and(|id| id.starts_with("req_")), "{e:?}");
}

#[tokio::test]
async fn validation_errors_name_every_field() {
    let app = spawn_app().await;
    let kassa = client(&app);
    let err = kassa
        .payment_intents()
        .create(&CreatePaymentIntent::new(0, Currency::new("usd")).statement_descriptor("<bad>"))
        .await
        .unwrap_err();
    let Error::Validation { info, details } = &err else { panic!("{err:?}") };
    let mut params: Vec<_> = details.iter().map(|d| d.param.as_str()).collect();
    params.sort();
    assert_eq!(params, ["amount", "currency", "statement_descriptor"]);
    assert_eq!(info.status, 422);
    assert_request_id(&err);
    let shown = err.to_string();
    assert!(shown.contains("amount") && shown.contains("currency") && shown.contains("req_"), "{shown}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn authentication_permission_not_found_and_conflict() {
    let app = spawn_app().await;
    let unknown = Client::builder("sk_test_doesnotexist").base_url(app.url("")).build().unwrap();
    let err = unknown.payment_intents().list(&Default::default()).await.unwrap_err();
    assert!(matches!(&err, Error::Authentication(info) if info.code == "invalid_api_key"), "{err:?}");
    assert!(err.to_string().contains("API key"));

    let publishable = Client::builder(&app.merchant.publishable_key).base_url(app.url("")).build().unwrap();
    let err = publishable.payment_intents().list(&Default::default()).await.unwrap_err();
    assert!(matches!(err, Error::Permission(_)), "{err:?}");

    let kassa = client(&app);
    let err = kassa.payment_intents().retrieve("pi_000000000000000000000000").await.unwrap_err();
    assert!(matches!(&err, Error::NotFound(info) if info.code == "resource_missing"), "{err:?}");
    assert_eq!(err.status(), Some(404));
    let err = kassa.payment_intents().retrieve("../refunds").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "an id cannot escape its path segment: {err:?}");

    let pi = kassa.payment_intents().create(&CreatePaymentIntent::new(100, Currency::USD)).await.unwrap();
    let err = kassa.payment_intents().capture(&pi.id, &CapturePaymentIntent::all()).await.unwrap_err();
    let Error::Conflict { current_status, .. } = &err else { panic!("{err:?}") };
    assert_eq!(current_status.as_deref(), Some("requires_payment_method"));
    assert!(err.to_string().contains("requires_payment_method"));
    assert_request_id(&err);
}

#[tokio::test]
async fn idempotency_key_reuse_with_another_request_surfaces_at_once() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    let kassa = client_for(&app, &proxy.url());
    kassa.payment_intents().create(&CreatePaymentIntent::new(100, Currency::USD)).idempotency_key("k-1").await.unwrap();
    let err = kassa
        .payment_intents()
        .create(&CreatePaymentIntent::new(200, Currency::USD))
        .idempotency_key("k-1")
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Idempotency(info) if info.status == 422), "{err:?}");
    assert_eq!(proxy.seen().len(), 2, "a 422 is not retried");
}

#[tokio::test]
async fn rate_limits_surface_with_retry_after_once_retries_run_out() {
    let app = spawn_app_with(|c| {
        c.rate_limit.per_second = 1;
        c.rate_limit.burst = 1;
    })
    .await;
    let kassa = Client::builder(&app.merchant.secret_key).base_url(app.url("")).max_retries(0).build().unwrap();
    kassa.payment_intents().list(&Default::default()).await.unwrap();
    let err = kassa.payment_intents().list(&Default::default()).await.unwrap_err();
    let Error::RateLimited { retry_after, .. } = &err else { panic!("{err:?}") };
    assert_eq!(*retry_after, Some(Duration::from_secs(1)));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn card_api_and_decode_errors_from_scripted_answers() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    let kassa = client_for(&app, &proxy.url());
    let pi = kassa.payment_intents().create(&CreatePaymentIntent::new(100, Currency::USD)).await.unwrap();

    proxy.plan([Action::Respond(
        402,
        r#"{"error":{"type":"card_error","code":"capture_declined","message":"The card network refused the capture.","param":null,"details":[],"request_id":"req_card","decline_code":"do_not_honor"}}"#.into(),
        vec![],
    )]);
    let err = kassa.payment_intents().capture(&pi.id, &CapturePaymentIntent::all()).await.unwrap_err();
    let Error::Card { decline_code, info } = &err else { panic!("{err:?}") };
    assert_eq!((decline_code.as_deref(), info.code.as_str()), (Some("do_not_honor"), "capture_declined"));
    assert_eq!(err.request_id(), Some("req_card"));
    assert!(err.to_string().contains("do_not_honor"));

    let mut truncated = serde_json::to_value(&pi).unwrap();
    truncated.as_object_mut().unwrap().remove("status");
    proxy.plan([Action::Respond(200, truncated.to_string(), vec![("request-id", "req_trunc")])]);
    let err = kassa.payment_intents().retrieve(&pi.id).await.unwrap_err();
    let Error::Decode { message, request_id, .. } = &err else { panic!("{err:?}") };
    assert!(message.contains("missing field `status`"), "{message}");
    assert_eq!(request_id.as_deref(), Some("req_trunc"));

    let mut newer = serde_json::to_value(&pi).unwrap();
    newer["status"] = "requires_review".into();
    newer["a_field_from_the_future"] = serde_json::json!({"x": 1});
    proxy.plan([Action::Respond(200, newer.to_string(), vec![])]);
    let tolerant = kassa.payment_intents().retrieve(&pi.id).await.unwrap();
    assert_eq!(tolerant.status, kassa::PaymentIntentStatus::Unknown("requires_review".into()));

    proxy.plan([Action::Respond(
        400,
        r#"{"error":{"type":"invalid_request_error","code":"invalid_json","message":"bad"}}"#.into(),
        vec![],
    )]);
    let err = kassa.refunds().create(&CreateRefund::new(&pi.id)).await.unwrap_err();
    assert!(matches!(&err, Error::Api { status: 400, code, .. } if code == "invalid_json"), "{err:?}");
    proxy.plan(std::iter::repeat_n(Action::Respond(500, "<html>oops</html>".into(), vec![]), 4));
    let err = kassa.payment_intents().retrieve(&pi.id).await.unwrap_err();
    assert!(matches!(err, Error::Decode { status: 500, .. }), "{err:?}");
}

#[test]
fn configuration_is_checked_when_building() {
    for key in ["", "sk_test_", "secret", "sk_prod_abc"] {
        let err = Client::builder(key).build().unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{key}: {err:?}");
    }
    let err = Client::builder("sk_test_abc").base_url("ftp://x").build().unwrap_err();
    assert!(err.to_string().contains("http or https"));
    let err = Client::builder("sk_test_abc").base_url("not a url").build().unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    assert!(Client::builder("sk_test_abc").base_url("https://pay.example.com").build().is_ok());
    let debug = format!("{:?}", Client::builder("sk_test_verysecret").build().unwrap());
    assert!(!debug.contains("verysecret"), "{debug}");
}
