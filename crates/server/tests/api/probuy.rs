//! ProBuy's face under `/probuy`: order data in major units to a native checkout session and
//! back. The official SDK's own tests are in `compat/probuy` (run by `compat/run`).

use kassa_testkit::{TestApp, TestResponse, json_of, spawn_app};
use serde_json::{Value, json};

pub(crate) fn order() -> Value {
    let address = json!({"city": "Riyadh", "country_code": "SA", "first_name": "Ahmed", "last_name": "Ali",
        "line1": "123 King Fahd Road", "line2": "Apt 456", "phone_number": "+966501234567", "region": "Riyadh"});
    json!({
        "order_reference_id": "ref-1", "order_number": "ORD-12345", "currency": "SAR",
        "total_amount": 1000, "shipping_amount": 0, "tax_amount": 150,
        "item": {"name": "MacBook Pro 16-inch", "description": "Apple M2 Pro", "type": "Physical",
            "reference_id": "prod-123", "sku": "MBPRO-16-M2", "quantity": 1, "discount_amount": 0,
            "tax_amount": 150, "unit_price": 1000, "total_amount": 1000},
        "consumer": {"email": "ahmed@example.com", "first_name": "Ahmed", "last_name": "Ali", "phone_number": "+966501234567"},
        "country_code": "SA",
        "merchant_url": {"success": "https://shop.example/ok", "failure": "https://shop.example/failed", "cancel": "https://shop.example/cancel"},
        "billing_address": address, "shipping_address": address
    })
}

async fn create(app: &TestApp, body: Value) -> TestResponse {
    app.post("/probuy/api/checkouts/session", body).await
}

#[tokio::test]
async fn the_documented_order_becomes_a_session_in_minor_units() {
    let app = spawn_app().await;
    let created = create(&app, order()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = json_of(&created.body, "checkout_id");
    assert_eq!(created.body["status"], "new");
    assert_eq!(created.body["checkout_url"], app.url(&format!("/probuy/checkout/{id}")));

    let details = app.get(&format!("/probuy/api/checkouts/{id}")).await;
    assert_eq!(details.status, 200, "{}", details.text);
    // Amounts keep every decimal of the currency, as in ProBuy's documentation.
    assert!(details.text.contains(r#""total_amount":1000.00"#), "{}", details.text);
    assert!(details.text.contains(r#""tax_amount":150.00"#), "{}", details.text);
    assert_eq!(details.body["consumer"]["email"], "ahmed@example.com");
    assert_eq!(details.body["merchant_url"]["cancel"], "https://shop.example/cancel");

    // The same session through the native API: 1000 SAR is 100000 halalas, tax included.
    let native = app.get(&format!("/v1/checkout_sessions/{id}")).await.body;
    assert_eq!(
        (native["amount_total"].as_i64(), native["currency"].as_str()),
        (Some(100_000), Some("SAR")),
        "{native}"
    );
    assert_eq!(native["order_reference"], "ref-1");
    assert_eq!(native["capture_method"], "manual");
    let page = app.client.get(app.url(&format!("/probuy/checkout/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("action=\"/probuy/checkout/"));
}

#[tokio::test]
async fn tax_added_on_top_and_zero_decimal_currencies_convert_exactly() {
    let app = spawn_app().await;
    let mut added = order();
    added["total_amount"] = json!(1150.5);
    added["shipping_amount"] = json!(0.5);
    let created = create(&app, added).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let native = app.get(&format!("/v1/checkout_sessions/{}", json_of(&created.body, "checkout_id"))).await.body;
    assert_eq!(native["amount_total"], 115_050, "{native}");

    let mut yen = order();
    yen["order_reference_id"] = json!("ref-2");
    yen["currency"] = json!("JPY");
    for (field, value) in [("total_amount", 1000), ("tax_amount", 150)] {
        yen[field] = json!(value);
    }
    let created = create(&app, yen.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let details = app.get(&format!("/probuy/api/checkouts/{}", json_of(&created.body, "checkout_id"))).await;
    assert!(details.text.contains(r#""total_amount":1000,"#), "{}", details.text);
    yen["item"]["unit_price"] = json!(999.5);
    let refused = create(&app, yen).await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body["details"]["item.unit_price"].as_str().is_some_and(|m| m.contains("no decimals")),
        "{}",
        refused.text
    );
}

#[tokio::test]
async fn invalid_orders_list_every_field_in_probuys_shape() {
    let app = spawn_app().await;
    let bad = json!({"currency": "SAR", "total_amount": 10.555, "item": {"name": "x", "quantity": 0, "unit_price": "1"},
        "consumer": {"email": "bad"}, "merchant_url": {"success": "ftp://x"}, "surprise": true});
    let res = create(&app, bad).await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(
        (res.body["error"].as_str(), res.body["message"].as_str()),
        (Some("ValidationError"), Some("Invalid request data"))
    );
    let mut fields: Vec<&str> = res.body["details"].as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "billing_address",
            "consumer.email",
            "country_code",
            "item.quantity",
            "item.unit_price",
            "merchant_url.success",
            "order_number",
            "order_reference_id",
            "shipping_address",
            "surprise",
            "total_amount"
        ]
    );
    let mut mismatch = order();
    mismatch["item"]["total_amount"] = json!(999);
    let res = create(&app, mismatch).await;
    assert_eq!(res.status, 400);
    assert!(res.body["details"]["item.total_amount"].is_string(), "{}", res.text);

    let malformed = app
        .client
        .post(app.url("/probuy/api/checkouts/session"))
        .bearer_auth(&app.merchant.secret_key)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    let malformed = TestResponse::from(malformed).await;
    assert_eq!(
        (malformed.status, malformed.body["error"].as_str()),
        (400, Some("ValidationError")),
        "{}",
        malformed.text
    );
}

#[tokio::test]
async fn tokens_and_ids_are_checked() {
    let app = spawn_app().await;
    let no_token = app.request("POST", "/probuy/api/checkouts/session", Some(order()), None, None).await;
    assert_eq!(no_token.status, 401);
    assert_eq!(no_token.body["error"], "AuthenticationError");
    assert_eq!(no_token.body["message"], "Invalid or expired API token");
    let created = create(&app, order()).await;
    let id = json_of(&created.body, "checkout_id");
    let other = app.create_merchant("Other").await;
    let foreign = app.request("GET", &format!("/probuy/api/checkouts/{id}"), None, Some(&other.secret_key), None).await;
    assert_eq!((foreign.status, foreign.body["error"].as_str()), (404, Some("NotFoundError")));
    let unknown = app.get("/probuy/api/orders").await;
    assert_eq!((unknown.status, unknown.body["error"].as_str()), (404, Some("NotFoundError")), "{}", unknown.text);
}
