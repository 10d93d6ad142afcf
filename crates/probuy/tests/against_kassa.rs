//! The ProBuy client end to end against Kassa's ProBuy face (`/probuy`), on SQLite or
//! PostgreSQL: the customer pays on the hosted page over HTTP, amounts stay exact, every error
//! class, the timeout honoured, and retries that never create a second checkout (through a
//! misbehaving proxy).

use kassa_testkit::customer::pay_on_page;
use kassa_testkit::proxy::{Action, Proxy};
use kassa_testkit::{TestApp, spawn_app};
use probuy::*;
use std::time::{Duration, Instant};

fn client(base: &str, token: &str) -> ProBuy {
    let environment = Environment::Custom { api: format!("{base}/probuy"), portal: format!("{base}/probuy") };
    ProBuy::new(Config::new(token, environment)).expect("a client")
}

fn address() -> Address {
    Address {
        city: "Riyadh".into(),
        country_code: "SA".into(),
        first_name: "Ahmed".into(),
        last_name: "Ali".into(),
        line1: "123 King Fahd Road".into(),
        line2: Some("Apt 456".into()),
        phone_number: "+966501234567".into(),
        region: "Riyadh".into(),
    }
}

/// The document's example order, for `price` SAR plus 15.00 shipping.
fn order(reference: &str, price: &str) -> CheckoutOrder {
    let price: Decimal = price.parse().unwrap();
    let total = Decimal::from_minor(price.to_minor(2).unwrap() + 1500, 2);
    CheckoutOrder {
        order_reference_id: reference.into(),
        order_number: format!("ORD-{reference}"),
        currency: "SAR".into(),
        total_amount: total,
        shipping_amount: Some("15.00".parse().unwrap()),
        tax_amount: None,
        item: Item {
            name: "MacBook Pro 16-inch".into(),
            description: Some("Apple M2 Pro chip".into()),
            kind: ItemType::Physical,
            reference_id: "prod-123".into(),
            sku: "MBPRO-16-M2".into(),
            quantity: 1,
            discount_amount: None,
            tax_amount: None,
            unit_price: price,
            total_amount: price,
        },
        consumer: Consumer {
            email: "ahmed@example.com".into(),
            first_name: "Ahmed".into(),
            last_name: "Ali".into(),
            phone_number: "+966501234567".into(),
        },
        country_code: "SA".into(),
        description: None,
        merchant_url: MerchantUrls {
            success: "https://shop.example/success".into(),
            failure: "https://shop.example/failed".into(),
            cancel: "https://shop.example/cancelled".into(),
        },
        billing_address: address(),
        shipping_address: address(),
        platform: Some("web".into()),
        is_mobile: Some(false),
        locale: Some("en".into()),
        additional_data: None,
    }
}

fn base(app: &TestApp) -> String {
    app.url("").trim_end_matches('/').to_owned()
}

async fn until_status(probuy: &ProBuy, id: &str, wanted: Status) -> CheckoutDetails {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let details = probuy.get_checkout_details(id).await.expect("details");
        if details.status == wanted {
            return details;
        }
        assert!(Instant::now() < deadline, "stayed {:?}", details.status);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_checkout_is_paid_on_the_portal_page_and_its_details_follow() {
    let app = spawn_app().await;
    let probuy = client(&base(&app), &app.merchant.secret_key);
    let checkout = probuy.create_checkout_with_redirect_url(&order("ref-1001", "1000.50")).await.expect("created");
    assert_eq!(checkout.session.status, Status::New);
    assert_eq!(checkout.session.order_reference_id, "ref-1001");
    let id = checkout.session.checkout_id.clone();
    assert_eq!(checkout.redirect_url, format!("{}/probuy/checkout/{id}", base(&app)));

    let before = probuy.get_checkout_details(&id).await.expect("details");
    assert_eq!(before.total_amount.to_string(), "1015.50", "digit for digit, never through a float");
    assert_eq!(before.total_amount.to_minor(2), Some(101550));

    assert_eq!(pay_on_page(&checkout.redirect_url, "4242424242424242").await, 303);
    let paid = until_status(&probuy, &id, Status::Authorized).await;
    assert_eq!(paid.consumer.email.as_deref(), Some("ahmed@example.com"));
    let pi = paid.extra["payment_intent_id"].as_str().expect("Kassa names the payment to capture");
    assert!(pi.starts_with("pi_"));
}

#[tokio::test]
async fn every_error_class_is_told_apart() {
    let app = spawn_app().await;
    let gateway = base(&app);
    let probuy = client(&gateway, &app.merchant.secret_key);

    let mut no_email = order("ref-2", "10.00");
    no_email.consumer.email = "ahmed".into();
    match probuy.create_checkout_session(&no_email).await {
        Err(ProBuyError::Validation { details, .. }) => assert!(details.contains_key("consumer.email"), "{details:?}"),
        other => panic!("{other:?}"),
    }

    let mut wrong_total = order("ref-3", "10.00");
    wrong_total.total_amount = "99.99".parse().unwrap();
    match probuy.create_checkout_session(&wrong_total).await {
        Err(e @ ProBuyError::Validation { .. }) => {
            let ProBuyError::Validation { ref details, .. } = e else { unreachable!() };
            assert!(details.contains_key("total_amount"), "ProBuy's 400 names the field: {details:?}");
            assert_eq!(e.status(), Some(400));
        }
        other => panic!("a server 400 is a validation error, not {other:?}"),
    }

    match client(&gateway, "sk_test_not_a_key_of_this_gateway").get_checkout_details("cs_x").await {
        Err(ProBuyError::Authentication { status: 401, .. }) => {}
        other => panic!("{other:?}"),
    }
    match probuy.get_checkout_details("cs_doesNotExist").await {
        Err(ProBuyError::Api { status: 404, error, .. }) => assert_eq!(error.as_deref(), Some("NotFoundError")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(probuy.get_checkout_details("../../v1").await, Err(ProBuyError::Validation { .. })));
    assert!(ProBuy::new(Config::new("  ", Environment::Sandbox)).is_err(), "an empty token is refused");
}

#[tokio::test]
async fn the_timeout_is_honoured() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    proxy.plan([Action::DelayThenForward(Duration::from_secs(3))]);
    let environment = Environment::Custom { api: format!("{}/probuy", proxy.url()), portal: proxy.url() };
    let config = Config {
        timeout: Duration::from_millis(300),
        retry_count: 0,
        ..Config::new(&app.merchant.secret_key, environment)
    };
    let probuy = ProBuy::new(config).unwrap();
    let started = Instant::now();
    let answer = probuy.get_checkout_details("cs_slow").await;
    assert!(matches!(answer, Err(ProBuyError::Timeout(_))), "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "gave up after {:?}", started.elapsed());
}

#[tokio::test]
async fn reads_are_retried_and_a_create_whose_answer_was_lost_is_not() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    let environment = Environment::Custom { api: format!("{}/probuy", proxy.url()), portal: proxy.url() };
    let probuy = ProBuy::new(Config::new(&app.merchant.secret_key, environment)).unwrap();

    // A 503 means ProBuy took nothing: the create is repeated once, and one checkout exists.
    proxy.plan([Action::Respond(503, r#"{"error":"ServerError","message":"busy"}"#.into(), vec![])]);
    let created = probuy.create_checkout_session(&order("ref-retry", "20.00")).await.expect("created on the retry");
    let posts = |p: &Proxy| p.seen().iter().filter(|s| s.method == "POST").count();
    assert_eq!(posts(&proxy), 2);

    // The answer is lost after the gateway made the checkout: reported, not repeated.
    proxy.plan([Action::ForwardThenDrop]);
    let lost = probuy.create_checkout_session(&order("ref-lost", "20.00")).await;
    assert!(matches!(lost, Err(ProBuyError::Network(_))), "{lost:?}");
    assert_eq!(posts(&proxy), 3, "no second POST for a create that may have happened");

    // A read survives a dropped connection and a 502.
    proxy.plan([
        Action::Drop,
        Action::Respond(502, r#"{"error":"ServerError","message":"bad gateway"}"#.into(), vec![]),
    ]);
    let details = probuy.get_checkout_details(&created.checkout_id).await.expect("read on the third attempt");
    assert_eq!(details.order_reference_id, "ref-retry");
    let gets = proxy.seen().iter().filter(|s| s.method == "GET").count();
    assert_eq!(gets, 3);
}
