//! Payments through a ProBuy connector, the provider being the gateway's own ProBuy face (a
//! second merchant). ProBuy's backend API opens checkouts and reports on them, nothing more: the
//! payment follows ProBuy (authorized, then completed when ProBuy captures), and Kassa refuses
//! to capture, refund or cancel it, saying so.

use kassa_testkit::customer::pay_on_page;
use kassa_testkit::{TestApp, TestMerchant, json_of, spawn_app};
use serde_json::{Value, json};

async fn with_probuy(app: &TestApp) -> TestMerchant {
    let provider = app.create_merchant("ProBuy, played by Kassa").await;
    let connector = app
        .post(
            "/v1/connectors",
            json!({"type": "probuy", "base_url": app.url("/probuy"), "credentials": {"api_token": provider.secret_key}}),
        )
        .await;
    assert_eq!(connector.status, 200, "{}", connector.text);
    provider
}

fn probuy_payment(capture_method: &str) -> Value {
    json!({"amount": 15075, "currency": "SAR", "capture_method": capture_method, "confirm": true,
        "description": "Coffee grinder", "return_url": "https://shop.example/back",
        "payment_method_data": {"type": "probuy", "billing_details": {"name": "Sara Ali",
            "email": "sara@example.sa", "phone": "+966501234567", "address": {"line1": "King Fahd Rd 1",
            "city": "Riyadh", "state": "Riyadh", "country": "SA"}}}})
}

#[tokio::test]
async fn a_probuy_payment_follows_probuy_until_probuy_completes_it() {
    let app = spawn_app().await;
    let provider = with_probuy(&app).await;
    let automatic = app.post("/v1/payment_intents", probuy_payment("automatic")).await;
    assert_eq!(
        (automatic.status, automatic.error()["code"].as_str(), automatic.error()["param"].as_str()),
        (422, Some("capture_method_not_supported_by_connector"), Some("capture_method")),
        "{}",
        automatic.text
    );
    let created = app.post("/v1/payment_intents", probuy_payment("manual")).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let pi = created.body;
    assert_eq!(pi["status"], "requires_action", "{pi}");
    let page = json_of(&pi["next_action"]["redirect_to_url"], "url");
    assert_eq!(pay_on_page(page, "4242424242424242").await, 303);
    let id = json_of(&pi, "id");
    let authorized = app.wait_for(id, |p| p["status"] != "requires_action").await;
    assert_eq!(authorized["status"], "requires_capture", "{authorized}");

    for (path, body) in [
        (format!("/v1/payment_intents/{id}/capture"), json!({})),
        (format!("/v1/payment_intents/{id}/cancel"), json!({})),
    ] {
        let refused = app.post(&path, body).await;
        assert_eq!(
            (refused.status, refused.error()["code"].as_str()),
            (422, Some("not_supported_by_connector")),
            "{}",
            refused.text
        );
        assert!(refused.error()["message"].as_str().unwrap().contains("probuy"), "{}", refused.text);
    }

    // ProBuy completes it (here: the provider captures through its own API), and Kassa follows.
    let at_provider = app.request("GET", "/v1/payment_intents", None, Some(&provider.secret_key), None).await;
    let theirs = &at_provider.body["data"][0];
    assert_eq!((theirs["amount"].as_i64(), theirs["currency"].as_str()), (Some(15075), Some("SAR")), "{theirs}");
    let path = format!("/v1/payment_intents/{}/capture", json_of(theirs, "id"));
    let captured = app.request("POST", &path, Some(json!({})), Some(&provider.secret_key), None).await;
    assert_eq!(captured.status, 200, "{}", captured.text);
    let completed = app.wait_for(id, |p| p["status"] != "requires_capture").await;
    assert_eq!(
        (completed["status"].as_str(), completed["amount_captured"].as_i64()),
        (Some("succeeded"), Some(15075)),
        "{completed}"
    );
    let refund = app.post("/v1/refunds", json!({"payment_intent": id})).await;
    assert_eq!(
        (refund.status, refund.error()["code"].as_str()),
        (422, Some("not_supported_by_connector")),
        "{}",
        refund.text
    );
    let captures = app.get(&format!("/v1/payment_intents/{id}/captures")).await;
    assert_eq!(captures.body["data"][0]["amount"], 15075, "the capture ProBuy made is on record: {}", captures.text);
}
