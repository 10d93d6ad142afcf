//! Payments through a Smartpay connector, the provider being the gateway's own Smartpay face
//! (a second merchant), reached over HTTP by the Smartpay client. Smartpay refunds captures
//! (its payments), not orders: a refund larger than one capture is spread over them.

use kassa_testkit::customer::{abort_on_page, pay_on_page};
use kassa_testkit::{TestApp, TestMerchant, json_of, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::time::Duration;

const RETURN_URL: &str = "https://shop.example/back";

async fn with_smartpay(app: &TestApp) -> TestMerchant {
    let provider = app.create_merchant("Smartpay, played by Kassa").await;
    let connector = app
        .post(
            "/v1/connectors",
            json!({"type": "smartpay", "base_url": app.url("/smartpay/v1"),
                "credentials": {"secret_key": provider.secret_key}}),
        )
        .await;
    assert_eq!(connector.status, 200, "{}", connector.text);
    provider
}

fn smartpay_payment() -> Value {
    json!({"amount": 10000, "currency": "JPY", "capture_method": "manual", "confirm": true,
        "description": "Tea set", "return_url": RETURN_URL,
        "payment_method_data": {"type": "smartpay", "billing_details": {"name": "Aiko Tanaka",
            "email": "aiko@example.jp", "address": {"line1": "1-2-3 Shibuya", "city": "Tokyo",
            "postal_code": "150-0002", "country": "JP"}}}})
}

/// The provider's books for the payment (its order, as its v1 API names it).
async fn books(app: &TestApp, provider: &TestMerchant, pi: &Value) -> Value {
    let order = json_of(&pi["connector"], "reference");
    let id = order.replace("order_test_", "pi_");
    let res = app.request("GET", &format!("/v1/payment_intents/{id}"), None, Some(&provider.secret_key), None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

async fn books_when(app: &TestApp, provider: &TestMerchant, pi: &Value, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let now = books(app, provider, pi).await;
        if done(&now) {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the provider's books never settled: {}", books(app, provider, pi).await);
}

#[tokio::test]
async fn approved_at_smartpay_captured_twice_and_refunded_across_both_captures() {
    let app = spawn_app().await;
    let provider = with_smartpay(&app).await;
    let created = app.post("/v1/payment_intents", smartpay_payment()).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let pi = created.body;
    assert_eq!(pi["status"], "requires_action", "{pi}");
    assert!(json_of(&pi["connector"], "reference").starts_with("order_test_"), "{pi}");
    let page = json_of(&pi["next_action"]["redirect_to_url"], "url");
    assert_eq!(pay_on_page(page, "4242424242424242").await, 303);
    let id = json_of(&pi, "id");
    let authorized = app.wait_for(id, |p| p["status"] != "requires_action").await;
    assert_eq!(authorized["status"], "requires_capture", "{authorized}");

    let first = app
        .post(&format!("/v1/payment_intents/{id}/capture"), json!({"amount_to_capture": 6000, "final_capture": false}))
        .await;
    assert_eq!(first.body["amount_captured"], 6000, "{}", first.text);
    let last = app.post(&format!("/v1/payment_intents/{id}/capture"), json!({"amount_to_capture": 2000})).await;
    assert_eq!(
        (last.body["status"].as_str(), last.body["amount_canceled"].as_i64()),
        (Some("succeeded"), Some(2000)),
        "{}",
        last.text
    );
    let refund = app.post("/v1/refunds", json!({"payment_intent": id, "amount": 7000})).await;
    assert_eq!(refund.status, 200, "{}", refund.text);
    let refund_id = json_of(&refund.body, "id").to_owned();
    let mut settled = refund.body;
    for _ in 0..200 {
        if settled["status"] != "pending" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        settled = app.get(&format!("/v1/refunds/{refund_id}")).await.body;
    }
    assert_eq!(settled["status"], "succeeded", "{settled}");

    let at_smartpay = books_when(&app, &provider, &pi, |b| b["amount_refunded"] == 7000).await;
    assert_eq!(
        (at_smartpay["amount_captured"].as_i64(), at_smartpay["amount_canceled"].as_i64()),
        (Some(8000), Some(2000)),
        "{at_smartpay}"
    );
    let refunds = app.request("GET", "/v1/refunds", None, Some(&provider.secret_key), None).await;
    let mut amounts: Vec<i64> =
        refunds.body["data"].as_array().unwrap().iter().map(|r| r["amount"].as_i64().unwrap()).collect();
    amounts.sort();
    assert_eq!(amounts, [1000, 6000], "one refund per capture: {}", refunds.text);
}

#[tokio::test]
async fn a_customer_who_leaves_smartpay_fails_the_payment_and_smartpay_needs_an_address() {
    let app = spawn_app().await;
    with_smartpay(&app).await;
    let mut no_address = smartpay_payment();
    no_address["payment_method_data"]["billing_details"] = json!({"name": "Aiko Tanaka"});
    let refused = app.post("/v1/payment_intents", no_address).await;
    let mut params = refused.error_params();
    params.sort();
    assert_eq!(
        params,
        [
            "payment_method_data[billing_details][address][city]",
            "payment_method_data[billing_details][address][country]",
            "payment_method_data[billing_details][address][line1]",
            "payment_method_data[billing_details][address][postal_code]",
        ],
        "{}",
        refused.text
    );
    let pi = app.post("/v1/payment_intents", smartpay_payment()).await.body;
    let page = json_of(&pi["next_action"]["redirect_to_url"], "url");
    assert_eq!(abort_on_page(page).await, 303);
    let id = json_of(&pi, "id");
    let failed = app.wait_for(id, |p| p["status"] != "requires_action").await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["last_payment_error"]["code"], "payment_canceled", "{failed}");
}

/// A call to the provider's Smartpay API, as Smartpay's SDK makes it (the raw key as Basic).
async fn at_smartpay(app: &TestApp, provider: &TestMerchant, method: &str, path: &str) -> Value {
    let res = reqwest::Client::new()
        .request(method.parse().unwrap(), app.url(&format!("/smartpay/v1{path}")))
        .header("authorization", format!("Basic {}", provider.secret_key))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap()
}

/// A notification from Smartpay about `order`, signed with `secret` as Smartpay signs.
async fn notify(url: &str, secret: &str, kind: &str, order: &str) -> u16 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    let body = json!({"id": format!("evt_test_{now}"), "object": "event", "createdAt": now, "test": true,
        "eventData": {"type": kind, "version": "2022-02-18", "data": {"id": order, "object": "order"}}})
    .to_string();
    let signature = smartpay::webhooks::calculate_signature(secret, format!("{now}.{body}").as_bytes()).unwrap();
    let res = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("smartpay-signature", signature)
        .header("smartpay-signature-timestamp", now.to_string())
        .body(body)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

#[tokio::test]
async fn smartpay_notifies_kassa_and_a_forged_repeated_or_late_notification_changes_nothing_more() {
    // Kassa would first ask Smartpay only after a minute: what settles the payment sooner is
    // Smartpay's signed event.
    let app = spawn_app_with(|c| c.jobs.first_provider_poll = Duration::from_secs(60)).await;
    let provider = with_smartpay(&app).await;
    let endpoints = at_smartpay(&app, &provider, "GET", "/webhook-endpoints").await;
    let endpoint = &endpoints["data"][0];
    let pi = app.post("/v1/payment_intents", smartpay_payment()).await.body;
    let (id, order) = (json_of(&pi, "id"), json_of(&pi["connector"], "reference"));
    let url = json_of(endpoint, "url");
    let connector = json_of(&pi["connector"], "id");
    assert_eq!(url, app.url(&format!("/connectors/{connector}/notifications")), "registered at Smartpay");
    assert_eq!(endpoint["eventSubscriptions"], json!(["order.authorized", "order.rejected", "order.canceled"]));

    let forged = notify(url, "Z3JvdW5kIGNvZmZlZQ", "order.authorized", order).await;
    assert_eq!(forged, 401, "signed with another secret");
    assert_eq!(app.get(&format!("/v1/payment_intents/{id}")).await.body["status"], "requires_action");

    assert_eq!(pay_on_page(json_of(&pi["next_action"]["redirect_to_url"], "url"), "4242424242424242").await, 303);
    let settled = app.wait_for(id, |p| p["status"] != "requires_action").await;
    assert_eq!(settled["status"], "requires_capture", "{settled}");

    // Smartpay delivers again (it retries what it thinks was lost), and late, after a capture.
    let secret = json_of(endpoint, "signingSecret");
    assert_eq!(notify(url, secret, "order.authorized", order).await, 200);
    assert_eq!(notify(url, secret, "order.authorized", order).await, 200);
    let captured = app.post(&format!("/v1/payment_intents/{id}/capture"), json!({})).await;
    assert_eq!(captured.body["status"], "succeeded", "{}", captured.text);
    assert_eq!(notify(url, secret, "order.authorized", order).await, 200);
    assert_eq!(app.get(&format!("/v1/payment_intents/{id}")).await.body["status"], "succeeded");
    let events = app.get(&format!("/v1/events?related_object={id}&limit=100")).await.body;
    let count = |kind: &str| events["data"].as_array().unwrap().iter().filter(|e| e["type"] == kind).count();
    assert_eq!(
        (count("payment_intent.requires_capture"), count("payment_intent.succeeded")),
        (1, 1),
        "one transition each: {events}"
    );
    let booked = books_when(&app, &provider, &pi, |b| b["amount_captured"] == 10000).await;
    assert_eq!(booked["status"], "succeeded", "captured once at Smartpay: {booked}");

    // Deleting the connector ends the endpoint at Smartpay.
    let deleted =
        app.request("DELETE", &format!("/v1/connectors/{connector}"), None, Some(&app.merchant.secret_key), None).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(at_smartpay(&app, &provider, "GET", "/webhook-endpoints").await["data"], json!([]));
}

#[tokio::test]
async fn a_card_declined_at_smartpay_fails_the_payment_once_the_customer_has_no_attempt_left() {
    // The provider's checkout page takes one attempt.
    let app = spawn_app_with(|c| c.checkout.max_attempts = 1).await;
    with_smartpay(&app).await;
    let pi = app.post("/v1/payment_intents", smartpay_payment()).await.body;
    let page = json_of(&pi["next_action"]["redirect_to_url"], "url");
    pay_on_page(page, "4000000000000002").await;
    let id = json_of(&pi, "id");
    let failed = app.wait_for(id, |p| p["status"] != "requires_action").await;
    assert_eq!(
        (failed["status"].as_str(), failed["last_payment_error"]["code"].as_str()),
        (Some("failed"), Some("connector_declined")),
        "{failed}"
    );
}
