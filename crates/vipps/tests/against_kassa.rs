//! The Vipps client end to end against Kassa's Vipps face, on SQLite or PostgreSQL: ePayment
//! approved on the hosted page (and by force-approve), captured in parts, refunded, logged and
//! canceled; a Checkout session paid and its callback checked; webhooks verified from real
//! deliveries; one token for many calls; retries with one idempotency key through a
//! misbehaving proxy, and none after a 4xx; typed problems.

use kassa_testkit::customer::pay_on_page;
use kassa_testkit::proxy::{Action, Proxy};
use kassa_testkit::{Receiver, TestApp, spawn_app};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use vipps::*;

/// The test merchant as a Vipps merchant sales unit, against `base`.
fn client(app: &TestApp, base: &str) -> Vipps {
    let m = &app.merchant;
    let mut config = Config::new(&m.id, &m.secret_key, &m.publishable_key, m.serial_number.to_string(), base);
    config.system = System { name: "kassa-tests".into(), version: "1".into(), ..System::default() };
    config.backoff = Duration::from_millis(50);
    Vipps::new(config).expect("a client")
}

fn gateway(app: &TestApp) -> String {
    app.url("").trim_end_matches('/').to_owned()
}

async fn until_state(vipps: &Vipps, reference: &str, wanted: PaymentState) -> Payment {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let payment = vipps.epayment().get_payment(reference).await.expect("the payment");
        if payment.state == wanted {
            return payment;
        }
        assert!(Instant::now() < deadline, "stayed {:?}", payment.state);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_payment_approved_on_the_page_is_captured_refunded_logged_and_canceled() {
    let app = spawn_app().await;
    let vipps = client(&app, &gateway(&app));
    let epayment = vipps.epayment();
    let mut request =
        CreatePaymentRequest::web_redirect(Money::nok(1000), "order-rust-0001", "https://shop.example/return");
    request.payment_description = Some("Wool socks".into());
    request.metadata = BTreeMap::from([("order".to_owned(), "1001".to_owned())]);
    let created = epayment.create_payment(&request).await.expect("created");
    let page = created.redirect_url.expect("a page to approve on");
    assert_eq!(pay_on_page(&page, "4242424242424242").await, 303);

    let approved = until_state(&vipps, "order-rust-0001", PaymentState::Authorized).await;
    assert_eq!(approved.aggregate.authorized_amount, Money::nok(1000));
    assert_eq!(approved.metadata.get("order").map(String::as_str), Some("1001"));
    let captured = epayment.capture_payment("order-rust-0001", Money::nok(600)).await.expect("captured");
    assert_eq!((captured.state, captured.aggregate.captured_amount), (PaymentState::Authorized, Money::nok(600)));
    let refunded = epayment.refund_payment("order-rust-0001", Money::nok(100)).await.expect("refunded");
    assert_eq!(refunded.aggregate.refunded_amount, Money::nok(100));
    let canceled = epayment.cancel_payment("order-rust-0001").await.expect("canceled");
    assert_eq!((canceled.state, canceled.aggregate.cancelled_amount), (PaymentState::Terminated, Money::nok(400)));

    let log = epayment.get_payment_event_log("order-rust-0001").await.expect("the log");
    let names: Vec<&str> = log.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["CREATED", "AUTHORIZED", "CAPTURED", "REFUNDED", "CANCELLED"]);
    assert!(log.iter().all(|e| e.success));
    assert!(log[2].idempotency_key.is_some(), "a capture names its request's key");

    match epayment.capture_payment("order-rust-0001", Money::nok(1)).await {
        Err(VippsError::Problem { status: 409, problem }) => assert!(problem.detail.is_some(), "{problem:?}"),
        other => panic!("nothing is left to capture: {other:?}"),
    }
    match epayment.get_payment("order-none-0000").await {
        Err(e @ VippsError::Problem { status: 404, .. }) => assert_eq!(e.status(), Some(404)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn force_approve_plays_the_customer_in_test_mode() {
    let app = spawn_app().await;
    let vipps = client(&app, &gateway(&app));
    let request =
        CreatePaymentRequest::web_redirect(Money::nok(2500), "order-rust-0002", "https://shop.example/return");
    vipps.epayment().create_payment(&request).await.expect("created");
    let customer = Customer { phone_number: "4791234567".into() };
    vipps.epayment().force_approve_payment("order-rust-0002", Some(customer)).await.expect("approved");
    let payment = vipps.epayment().get_payment("order-rust-0002").await.expect("the payment");
    assert_eq!(payment.state, PaymentState::Authorized);
}

#[tokio::test]
async fn a_checkout_session_is_paid_and_its_callback_carries_the_merchants_token() {
    let app = spawn_app().await;
    let vipps = client(&app, &gateway(&app));
    let receiver = Receiver::start().await;
    let request = InitiateSessionRequest {
        merchant_info: MerchantInfo {
            callback_url: receiver.url(),
            return_url: "https://shop.example/return".into(),
            callback_authorization_token: "callback-secret-1".into(),
            terms_and_conditions_url: None,
        },
        transaction: Transaction {
            amount: Money::nok(4900),
            reference: "checkout-rust-01".into(),
            payment_description: "Two mugs".into(),
            extra: BTreeMap::new(),
        },
        extra: BTreeMap::from([("prefillCustomer".to_owned(), serde_json_value(r#"{"firstName":"Kari"}"#))]),
    };
    let created = vipps.checkout().create_session(&request).await.expect("a session");
    assert!(created.polling_url.ends_with("/checkout/v3/session/checkout-rust-01"));
    assert_eq!(vipps.checkout().get_session("checkout-rust-01").await.unwrap().session_state, "SessionCreated");
    assert_eq!(pay_on_page(&created.checkout_frontend_url, "4242424242424242").await, 303);

    let calls = receiver.wait_for(1, Duration::from_secs(20)).await;
    assert!(verify_callback_token(calls[0].header("authorization"), "callback-secret-1"));
    assert!(!verify_callback_token(calls[0].header("authorization"), "someone-else"));
    let told: Session = serde_json::from_slice(&calls[0].body).expect("a SessionResponse");
    assert_eq!(told.session_state, "PaymentSuccessful");
    let read = vipps.checkout().get_session("checkout-rust-01").await.unwrap();
    assert_eq!(read.payment_details.map(|d| d.state), Some(PaymentState::Authorized));
}

fn serde_json_value(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[tokio::test]
async fn webhooks_from_kassa_verify_with_the_secret_and_fail_with_another() {
    let app = spawn_app().await;
    let vipps = client(&app, &gateway(&app));
    let receiver = Receiver::start().await;
    // Registering is the Webhooks API's, not the SDK's: one plain call with a token.
    let token = vipps.access_token().await.unwrap();
    let registered: serde_json::Value = app
        .client
        .post(app.url("/webhooks/v1/webhooks"))
        .bearer_auth(token)
        .header("Ocp-Apim-Subscription-Key", &app.merchant.publishable_key)
        .header("Merchant-Serial-Number", app.merchant.serial_number.to_string())
        .json(&serde_json::json!({"url": receiver.url(), "events": ["epayments.payment.authorized.v1"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = registered["secret"].as_str().expect("a secret");
    let request =
        CreatePaymentRequest::web_redirect(Money::nok(700), "order-rust-hook1", "https://shop.example/return");
    vipps.epayment().create_payment(&request).await.unwrap();
    vipps.epayment().force_approve_payment("order-rust-hook1", None).await.unwrap();
    let got = receiver.wait_for(1, Duration::from_secs(20)).await;
    let url = receiver.url();
    let path = url.split_once("//").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..])).unwrap_or("/");
    let delivery = WebhookRequest {
        path_and_query: path,
        host: got[0].header("host").expect("a host"),
        date: got[0].header("x-ms-date"),
        content_sha256: got[0].header("x-ms-content-sha256"),
        authorization: got[0].header("authorization"),
        body: &got[0].body,
    };
    assert_eq!(verify_webhook(secret, &delivery), Ok(()));
    assert_eq!(verify_webhook("not-the-secret", &delivery), Err(SignatureError::Mismatch));
}

#[tokio::test]
async fn one_token_serves_many_calls_and_retries_reuse_one_idempotency_key() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    let vipps = client(&app, &proxy.url());
    let request = CreatePaymentRequest::web_redirect(Money::nok(900), "order-rust-0003", "https://shop.example/return");
    vipps.epayment().create_payment(&request).await.unwrap();
    vipps.epayment().force_approve_payment("order-rust-0003", None).await.unwrap();
    for _ in 0..3 {
        vipps.epayment().get_payment("order-rust-0003").await.unwrap();
    }
    let tokens = proxy.seen().iter().filter(|s| s.path() == "/accesstoken/get").count();
    assert_eq!(tokens, 1, "the token is cached until shortly before it expires");

    // The answer to a capture is lost, then a 503: the third attempt gets the first's answer,
    // and the payment is captured once.
    proxy.plan([
        Action::ForwardThenDrop,
        Action::Respond(503, r#"{"title":"Service Unavailable","status":503}"#.into(), vec![]),
    ]);
    let captured = vipps.epayment().capture_payment("order-rust-0003", Money::nok(400)).await.expect("captured");
    assert_eq!(captured.aggregate.captured_amount, Money::nok(400), "once, not twice");
    let keys: Vec<_> = proxy
        .seen()
        .into_iter()
        .filter(|s| s.path().ends_with("/capture"))
        .map(|s| s.idempotency_key.expect("a key"))
        .collect();
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| k == &keys[0]), "one key for the logical call: {keys:?}");

    // A 4xx is not retried (the Node SDK retries everything).
    let before = proxy.seen().len();
    let too_much = vipps.epayment().capture_payment("order-rust-0003", Money::nok(100_000)).await;
    assert!(matches!(too_much, Err(VippsError::Problem { status: 400 | 409, .. })), "{too_much:?}");
    assert_eq!(proxy.seen().len(), before + 1, "one attempt");
}

#[tokio::test]
async fn a_refused_key_pair_is_a_typed_problem_and_bad_configurations_are_refused() {
    let app = spawn_app().await;
    let m = &app.merchant;
    let wrong =
        Vipps::new(Config::new(&m.id, "sk_test_wrong", &m.publishable_key, m.serial_number.to_string(), gateway(&app)))
            .unwrap();
    match wrong.epayment().get_payment("order-rust-0004").await {
        Err(VippsError::Problem { status: 401, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(Vipps::new(Config::new("", "s", "k", "1", TEST_URL)), Err(VippsError::Config(_))));
    assert!(matches!(Vipps::new(Config::new("c", "s", "k", "1", "ftp://x")), Err(VippsError::Config(_))));
    let vipps = client(&app, &gateway(&app));
    assert!(matches!(vipps.epayment().get_payment("../../v1").await, Err(VippsError::Config(_))));
}
