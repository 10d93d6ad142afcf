//! Payments through a Smartpay connector, the provider being the gateway's own Smartpay face
//! (a second merchant), reached over HTTP by the Smartpay client. Smartpay refunds captures
//! (its payments), not orders: a refund larger than one capture is spread over them.

use kassa_testkit::customer::{abort_on_page, pay_on_page};
use kassa_testkit::{TestApp, TestMerchant, json_of, spawn_app};
use serde_json::{Value, json};

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
