//! The Smartpay face over HTTP, as `@smartpay/sdk-node` sends it (`Authorization: Basic <raw
//! key>`, `dev-lang`/`sdk-version` on every call, camelCase): a session paid on the hosted page,
//! partial captures and refunds with Smartpay's error codes, saved cards charged by the
//! merchant, webhook deliveries signed with Smartpay's scheme, ids kept apart by mode.
//! (`compat/smartpay` runs the official SDK.)

use crate::checkout_page::Browser;
use hmac::Mac;
use kassa_domain::{KeyKind, Mode};
use kassa_testkit::{TestApp, TestResponse, spawn_app};
use serde_json::{Value, json};

const SDK_QUERY: &str = "dev-lang=nodejs&sdk-version=0.9.1";

/// A call as the SDK makes it, with `key` (the test merchant's secret key by default).
async fn call(app: &TestApp, method: &str, path: &str, body: Option<Value>, key: Option<&str>) -> TestResponse {
    call_once(app, method, path, body, key, &kassa_domain::id::random_base62(32)).await
}

/// [`call`] with the `Idempotency-Key` the SDK would reuse on a retry.
pub(crate) async fn call_once(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<Value>,
    key: Option<&str>,
    idempotency_key: &str,
) -> TestResponse {
    let sep = if path.contains('?') { '&' } else { '?' };
    let url = app.url(&format!("/smartpay/v1{path}{sep}{SDK_QUERY}"));
    let mut req = app
        .client
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
        .header("Authorization", format!("Basic {}", key.unwrap_or(&app.merchant.secret_key)))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", idempotency_key);
    if let Some(body) = body {
        req = req.body(body.to_string());
    }
    TestResponse::from(req.send().await.unwrap()).await
}

pub(crate) async fn ok(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> Value {
    let res = call(app, method, path, body, None).await;
    assert_eq!(res.status, 200, "{method} {path}: {}", res.text);
    res.body
}

pub(crate) fn flat_session(capture: &str) -> Value {
    json!({
        "amount": 600, "currency": "JPY", "captureMethod": capture,
        "items": [{"name": "Matcha", "amount": 250, "currency": "JPY", "quantity": 2, "brand": "Uji", "gtin": "x"}],
        "customerInfo": {"emailAddress": "taro@example.com", "firstNameKana": "タロウ"},
        "shippingInfo": {"address": {"line1": "北青山 3-6-7", "locality": "港区", "postalCode": "107-0061",
            "country": "JP"}, "feeAmount": 100, "feeCurrency": "JPY"},
        "reference": "order_ref_1234567", "successUrl": "https://shop.example/ok",
        "cancelUrl": "https://shop.example/cancel", "test": true
    })
}

/// A session paid on the page; its order, once the processor has answered.
pub(crate) async fn authorized_order(app: &TestApp, capture: &str) -> Value {
    let session = ok(app, "POST", "/checkout-sessions", Some(flat_session(capture))).await;
    let url = session["url"].as_str().unwrap();
    let browser = Browser::new();
    assert_eq!(browser.pay(url, "4242424242424242").await.status, 303);
    browser.settle(url).await;
    ok(app, "GET", &format!("/orders/{}", session["order"]["id"].as_str().unwrap()), None).await
}

#[tokio::test]
async fn an_order_paid_on_the_page_is_captured_in_parts_and_refunded_with_smartpays_codes() {
    let app = spawn_app().await;
    let order = authorized_order(&app, "manual").await;
    assert_eq!((order["status"].as_str(), order["amount"].as_i64()), (Some("requires_capture"), Some(600)));
    let id = order["id"].as_str().unwrap();

    let first = ok(
        &app,
        "POST",
        "/payments",
        Some(json!({"order": id, "amount": 150, "currency": "JPY",
        "cancelRemainder": "manual", "reference": "box-1"})),
    )
    .await;
    assert_eq!((first["amount"].as_i64(), first["status"].as_str()), (Some(150), Some("processed")));
    assert_eq!(first["reference"], "box-1");
    let over =
        call(&app, "POST", "/payments", Some(json!({"order": id, "amount": 451, "currency": "JPY"})), None).await;
    assert_eq!(
        (over.status, over.body["errorCode"].as_str()),
        (400, Some("payment.excessive-amount")),
        "{}",
        over.text
    );
    let wrong_currency =
        call(&app, "POST", "/payments", Some(json!({"order": id, "amount": 1, "currency": "USD"})), None).await;
    assert_eq!(wrong_currency.body["details"], json!(["currency: The order is in JPY."]));

    let payment = first["id"].as_str().unwrap();
    let refund = ok(
        &app,
        "POST",
        "/refunds",
        Some(json!({"payment": payment, "amount": 100, "currency": "JPY",
        "reason": "requested_by_customer", "description": "one cup broken"})),
    )
    .await;
    assert_eq!((refund["amount"].as_i64(), refund["status"].as_str()), (Some(100), Some("succeeded")));
    assert_eq!(refund["description"], "one cup broken");
    let over_refund = call(
        &app,
        "POST",
        "/refunds",
        Some(json!({"payment": payment, "amount": 51, "currency": "JPY",
        "reason": "fraudulent"})),
        None,
    )
    .await;
    assert_eq!(over_refund.body["errorCode"], "amount.insufficient", "{}", over_refund.text);
    let bad_reason = call(
        &app,
        "POST",
        "/refunds",
        Some(json!({"payment": payment, "amount": 1, "currency": "JPY",
        "reason": "duplicate"})),
        None,
    )
    .await;
    assert_eq!(bad_reason.body["errorCode"], "request.invalid", "Smartpay knows two reasons: {}", bad_reason.text);

    let last = ok(
        &app,
        "POST",
        "/payments",
        Some(json!({"order": id, "amount": 50, "currency": "JPY",
        "cancelRemainder": "autommatic"})),
    )
    .await;
    let done = ok(&app, "GET", &format!("/orders/{id}?expand=all"), None).await;
    assert_eq!(done["status"], "succeeded", "the rest released: {done}");
    assert_eq!((done["capturedAmount"].as_i64(), done["refundedAmount"].as_i64()), (Some(200), Some(100)));
    let payments: Vec<&str> = done["payments"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(payments, [payment, last["id"].as_str().unwrap()]);
    assert_eq!(done["payments"][0]["refunds"], json!([refund["id"]]));
    assert_eq!(done["lineItems"][0]["name"], "Matcha");
    let after = call(&app, "POST", "/payments", Some(json!({"order": id, "amount": 1, "currency": "JPY"})), None).await;
    assert_eq!((after.status, after.body["errorCode"].as_str()), (409, Some("order.cannot-capture")));
}

#[tokio::test]
async fn a_saved_card_is_charged_by_the_merchant_until_it_is_disabled_or_deleted() {
    let app = spawn_app().await;
    let session = ok(
        &app,
        "POST",
        "/checkout-sessions",
        Some(json!({"mode": "token",
        "customerInfo": {"emailAddress": "hanako@example.com"}, "successUrl": "https://shop.example/ok",
        "cancelUrl": "https://shop.example/cancel"})),
    )
    .await;
    let token = session["token"]["id"].as_str().unwrap().to_owned();
    assert!(token.starts_with("paytok_test_"), "{session}");
    let early = call(&app, "PUT", &format!("/tokens/{token}/disable"), None, None).await;
    assert_eq!((early.status, early.body["errorCode"].as_str()), (404, Some("token.not-found")));

    let url = session["url"].as_str().unwrap();
    let browser = Browser::new();
    assert_eq!(browser.pay(url, "4242424242424242").await.status, 303);
    browser.settle(url).await;
    assert_eq!(ok(&app, "GET", &format!("/tokens/{token}"), None).await["status"], "active");

    let order = json!({"token": token, "amount": 1200, "currency": "JPY",
        "items": [{"name": "Tea box", "amount": 1200, "currency": "JPY"}],
        "customerInfo": {}, "shippingInfo": {"address": {"line1": "1", "locality": "Tokyo", "postalCode": "100",
            "country": "JP"}}, "reference": "month-1"});
    let created = ok(&app, "POST", "/orders", Some(order.clone())).await;
    assert_eq!((created["tokenId"].as_str(), created["reference"].as_str()), (Some(token.as_str()), Some("month-1")));
    let pi = kassa_testkit::json_of(&created, "id").replace("order_test_", "pi_");
    app.wait_until_settled(&pi).await;
    assert_eq!(
        ok(&app, "GET", &format!("/orders/{}", created["id"].as_str().unwrap()), None).await["status"],
        "succeeded"
    );

    ok(&app, "PUT", &format!("/tokens/{token}/disable"), None).await;
    let refused = call(&app, "POST", "/orders", Some(order.clone()), None).await;
    assert_eq!(refused.status, 409, "a disabled card is not charged: {}", refused.text);
    ok(&app, "PUT", &format!("/tokens/{token}/enable"), None).await;
    let deleted = call(&app, "DELETE", &format!("/tokens/{token}"), None, None).await;
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    let gone = call(&app, "GET", &format!("/tokens/{token}"), None, None).await;
    assert_eq!((gone.status, gone.body["errorCode"].as_str()), (404, Some("token.not-found")));
}

#[tokio::test]
async fn every_bad_field_is_named_and_unknown_query_parameters_other_than_the_sdks_are_refused() {
    let app = spawn_app().await;
    let bad = json!({"amount": 1, "currency": "JPY", "captureMethod": "later",
        "items": [{"name": "x", "amount": 1.5}, {"amount": 10, "currency": "USD"}],
        "shippingInfo": {"address": {"line1": "1"}}, "successUrl": "nope"});
    let res = call(&app, "POST", "/checkout-sessions", Some(bad), None).await;
    assert_eq!((res.status, res.body["statusCode"].as_i64()), (400, Some(400)), "{}", res.text);
    assert_eq!(res.body["errorCode"], "request.invalid");
    let fields: Vec<&str> = res.body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().split(':').next().unwrap())
        .collect();
    for expected in [
        "items.0.amount",
        "items.1.name",
        "items.1.currency",
        "shippingInfo.address.locality",
        "shippingInfo.address.postalCode",
        "shippingInfo.address.country",
        "customerInfo",
        "captureMethod",
        "successUrl",
        "cancelUrl",
    ] {
        assert!(fields.contains(&expected), "{expected} missing from {fields:?}");
    }
    let mismatch =
        flat_session("manual").as_object().unwrap().clone().into_iter().chain([("amount".into(), json!(601))]);
    let res = call(&app, "POST", "/checkout-sessions", Some(Value::Object(mismatch.collect())), None).await;
    assert_eq!(res.body["details"], json!(["amount: amount is 600: the items and the shipping fee."]));

    let stray = call(&app, "GET", "/orders?colour=red", None, None).await;
    assert_eq!((stray.status, stray.body["errorCode"].as_str()), (400, Some("request.invalid")), "{}", stray.text);
    let listed = call(&app, "GET", "/orders?maxResults=5&expand=all", None, None).await;
    assert_eq!(listed.status, 200, "the SDK's own parameters are ignored: {}", listed.text);
    let bad_page = call(&app, "GET", "/orders?pageToken=%%%", None, None).await;
    assert_eq!(bad_page.status, 400, "{}", bad_page.text);
}

#[tokio::test]
async fn a_test_id_names_nothing_in_live_mode_nor_another_merchants_objects() {
    let app = spawn_app().await;
    let order = ok(&app, "POST", "/checkout-sessions", Some(flat_session("automatic"))).await["order"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, live_key) = app.create_key(KeyKind::Secret, Mode::Live).await;
    let live = call(&app, "GET", &format!("/orders/{order}"), None, Some(&live_key)).await;
    assert_eq!((live.status, live.body["errorCode"].as_str()), (404, Some("order.not-found")));
    let as_live = order.replace("_test_", "_live_");
    let live = call(&app, "GET", &format!("/orders/{as_live}"), None, Some(&live_key)).await;
    assert_eq!(live.status, 404, "the live id of a test object names nothing: {}", live.text);
    let other = app.create_merchant("Other").await;
    let foreign = call(&app, "GET", &format!("/orders/{order}"), None, Some(&other.secret_key)).await;
    assert_eq!(foreign.status, 404);
}

#[tokio::test]
async fn deliveries_are_smartpay_events_signed_over_timestamp_and_body() {
    let app = spawn_app().await;
    let receiver = kassa_testkit::Receiver::start().await;
    let endpoint = ok(
        &app,
        "POST",
        "/webhook-endpoints",
        Some(json!({"url": receiver.url(),
        "eventSubscriptions": ["order.authorized", "payment.created"]})),
    )
    .await;
    let secret = endpoint["signingSecret"].as_str().unwrap();
    let order = authorized_order(&app, "manual").await;
    ok(&app, "POST", "/payments", Some(json!({"order": order["id"], "amount": 200, "currency": "JPY"}))).await;

    let received = receiver.wait_for(2, std::time::Duration::from_secs(20)).await;
    let mut kinds: Vec<String> =
        received.iter().map(|r| r.json()["eventData"]["type"].as_str().unwrap().to_owned()).collect();
    // Deliveries run concurrently: they may arrive in either order.
    kinds.sort();
    assert_eq!(kinds, ["order.authorized", "payment.created"], "only what was subscribed");
    for r in &received {
        let timestamp = r.header("smartpay-signature-timestamp").expect("a timestamp");
        let key = kassa_server::faces::smartpay::base62_decode(secret).unwrap();
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(&r.body);
        assert_eq!(r.header("smartpay-signature"), Some(hex::encode(mac.finalize().into_bytes()).as_str()));
        assert_eq!(r.header("smartpay-subscription-id"), endpoint["id"].as_str());
        let body = r.json();
        assert_eq!(r.header("smartpay-event-id"), body["id"].as_str());
        assert!(body["id"].as_str().unwrap().starts_with("evt_test_"));
        assert_eq!((body["object"].as_str(), body["test"].as_bool()), (Some("event"), Some(true)));
    }
    let of_type =
        |kind: &str| received.iter().map(|r| r.json()).find(|b| b["eventData"]["type"] == kind).expect("delivered");
    assert_eq!(of_type("order.authorized")["eventData"]["data"]["id"], order["id"]);
    assert_eq!(of_type("payment.created")["eventData"]["data"]["amount"], 200);

    let deleted =
        call(&app, "DELETE", &format!("/webhook-endpoints/{}", endpoint["id"].as_str().unwrap()), None, None).await;
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    // Endpoints of the native API are not Smartpay's to show.
    app.post("/v1/webhook_endpoints", json!({"url": receiver.url(), "enabled_events": ["*"]})).await;
    assert_eq!(ok(&app, "GET", "/webhook-endpoints", None).await["data"], json!([]));
}

#[tokio::test]
async fn fields_the_sdk_does_not_send_are_refused_and_the_documented_extras_accepted() {
    let app = spawn_app().await;
    let mut session = flat_session("manual");
    session["items"][0]["categories"] = json!(["tea"]);
    session["customerInfo"]["legalGender"] = json!("female");
    session["shippingInfo"]["carrierName"] = json!("Yamato");
    session["locale"] = json!("ja");
    session["promotionCode"] = Value::Null;
    let made = call(&app, "POST", "/checkout-sessions", Some(session.clone()), None).await;
    assert_eq!(made.status, 200, "documented fields pass: {}", made.text);

    session["colour"] = json!("green");
    session["items"][0]["weight"] = json!(3);
    session["customerInfo"]["email"] = json!("taro@example.com");
    let refused = call(&app, "POST", "/checkout-sessions", Some(session), None).await;
    assert_eq!(
        (refused.status, refused.body["errorCode"].as_str()),
        (400, Some("request.invalid")),
        "{}",
        refused.text
    );
    for field in ["colour", "items.0.weight", "customerInfo.email"] {
        assert!(refused.text.contains(field), "{field} is named: {}", refused.text);
    }

    let order = authorized_order(&app, "manual").await;
    let id = order["id"].as_str().unwrap();
    let stray = json!({"order": id, "amount": 100, "currency": "JPY", "amont": 100});
    let res = call(&app, "POST", "/payments", Some(stray), None).await;
    assert_eq!((res.status, res.body["errorCode"].as_str()), (400, Some("request.invalid")), "{}", res.text);
    assert!(res.text.contains("amont"), "{}", res.text);
    let payment = ok(
        &app,
        "POST",
        "/payments",
        Some(json!({"order": id, "amount": 100, "currency": "JPY",
        "cancelRemainder": "manual", "lineItems": []})),
    )
    .await;
    let path = format!("/payments/{}", payment["id"].as_str().unwrap());
    // The SDK's updatePayment sends its idempotencyKey in the body.
    let updated = ok(&app, "PATCH", &path, Some(json!({"reference": "box-2", "idempotencyKey": "k-1"}))).await;
    assert_eq!(updated["reference"], "box-2");
}

#[tokio::test]
async fn a_capture_that_says_nothing_of_the_remainder_releases_it_as_smartpay_documents() {
    let app = spawn_app().await;
    let order = authorized_order(&app, "manual").await;
    let id = order["id"].as_str().unwrap();
    let part = ok(&app, "POST", "/payments", Some(json!({"order": id, "amount": 200, "currency": "JPY"}))).await;
    assert_eq!(part["amount"], 200);
    let done = ok(&app, "GET", &format!("/orders/{id}"), None).await;
    assert_eq!((done["status"].as_str(), done["capturedAmount"].as_i64()), (Some("succeeded"), Some(200)), "{done}");
    let more = call(&app, "POST", "/payments", Some(json!({"order": id, "amount": 1, "currency": "JPY"})), None).await;
    assert_eq!((more.status, more.body["errorCode"].as_str()), (409, Some("order.cannot-capture")), "{}", more.text);
}
