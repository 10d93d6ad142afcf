//! The Smartpay client end to end against Kassa's Smartpay face, on SQLite or PostgreSQL:
//! every method, the customer paying and saving a card on the hosted page over HTTP, lists
//! walked as streams, idempotent retries through a misbehaving proxy, typed errors, and
//! deliveries verified by `webhooks::verify` and the axum extractor.

use futures_util::TryStreamExt;
use kassa_testkit::customer::pay_on_page;
use kassa_testkit::proxy::{Action, Proxy};
use kassa_testkit::{TestApp, spawn_app};
use smartpay::webhooks::axum::{SigningSecret, SmartpayEvent};
use smartpay::webhooks::{self, Event};
use smartpay::*;
use std::time::{Duration, Instant};

fn client(app: &TestApp, base: &str) -> Smartpay {
    let config =
        Config { api_prefix: format!("{base}/smartpay/v1"), backoff: Duration::from_millis(20), ..Config::default() };
    Smartpay::new(&app.merchant.secret_key, config).expect("a client")
}

fn gateway(app: &TestApp) -> String {
    app.url("").trim_end_matches('/').to_owned()
}

fn address() -> Address {
    Address {
        line1: "北青山 3-6-7".into(),
        locality: "港区".into(),
        postal_code: "107-0061".into(),
        country: "JP".into(),
        ..Address::default()
    }
}

/// 2 × 250 JPY and 100 shipping: 600, computed by the client.
fn session(capture: CaptureMethod) -> CheckoutSessionRequest {
    CheckoutSessionRequest {
        currency: "JPY".into(),
        items: vec![Item::new("Matcha", 250, "JPY", 2)],
        customer_info: CustomerInfo { email_address: Some("taro@example.com".into()), ..CustomerInfo::default() },
        shipping_info: ShippingInfo { address: address(), fee_amount: Some(100), fee_currency: None },
        success_url: "https://shop.example/ok".into(),
        cancel_url: "https://shop.example/cancel".into(),
        capture_method: Some(capture),
        reference: Some("order_ref_1234567".into()),
        ..CheckoutSessionRequest::default()
    }
}

async fn until_status(smartpay: &Smartpay, order: &str, wanted: OrderStatus) -> Order {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = smartpay.get_order(order, false).await.expect("the order");
        if found.status == wanted {
            return found;
        }
        assert!(Instant::now() < deadline, "stayed {:?}", found.status);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn authorized(smartpay: &Smartpay) -> Order {
    let created = smartpay.create_checkout_session(&session(CaptureMethod::Manual)).await.expect("a session");
    let order = created.order.expect("its order").id().to_owned();
    assert_eq!(pay_on_page(&created.url, "4242424242424242").await, 303);
    until_status(smartpay, &order, OrderStatus::RequiresCapture).await
}

#[tokio::test]
async fn an_order_is_paid_captured_in_parts_refunded_and_its_refusals_are_typed() {
    let app = spawn_app().await;
    let smartpay = client(&app, &gateway(&app));
    let order = authorized(&smartpay).await;
    assert_eq!((order.amount, order.reference.as_deref()), (600, Some("order_ref_1234567")));

    // The rest stays capturable (Smartpay's default, automatic, would release it).
    let capture = |amount| PaymentRequest {
        order: order.id.clone(),
        amount,
        currency: "JPY".into(),
        cancel_remainder: Some(CaptureMethod::Manual),
        ..Default::default()
    };
    let first = smartpay.create_payment(&capture(150)).await.expect("captured");
    assert_eq!((first.amount, first.status.as_str()), (150, "processed"));
    let over = smartpay.create_payment(&capture(1000)).await.unwrap_err();
    assert_eq!((over.status(), over.error_code()), (Some(400), Some("payment.excessive-amount")));
    let updated = smartpay
        .update_payment(&first.id, &NotesUpdate { reference: Some("box-1".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(updated.reference.as_deref(), Some("box-1"));

    let refund = |amount| RefundRequest {
        payment: first.id.clone(),
        amount,
        currency: "JPY".into(),
        reason: RefundReason::RequestedByCustomer,
        reference: None,
        description: Some("one cup broken".into()),
        metadata: Default::default(),
        idempotency_key: None,
    };
    let refunded = smartpay.create_refund(&refund(50)).await.expect("refunded");
    assert_eq!((refunded.amount, refunded.status.as_str()), (50, "succeeded"));
    assert_eq!(
        smartpay
            .update_refund(&refunded.id, &NotesUpdate { reference: Some("r-1".into()), ..Default::default() })
            .await
            .unwrap()
            .reference
            .as_deref(),
        Some("r-1")
    );
    assert_eq!(smartpay.get_refund(&refunded.id).await.unwrap().description.as_deref(), Some("one cup broken"));
    assert_eq!(smartpay.create_refund(&refund(101)).await.unwrap_err().error_code(), Some("amount.insufficient"));

    let expanded = smartpay.get_order(&order.id, true).await.unwrap();
    match &expanded.payments[0] {
        Expandable::Object(p) => assert_eq!(p.refunds.len(), 1),
        other => panic!("expand=all inlines payments: {other:?}"),
    }
    let canceled = smartpay.cancel_order(&order.id).await.expect("canceled");
    assert_eq!(canceled.status, OrderStatus::Succeeded, "what was captured stays; the rest is released");
    let missing = smartpay.get_order("order_test_doesNotExist", false).await.unwrap_err();
    assert_eq!((missing.status(), missing.error_code()), (Some(404), Some("order.not-found")));
    assert!(matches!(smartpay.get_order("../v1", false).await, Err(SmartpayError::Invalid(_))));
    assert!(matches!(Smartpay::new("sk_test_", Config::default()), Err(SmartpayError::Invalid(_))));
    let stranger = Smartpay::new(
        "sk_test_notAKeyOfThisGateway",
        Config { api_prefix: format!("{}/smartpay/v1", gateway(&app)), ..Config::default() },
    )
    .unwrap();
    assert_eq!(stranger.get_order(&order.id, false).await.unwrap_err().error_code(), Some("unauthorized"));
}

#[tokio::test]
async fn lists_are_streams_that_walk_every_page() {
    let app = spawn_app().await;
    let smartpay = client(&app, &gateway(&app));
    for _ in 0..3 {
        smartpay.create_checkout_session(&session(CaptureMethod::Automatic)).await.unwrap();
    }
    let options = ListOptions { max_results: Some(1), expand: false };
    let orders: Vec<Order> = smartpay.list_orders(options).try_collect().await.unwrap();
    assert_eq!(orders.len(), 3, "three pages of one");
    let sessions: Vec<CheckoutSession> = smartpay
        .list_checkout_sessions(ListOptions { max_results: Some(2), expand: true })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sessions.len(), 3);
    assert!(sessions.iter().all(|s| matches!(s.order, Some(Expandable::Object(_)))));
    let payments: Vec<Payment> = smartpay.list_payments(ListOptions::default()).try_collect().await.unwrap();
    let refunds: Vec<Refund> = smartpay.list_refunds(ListOptions::default()).try_collect().await.unwrap();
    assert_eq!((payments.len(), refunds.len()), (0, 0));
}

#[tokio::test]
async fn a_saved_card_is_charged_disabled_enabled_and_deleted() {
    let app = spawn_app().await;
    let smartpay = client(&app, &gateway(&app));
    let request = TokenSessionRequest {
        customer_info: CustomerInfo { email_address: Some("hanako@example.com".into()), ..CustomerInfo::default() },
        success_url: "https://shop.example/ok".into(),
        cancel_url: "https://shop.example/cancel".into(),
        ..TokenSessionRequest::default()
    };
    let created = smartpay.create_token_checkout_session(&request).await.expect("a token session");
    let token = created.token.expect("its token").id().to_owned();
    assert_eq!(
        smartpay.disable_token(&token).await.unwrap_err().error_code(),
        Some("token.not-found"),
        "not saved yet"
    );
    assert_eq!(pay_on_page(&created.url, "4242424242424242").await, 303);
    let deadline = Instant::now() + Duration::from_secs(20);
    while smartpay.get_token(&token).await.unwrap().status != "active" {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let order = TokenOrderRequest {
        token: token.clone(),
        amount: 1200,
        currency: "JPY".into(),
        items: vec![Item::new("Tea box", 1200, "JPY", 1)],
        customer_info: CustomerInfo::default(),
        shipping_info: ShippingInfo { address: address(), ..ShippingInfo::default() },
        reference: Some("month-1".into()),
        ..TokenOrderRequest::default()
    };
    let charged = smartpay.create_order(&order).await.expect("charged");
    assert_eq!(charged.token_id.as_deref(), Some(token.as_str()));
    until_status(&smartpay, &charged.id, OrderStatus::Succeeded).await;
    assert_eq!(smartpay.disable_token(&token).await.unwrap().status, "disabled");
    assert!(smartpay.create_order(&order).await.is_err(), "a disabled card is not charged");
    assert_eq!(smartpay.enable_token(&token).await.unwrap().status, "active");
    let tokens: Vec<Token> = smartpay.list_tokens(ListOptions::default()).try_collect().await.unwrap();
    assert!(tokens.iter().any(|t| t.id == token));
    smartpay.delete_token(&token).await.expect("deleted");
    assert_eq!(smartpay.get_token(&token).await.unwrap_err().error_code(), Some("token.not-found"));
}

#[tokio::test]
async fn coupons_and_promotion_codes() {
    let app = spawn_app().await;
    let smartpay = client(&app, &gateway(&app));
    let coupon = smartpay.create_coupon(&CouponRequest::amount_off("100 off", 100, "JPY")).await.unwrap();
    assert_eq!((coupon.discount_type.as_str(), coupon.discount_amount), ("amount", Some(100)));
    let renamed = smartpay
        .update_coupon(&coupon.id, &ActiveUpdate { name: Some("Spring".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(renamed.name, "Spring");
    assert_eq!(smartpay.get_coupon(&coupon.id).await.unwrap().name, "Spring");
    let code = PromotionCodeRequest { code: "SPRING100".into(), coupon: coupon.id.clone(), ..Default::default() };
    let promo = smartpay.create_promotion_code(&code).await.unwrap();
    // The customer's link with the code filled in, as the page shows it.
    let session = smartpay.create_checkout_session(&session(CaptureMethod::Automatic)).await.unwrap();
    let link = session_url(&session, Some("SPRING100"));
    assert!(link.contains("promotion-code=SPRING100"), "{link}");
    let page = reqwest::get(&link).await.unwrap().text().await.unwrap();
    assert!(page.contains("value=\"SPRING100\""), "the page fills in the code");
    let again = PromotionCodeRequest { code: "spring100".into(), ..code.clone() };
    let taken = smartpay.create_promotion_code(&again).await.unwrap_err();
    assert_eq!((taken.status(), taken.error_code()), (Some(409), Some("promotion-code.exists")));
    let off = smartpay
        .update_promotion_code(&promo.id, &ActiveUpdate { active: Some(false), ..Default::default() })
        .await
        .unwrap();
    assert!(!off.active);
    assert!(!smartpay.get_promotion_code(&promo.id).await.unwrap().active);
    let coupons: Vec<Coupon> = smartpay.list_coupons(ListOptions::default()).try_collect().await.unwrap();
    let codes: Vec<PromotionCode> = smartpay.list_promotion_codes(ListOptions::default()).try_collect().await.unwrap();
    assert_eq!((coupons.len(), codes.len()), (1, 1));
}

#[tokio::test]
async fn a_retried_capture_uses_one_key_and_captures_once_and_a_4xx_is_not_retried() {
    let app = spawn_app().await;
    let direct = client(&app, &gateway(&app));
    let order = authorized(&direct).await;
    let proxy = Proxy::start(app.address).await;
    let smartpay = client(&app, &proxy.url());
    // The answer is lost after the capture happened: the retry gets the first answer.
    proxy.plan([Action::ForwardThenDrop]);
    let request = PaymentRequest {
        order: order.id.clone(),
        amount: 200,
        currency: "JPY".into(),
        cancel_remainder: Some(CaptureMethod::Manual),
        ..Default::default()
    };
    let captured = smartpay.create_payment(&request).await.expect("captured on the retry");
    let keys: Vec<_> =
        proxy.seen().into_iter().filter(|s| s.method == "POST").map(|s| s.idempotency_key.unwrap()).collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "one key for the logical call");
    let after = direct.get_order(&order.id, false).await.unwrap();
    assert_eq!(after.payments.len(), 1, "captured once");
    assert_eq!(after.payments[0].id(), captured.id);

    let before = proxy.seen().len();
    let too_much = PaymentRequest { amount: 10_000, ..request };
    assert_eq!(smartpay.create_payment(&too_much).await.unwrap_err().status(), Some(400));
    assert_eq!(proxy.seen().len(), before + 1, "a 4xx is final");
}

#[tokio::test]
async fn deliveries_are_verified_by_the_helper_and_by_the_axum_extractor() {
    let app = spawn_app().await;
    let smartpay = client(&app, &gateway(&app));
    let (sender, mut received) = tokio::sync::mpsc::unbounded_channel::<Event>();
    async fn receive(
        axum::extract::Extension(sender): axum::extract::Extension<tokio::sync::mpsc::UnboundedSender<Event>>,
        SmartpayEvent(event): SmartpayEvent,
    ) -> &'static str {
        let _ = sender.send(event);
        "ok"
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let endpoint = smartpay
        .create_webhook_endpoint(&WebhookEndpointRequest {
            url: Some(hook_url),
            event_subscriptions: Some(vec!["order.authorized".into(), "payment.created".into()]),
            ..Default::default()
        })
        .await
        .unwrap();
    let router = axum::Router::new()
        .route("/hooks", axum::routing::post(receive))
        .layer(axum::extract::Extension(sender))
        .with_state(SigningSecret(endpoint.signing_secret.clone()));
    tokio::spawn(async move { axum::serve(listener, router).await });

    let order = authorized(&smartpay).await;
    smartpay
        .create_payment(&PaymentRequest {
            order: order.id.clone(),
            amount: 100,
            currency: "JPY".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut kinds = Vec::new();
    while kinds.len() < 2 {
        let event = tokio::time::timeout(Duration::from_secs(20), received.recv()).await.expect("a delivery").unwrap();
        assert!(event.id.starts_with("evt_test_"));
        kinds.push(event.event_data.kind);
    }
    // Deliveries are concurrent (Kassa promises no order between events): both came.
    kinds.sort();
    assert_eq!(kinds, ["order.authorized", "payment.created"]);

    let again = smartpay.get_webhook_endpoint(&endpoint.id).await.unwrap();
    assert_eq!(again.signing_secret, endpoint.signing_secret);
    let paused = smartpay
        .update_webhook_endpoint(&endpoint.id, &WebhookEndpointRequest { active: Some(false), ..Default::default() })
        .await
        .unwrap();
    assert!(!paused.active);
    let all: Vec<WebhookEndpoint> =
        smartpay.list_webhook_endpoints(ListOptions::default()).try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    smartpay.delete_webhook_endpoint(&endpoint.id).await.unwrap();
    assert_eq!(smartpay.get_webhook_endpoint(&endpoint.id).await.unwrap_err().status(), Some(404));

    // The helper, on a delivery made here with the same scheme.
    let body = br#"{"id":"evt_test_1","object":"event","createdAt":1,"test":true,"eventData":{"type":"order.authorized","version":"2022-02-18","data":{}}}"#;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis().to_string();
    let signature = webhooks::calculate_signature(
        &endpoint.signing_secret,
        format!("{now}.{}", std::str::from_utf8(body).unwrap()).as_bytes(),
    )
    .unwrap();
    let event =
        webhooks::verify(&endpoint.signing_secret, Some(&now), Some(&signature), body, webhooks::DEFAULT_TOLERANCE)
            .unwrap();
    assert_eq!(event.event_data.kind, "order.authorized");
    assert!(webhooks::verify("AAAB", Some(&now), Some(&signature), body, webhooks::DEFAULT_TOLERANCE).is_err());
}
