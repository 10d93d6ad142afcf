//! Payments and checkouts addressed by the merchant's own reference: unique per merchant and
//! mode, found by it, and a second create with it refused unless it replays an idempotency key.

use futures_util::future::join_all;
use kassa_domain::{KeyKind, Mode};
use kassa_testkit::{TestApp, json_of, spawn_app};
use serde_json::{Value, json};

fn intent(reference: &str) -> Value {
    json!({"amount": 1500, "currency": "NOK", "reference": reference})
}

async fn create(app: &TestApp, key: &str, body: Value, idempotency_key: Option<&str>) -> kassa_testkit::TestResponse {
    app.request("POST", "/v1/payment_intents", Some(body), Some(key), idempotency_key).await
}

#[tokio::test]
async fn a_payment_is_found_by_its_reference_and_the_reference_is_taken_once() {
    let app = spawn_app().await;
    let key = app.merchant.secret_key.clone();
    let first = create(&app, &key, intent("order-1001"), Some("k-1")).await;
    assert_eq!((first.status, first.body["reference"].as_str()), (200, Some("order-1001")), "{}", first.text);
    let id = json_of(&first.body, "id").to_owned();

    let found = app.get("/v1/payment_intents/by_reference/order-1001").await;
    assert_eq!((found.status, found.body["id"].as_str()), (200, Some(id.as_str())), "{}", found.text);
    let listed = app.get("/v1/payment_intents?reference=order-1001").await;
    let ids: Vec<&str> = listed.body["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str()]);
    assert_eq!(app.get("/v1/payment_intents/by_reference/order-9").await.status, 404);

    // The same request under its idempotency key is the first answer, not a conflict.
    let replay = create(&app, &key, intent("order-1001"), Some("k-1")).await;
    assert_eq!((replay.status, &replay.body), (200, &first.body));
    // Any other create with it is refused, naming the payment that has it.
    for other_key in [None, Some("k-2")] {
        let taken = create(&app, &key, intent("order-1001"), other_key).await;
        assert_eq!((taken.status, taken.error()["code"].as_str()), (409, Some("reference_in_use")), "{}", taken.text);
        assert_eq!(taken.error()["param"], "reference");
        assert!(taken.error()["message"].as_str().unwrap().contains(&id), "{}", taken.text);
    }

    // Unique per merchant and mode: live mode and another merchant may use it.
    let (_, live) = app.create_key(KeyKind::Secret, Mode::Live).await;
    assert_eq!(create(&app, &live, intent("order-1001"), None).await.status, 200);
    let other = app.create_merchant("Another shop").await;
    assert_eq!(create(&app, &other.secret_key, intent("order-1001"), None).await.status, 200);
    let foreign =
        app.request("GET", "/v1/payment_intents/by_reference/order-1001", None, Some(&other.secret_key), None).await;
    assert_ne!(foreign.body["id"].as_str(), Some(id.as_str()));

    for bad in ["has space", "slash/es", "", &"x".repeat(65)] {
        let refused = create(&app, &key, intent(bad), None).await;
        assert_eq!(refused.status, 422, "{bad:?}: {}", refused.text);
        assert_eq!(refused.error_params(), ["reference"], "{bad:?}");
    }
}

#[tokio::test]
async fn concurrent_creates_with_one_reference_make_exactly_one_payment() {
    let app = spawn_app().await;
    let key = app.merchant.secret_key.clone();
    let attempts = (0..12).map(|i| {
        let (app, key) = (&app, key.clone());
        async move {
            let idempotency_key = format!("race-{i}");
            create(app, &key, intent("race-1"), (i % 2 == 0).then_some(idempotency_key.as_str())).await
        }
    });
    let answers = join_all(attempts).await;
    let won: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
    let refused = answers.iter().filter(|a| a.status == 409 && a.error()["code"] == "reference_in_use").count();
    assert_eq!((won.len(), refused), (1, 11), "{:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    let listed = app.get("/v1/payment_intents?reference=race-1").await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["data"][0]["id"], won[0].body["id"]);
}

#[tokio::test]
async fn a_checkout_session_and_its_payment_carry_the_reference() {
    let app = spawn_app().await;
    let session = |reference: &str| {
        json!({"currency": "NOK", "success_url": "https://shop.example/ok", "reference": reference,
               "line_items": [{"name": "Te", "quantity": 2, "unit_amount": 1250}]})
    };
    let created = app.post("/v1/checkout_sessions", session("cart-7")).await;
    assert_eq!((created.status, created.body["reference"].as_str()), (200, Some("cart-7")), "{}", created.text);
    let pi = app.get("/v1/payment_intents/by_reference/cart-7").await;
    assert_eq!(pi.body["id"], created.body["payment_intent"], "{}", pi.text);

    let again = app.post("/v1/checkout_sessions", session("cart-7")).await;
    assert_eq!((again.status, again.error()["code"].as_str()), (409, Some("reference_in_use")), "{}", again.text);
    // A payment's reference is taken for sessions too: their payments would share it.
    let standalone = app.post("/v1/payment_intents", intent("order-55")).await;
    let clash = app.post("/v1/checkout_sessions", session("order-55")).await;
    assert_eq!(clash.status, 409, "{}", clash.text);
    assert!(clash.error()["message"].as_str().unwrap().contains(json_of(&standalone.body, "id")), "{}", clash.text);
}

#[tokio::test]
async fn probuys_order_reference_addresses_its_checkout() {
    let app = spawn_app().await;
    let order = |reference: &str| {
        let address = json!({"city": "Riyadh", "country_code": "SA", "first_name": "A", "last_name": "B",
            "line1": "1 King Fahd Road", "phone_number": "+966501234567", "region": "Riyadh"});
        json!({
            "order_reference_id": reference, "order_number": "ORD-1", "currency": "SAR", "total_amount": 100,
            "shipping_amount": 0, "billing_address": address, "shipping_address": address, "country_code": "SA",
            "item": {"name": "Tea", "quantity": 1, "unit_price": 100, "total_amount": 100, "reference_id": "t",
                "type": "Physical", "discount_amount": 0, "tax_amount": 0},
            "consumer": {"email": "a@example.com", "first_name": "A", "last_name": "B", "phone_number": "+966501234567"},
            "merchant_url": {"success": "https://shop.example/ok", "failure": "https://shop.example/failed",
                "cancel": "https://shop.example/cancel"}
        })
    };
    let created = app.post("/probuy/api/checkouts/session", order("po-123")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let pi = app.get("/v1/payment_intents/by_reference/po-123").await;
    assert_eq!(pi.status, 200, "{}", pi.text);
    let again = app.post("/probuy/api/checkouts/session", order("po-123")).await;
    assert_eq!((again.status, again.body["error"].as_str()), (409, Some("ConflictError")), "{}", again.text);
    // ProBuy allows any text as an order reference; one that is no Kassa reference is only echoed.
    for _ in 0..2 {
        let free_text = app.post("/probuy/api/checkouts/session", order("Order #12")).await;
        assert_eq!((free_text.status, free_text.body["order_reference_id"].as_str()), (201, Some("Order #12")));
    }
}
