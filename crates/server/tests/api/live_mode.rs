//! Live mode moves real money or none: the card simulator serves test mode only, and with no
//! card processor connector a live card payment is refused on every face, before anything is
//! stored, with one code.

use kassa_domain::{KeyKind, Mode};
use kassa_testkit::{TestResponse, json_of, spawn_app};
use serde_json::json;

const WHY: &str = "card processor connector";

/// A refusal in a face's own shape that carries Kassa's reason.
fn says_no_card_processor(face: &str, res: &TestResponse) {
    assert!((400..500).contains(&res.status) && res.text.contains(WHY), "{face}: {} {}", res.status, res.text);
}

#[tokio::test]
async fn live_mode_takes_no_card_payment_on_any_face_and_stores_nothing() {
    let mut app = spawn_app().await;
    let (_, secret) = app.create_key(KeyKind::Secret, Mode::Live).await;
    let (_, publishable) = app.create_key(KeyKind::Publishable, Mode::Live).await;
    app.merchant.secret_key = secret;
    app.merchant.publishable_key = publishable;
    let card = json!({"type": "card", "card": {"number": "4111111111111111", "exp_month": 12, "exp_year": 2040, "cvc": "123"}});

    // The native API: a card payment created and confirmed at once, a card given at
    // confirmation, a checkout session (its page takes cards).
    let paid = app
        .post(
            "/v1/payment_intents",
            json!({"amount": 700, "currency": "EUR", "payment_method_data": card, "confirm": true}),
        )
        .await;
    assert_eq!(
        (paid.status, paid.error()["code"].as_str(), paid.error()["param"].as_str()),
        (422, Some("no_card_processor"), Some("payment_method_data[card][number]")),
        "{}",
        paid.text
    );
    says_no_card_processor("v1", &paid);
    let open = app.post("/v1/payment_intents", json!({"amount": 700, "currency": "EUR"})).await;
    assert_eq!(open.status, 200, "a live payment may wait for a way to pay: {}", open.text);
    let id = json_of(&open.body, "id");
    let confirmed = app.post(&format!("/v1/payment_intents/{id}/confirm"), json!({"payment_method_data": card})).await;
    assert_eq!((confirmed.status, confirmed.error()["code"].as_str()), (422, Some("no_card_processor")));
    let session = json!({"currency": "EUR", "line_items": [{"name": "Tea", "quantity": 1, "unit_amount": 900}],
        "success_url": "https://shop.example/ok"});
    let refused = app.post("/v1/checkout_sessions", session).await;
    assert_eq!(
        (refused.status, refused.error()["code"].as_str()),
        (422, Some("no_card_processor")),
        "{}",
        refused.text
    );
    let setup =
        app.post("/v1/checkout_sessions", json!({"mode": "setup", "success_url": "https://shop.example/ok"})).await;
    assert_eq!(setup.error()["code"], "no_card_processor", "{}", setup.text);

    // Every face that opens a payment page.
    let smartpay = crate::smartpay::call_once(
        &app,
        "POST",
        "/checkout-sessions",
        Some(crate::smartpay::flat_session("manual")),
        None,
        "live-smartpay-1",
    )
    .await;
    says_no_card_processor("smartpay", &smartpay);
    let unit = crate::vipps::Unit::sign_in(&app).await;
    says_no_card_processor("vipps", &unit.create("order-live-0001", 900, "live-vipps-1").await);
    says_no_card_processor("probuy", &app.post("/probuy/api/checkouts/session", crate::probuy::order()).await);
    // The seed API names test cards only, which live keys never take.
    let seed = json!({"amount": 100, "currency": "USD", "customer_id": "cus_1", "payment_method_id": "pm_fake_visa"});
    let seeded = app.request("POST", "/payment_intents", Some(seed), Some(&app.merchant.secret_key), Some("l-1")).await;
    assert_eq!((seeded.status, seeded.error()["param"].as_str()), (422, Some("payment_method_id")), "{}", seeded.text);

    // Nothing was stored but the payment waiting for a way to pay, unchanged.
    let payments = app.get("/v1/payment_intents?limit=100").await.body;
    let ids: Vec<&str> = payments["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id]);
    assert_eq!(payments["data"][0]["status"], "requires_payment_method");
    assert_eq!(app.get("/v1/checkout_sessions?limit=100").await.body["data"], json!([]));
    assert_eq!(app.get("/v1/events?limit=100").await.body["data"].as_array().unwrap().len(), 1, "its creation only");
}
