//! Payments through a Vipps connector. The provider is the gateway itself: a second merchant
//! whose Vipps face plays Vipps (its hosted page is where the customer approves), reached over
//! HTTP by the Vipps client as the real Vipps would be. The provider's own books (its v1 API)
//! must agree with the merchant's.

use kassa_testkit::customer::{abort_on_page, pay_on_page};
use kassa_testkit::{TestApp, TestMerchant, TestResponse, json_of, spawn_app};
use serde_json::{Value, json};

const RETURN_URL: &str = "https://shop.example/back?order=1";

/// The provider's merchant, and the test merchant's Vipps connector to it.
pub(crate) async fn with_vipps(app: &TestApp) -> TestMerchant {
    let provider = app.create_merchant("Vipps, played by Kassa").await;
    let connector = app
        .post(
            "/v1/connectors",
            json!({"type": "vipps", "base_url": app.url(""), "credentials": {
                "client_id": provider.id, "client_secret": provider.secret_key,
                "subscription_key": provider.publishable_key,
                "merchant_serial_number": provider.serial_number.to_string()}}),
        )
        .await;
    assert_eq!(connector.status, 200, "{}", connector.text);
    provider
}

pub(crate) fn vipps_payment(capture_method: &str) -> Value {
    json!({"amount": 10000, "currency": "NOK", "capture_method": capture_method, "confirm": true,
        "description": "Two tickets", "return_url": RETURN_URL,
        "payment_method_data": {"type": "vipps", "billing_details": {"phone": "+47 912 34 567"}}})
}

/// The payment as the provider's books have it.
async fn at_provider(app: &TestApp, provider: &TestMerchant, pi: &Value) -> Value {
    let reference = json_of(&pi["connector"], "reference");
    let path = format!("/v1/payment_intents/by_reference/{reference}");
    let res = app.request("GET", &path, None, Some(&provider.secret_key), None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

/// The customer's trip back through Kassa: where it sends them.
async fn come_back(app: &TestApp, pi: &str) -> String {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = http.get(app.url(&format!("/return/{pi}"))).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn redirect_url(pi: &Value) -> &str {
    json_of(&pi["next_action"]["redirect_to_url"], "url")
}

fn refused(res: &TestResponse, status: u16, code: &str, param: &str) {
    assert_eq!(res.status, status, "{}", res.text);
    assert_eq!(
        (res.error()["code"].as_str(), res.error()["param"].as_str()),
        (Some(code), Some(param)),
        "{}",
        res.text
    );
}

#[tokio::test]
async fn approved_at_vipps_then_captured_in_part_and_refunded_and_vipps_agrees() {
    let app = spawn_app().await;
    let provider = with_vipps(&app).await;
    let created = app.post("/v1/payment_intents", vipps_payment("manual")).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let pi = &created.body;
    assert_eq!(pi["status"], "requires_action", "{}", created.text);
    assert_eq!(pi["connector"]["type"], "vipps");
    assert!(json_of(&pi["connector"], "id").starts_with("conn_"));
    assert!(json_of(&pi["connector"], "reference").starts_with("kassa-"));
    assert_eq!(pi["next_action"]["type"], "redirect_to_url");
    assert_eq!(pi["next_action"]["redirect_to_url"]["return_url"], RETURN_URL);
    assert!(redirect_url(pi).starts_with(&app.url("/checkout/")), "the provider's page: {}", redirect_url(pi));
    let id = json_of(pi, "id");
    let before = at_provider(&app, &provider, pi).await;
    assert_eq!((before["amount"].as_i64(), before["currency"].as_str()), (Some(10000), Some("NOK")));

    // The customer approves at Vipps and comes back through Kassa, which asks Vipps at once.
    assert_eq!(pay_on_page(redirect_url(pi), "4242424242424242").await, 303);
    // (Vipps authorizes in its own time; the customer comes back once it has, before Kassa's
    // first poll a second after the payment opened.)
    app_wait(&app, &provider, pi, |p| p["status"] == "requires_capture").await;
    let back = come_back(&app, id).await;
    assert_eq!(back, format!("{RETURN_URL}&payment_intent={id}"));
    let authorized = app.get(&format!("/v1/payment_intents/{id}")).await.body;
    assert_eq!(authorized["status"], "requires_capture", "{authorized}");
    assert_eq!(authorized["amount_capturable"], 10000);
    assert_eq!(authorized["next_action"], Value::Null);

    let captured = app
        .post(&format!("/v1/payment_intents/{id}/capture"), json!({"amount_to_capture": 6000, "final_capture": false}))
        .await;
    assert_eq!(captured.status, 200, "{}", captured.text);
    assert_eq!(
        (captured.body["status"].as_str(), captured.body["amount_captured"].as_i64()),
        (Some("requires_capture"), Some(6000))
    );
    let refund = app.post("/v1/refunds", json!({"payment_intent": id, "amount": 2500})).await;
    assert_eq!(refund.status, 200, "{}", refund.text);
    let refund = refund_settled(&app, json_of(&refund.body, "id")).await;
    assert_eq!(refund["status"], "succeeded", "{refund}");
    let canceled = app.post(&format!("/v1/payment_intents/{id}/cancel"), json!({})).await;
    assert_eq!(canceled.body["status"], "succeeded", "the rest released, 6000 kept: {}", canceled.text);

    // Vipps' books: the same amounts, moved once.
    let books = app_wait(&app, &provider, &authorized, |p| p["amount_canceled"] == 4000).await;
    assert_eq!(
        (books["amount_captured"].as_i64(), books["amount_refunded"].as_i64(), books["amount_canceled"].as_i64()),
        (Some(6000), Some(2500), Some(4000)),
        "{books}"
    );
    let events = app.get(&format!("/v1/payment_intents/{id}/events")).await;
    let types: Vec<&str> = events.body["data"].as_array().unwrap().iter().map(|e| json_of(e, "type")).collect();
    assert_eq!(
        &types[..4],
        [
            "payment_intent.created",
            "payment_intent.processing",
            "payment_intent.requires_action",
            "payment_intent.requires_capture"
        ]
    );
}

async fn refund_settled(app: &TestApp, id: &str) -> Value {
    for _ in 0..200 {
        let refund = app.get(&format!("/v1/refunds/{id}")).await.body;
        if refund["status"] != "pending" {
            return refund;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("refund {id} never settled");
}

/// Waits until the provider's books satisfy `done`.
async fn app_wait(app: &TestApp, provider: &TestMerchant, pi: &Value, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let books = at_provider(app, provider, pi).await;
        if done(&books) {
            return books;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the provider's books never settled: {}", at_provider(app, provider, pi).await);
}

#[tokio::test]
async fn automatic_capture_is_captured_at_vipps_by_polling_alone() {
    let app = spawn_app().await;
    let provider = with_vipps(&app).await;
    // Vipps' notifications blocked: its webhook to Kassa is gone.
    let hooks = app.request("GET", "/v1/webhook_endpoints", None, Some(&provider.secret_key), None).await;
    let hook = json_of(&hooks.body["data"][0], "id");
    let path = format!("/v1/webhook_endpoints/{hook}");
    assert_eq!(app.request("DELETE", &path, None, Some(&provider.secret_key), None).await.status, 200);
    let pi = app.post("/v1/payment_intents", vipps_payment("automatic")).await.body;
    assert_eq!(pi["status"], "requires_action", "{pi}");
    assert_eq!(pay_on_page(redirect_url(&pi), "4242424242424242").await, 303);
    // The customer never comes back: the polling job learns it.
    let id = json_of(&pi, "id");
    let settled = app.wait_for(id, |p| p["status"] != "requires_action").await;
    assert_eq!((settled["status"].as_str(), settled["amount_captured"].as_i64()), (Some("succeeded"), Some(10000)));
    let books = at_provider(&app, &provider, &pi).await;
    assert_eq!(books["amount_captured"], 10000, "{books}");
    // A late return changes nothing and still takes the customer to the merchant.
    assert!(come_back(&app, id).await.ends_with(&format!("payment_intent={id}")));
    assert_eq!(at_provider(&app, &provider, &pi).await["amount_captured"], 10000);
}

#[tokio::test]
async fn a_customer_who_aborts_at_vipps_fails_the_payment_which_a_card_may_then_pay() {
    let app = spawn_app().await;
    with_vipps(&app).await;
    let pi = app.post("/v1/payment_intents", vipps_payment("manual")).await.body;
    assert_eq!(abort_on_page(redirect_url(&pi)).await, 303);
    let id = json_of(&pi, "id");
    come_back(&app, id).await;
    let failed = app.get(&format!("/v1/payment_intents/{id}")).await.body;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["last_payment_error"]["code"], "payment_aborted", "{failed}");
    let by_card =
        app.post(&format!("/v1/payment_intents/{id}/confirm"), json!({"payment_method": "pm_card_visa"})).await;
    assert_eq!(by_card.status, 200, "{}", by_card.text);
    assert_eq!(app.wait_until_settled(id).await["status"], "requires_capture");
}

#[tokio::test]
async fn canceled_while_the_customer_decides_is_canceled_at_vipps_too() {
    let app = spawn_app().await;
    let provider = with_vipps(&app).await;
    let pi = app.post("/v1/payment_intents", vipps_payment("manual")).await.body;
    let id = json_of(&pi, "id");
    let canceled = app.post(&format!("/v1/payment_intents/{id}/cancel"), json!({})).await;
    assert_eq!(canceled.body["status"], "canceled", "{}", canceled.text);
    let books = app_wait(&app, &provider, &pi, |p| p["status"] == "canceled").await;
    assert_eq!(books["amount_captured"], 0);
}

#[tokio::test]
async fn a_payment_through_a_connector_is_refused_before_anything_is_stored_when_it_cannot_go() {
    let app = spawn_app().await;
    let none = app.post("/v1/payment_intents", vipps_payment("manual")).await;
    refused(&none, 422, "no_connector", "payment_method_data[type]");
    assert!(none.error()["message"].as_str().unwrap().contains("POST /v1/connectors"), "{}", none.text);
    with_vipps(&app).await;
    let mut dollars = vipps_payment("manual");
    dollars["currency"] = json!("USD");
    refused(
        &app.post("/v1/payment_intents", dollars).await,
        422,
        "currency_not_supported_by_connector",
        "payment_method_data[type]",
    );
    let mut nowhere = vipps_payment("manual");
    nowhere.as_object_mut().unwrap().remove("return_url");
    refused(&app.post("/v1/payment_intents", nowhere).await, 422, "parameter_missing", "return_url");
    let mut unknown = vipps_payment("manual");
    unknown["payment_method_data"]["type"] = json!("paypal");
    refused(
        &app.post("/v1/payment_intents", unknown).await,
        422,
        "invalid_payment_method_type",
        "payment_method_data[type]",
    );
    let mut bad = vipps_payment("manual");
    bad["payment_method_data"]["billing_details"] = json!({"email": "nobody", "address": {"country": "Norway"}});
    let bad = app.post("/v1/payment_intents", bad).await;
    let mut params = bad.error_params();
    params.sort();
    assert_eq!(
        params,
        ["payment_method_data[billing_details][address][country]", "payment_method_data[billing_details][email]"],
        "{}",
        bad.text
    );
    assert_eq!(app.get("/v1/payment_intents").await.body["data"], json!([]), "nothing stored");
}

#[tokio::test]
async fn a_retried_create_opens_one_payment_at_vipps_and_its_connector_stays_while_it_is_unfinished() {
    let app = spawn_app().await;
    let provider = with_vipps(&app).await;
    let first = app.post_idempotent("/v1/payment_intents", vipps_payment("manual"), "vipps-once").await;
    let again = app.post_idempotent("/v1/payment_intents", vipps_payment("manual"), "vipps-once").await;
    assert_eq!(first.body, again.body, "the replay repeats the first answer");
    let listed = app.request("GET", "/v1/payment_intents", None, Some(&provider.secret_key), None).await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1, "one payment at Vipps: {}", listed.text);

    let connector = json_of(&first.body["connector"], "id");
    let kept =
        app.request("DELETE", &format!("/v1/connectors/{connector}"), None, Some(&app.merchant.secret_key), None).await;
    assert_eq!((kept.status, kept.error()["code"].as_str()), (409, Some("connector_in_use")), "{}", kept.text);
    let id = json_of(&first.body, "id");
    assert_eq!(app.post(&format!("/v1/payment_intents/{id}/cancel"), json!({})).await.status, 200);
    let deleted =
        app.request("DELETE", &format!("/v1/connectors/{connector}"), None, Some(&app.merchant.secret_key), None).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    // The canceled payment still reads as it went.
    assert_eq!(app.get(&format!("/v1/payment_intents/{id}")).await.body["connector"]["id"], connector);
}

#[tokio::test]
async fn a_final_capture_of_part_releases_the_rest_at_vipps() {
    let app = spawn_app().await;
    let provider = with_vipps(&app).await;
    let pi = app.post("/v1/payment_intents", vipps_payment("manual")).await.body;
    assert_eq!(pay_on_page(redirect_url(&pi), "4242424242424242").await, 303);
    let id = json_of(&pi, "id");
    assert_eq!(app.wait_for(id, |p| p["status"] != "requires_action").await["status"], "requires_capture");
    let captured = app.post(&format!("/v1/payment_intents/{id}/capture"), json!({"amount_to_capture": 4000})).await;
    assert_eq!(
        (captured.body["status"].as_str(), captured.body["amount_canceled"].as_i64()),
        (Some("succeeded"), Some(6000))
    );
    let books = app_wait(&app, &provider, &pi, |p| p["amount_canceled"] == 6000).await;
    assert_eq!(books["amount_captured"], 4000, "{books}");
}

/// The hosted page's form token.
fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a form with its token") + 19;
    html[start..start + 32].to_owned()
}

#[tokio::test]
async fn the_hosted_page_pays_with_vipps_and_the_customer_comes_back_to_the_merchant_s_success() {
    let app = spawn_app().await;
    let session_for = |types: Value| {
        json!({"currency": "NOK", "capture_method": "manual", "success_url": "https://shop.example/ok",
            "line_items": [{"name": "Ticket", "quantity": 2, "unit_amount": 5000}],
            "payment_method_types": types})
    };
    let unconnected = app.post("/v1/checkout_sessions", session_for(json!(["card", "vipps"]))).await;
    refused(&unconnected, 422, "no_connector", "payment_method_types");
    let provider = with_vipps(&app).await;
    let created = app.post("/v1/checkout_sessions", session_for(json!(["card", "vipps"]))).await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.body["payment_method_types"], json!(["card", "vipps"]));
    let page_url = json_of(&created.body, "url").to_owned();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let html = http.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("data-testid=\"pay-with-vipps\"") && html.contains("Pay with Vipps"), "{html}");
    assert!(html.contains("name=\"number\""), "the card form too");

    let form = format!("csrf={}&provider=vipps", csrf_of(&html));
    let sent = http
        .post(format!("{page_url}/pay-with"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 303);
    let at_vipps = sent.headers()["location"].to_str().unwrap().to_owned();
    assert!(at_vipps.starts_with(&app.url("/checkout/")) && at_vipps != page_url, "{at_vipps}");
    // Back on the page before deciding: it waits, and shows the way back to Vipps.
    let waiting = http.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(waiting.contains("Continue at Vipps") && waiting.contains(&at_vipps), "{waiting}");

    assert_eq!(pay_on_page(&at_vipps, "4242424242424242").await, 303);
    let session = app.get(&format!("/v1/checkout_sessions/{}", json_of(&created.body, "id"))).await.body;
    let pi = json_of(&session, "payment_intent");
    let pi_now = app.get(&format!("/v1/payment_intents/{pi}")).await.body;
    app_wait(&app, &provider, &pi_now, |p| p["status"] == "requires_capture").await;
    let back = come_back(&app, pi).await;
    assert_eq!(back, format!("{page_url}?payment_intent={pi}"));
    let done = http.get(&back).send().await.unwrap();
    assert_eq!(done.status().as_u16(), 303);
    assert!(done.headers()["location"].to_str().unwrap().starts_with("https://shop.example/ok?session_id=cs_"));
    let session = app.get(&format!("/v1/checkout_sessions/{}", json_of(&created.body, "id"))).await.body;
    assert_eq!(
        (session["status"].as_str(), session["payment_status"].as_str()),
        (Some("complete"), Some("paid")),
        "{session}"
    );
    assert_eq!(app.get(&format!("/v1/payment_intents/{pi}")).await.body["amount_capturable"], 10000);
}

#[tokio::test]
async fn lost_answers_and_an_unreachable_vipps_are_retried_with_their_keys_and_money_moves_once() {
    let app = spawn_app().await;
    let provider = app.create_merchant("Vipps, played by Kassa").await;
    let proxy = kassa_testkit::proxy::Proxy::start(app.address).await;
    let connector = app
        .post(
            "/v1/connectors",
            json!({"type": "vipps", "base_url": proxy.url(), "credentials": {
                "client_id": provider.id, "client_secret": provider.secret_key,
                "subscription_key": provider.publishable_key,
                "merchant_serial_number": provider.serial_number.to_string()}}),
        )
        .await;
    assert_eq!(connector.status, 200, "{}", connector.text);
    let pi = app.post("/v1/payment_intents", vipps_payment("manual")).await.body;
    assert_eq!(pay_on_page(redirect_url(&pi), "4242424242424242").await, 303);
    let id = json_of(&pi, "id");
    assert_eq!(app.wait_for(id, |p| p["status"] != "requires_action").await["status"], "requires_capture");

    // The capture reaches Vipps but its answer is lost; the retry (same key) is answered from
    // Vipps' books.
    proxy.plan([kassa_testkit::proxy::Action::ForwardThenDrop]);
    let captured = app
        .post(&format!("/v1/payment_intents/{id}/capture"), json!({"amount_to_capture": 7000, "final_capture": false}))
        .await;
    assert_eq!(captured.status, 200, "{}", captured.text);
    let captured = app.wait_for(id, |p| p["pending_capture"].is_null()).await;
    assert_eq!(captured["amount_captured"], 7000, "{captured}");
    // Vipps cannot be reached for a while: the refund job retries until it can.
    use kassa_testkit::proxy::Action::Drop;
    proxy.plan([Drop, Drop, Drop, Drop]);
    let refund = app.post("/v1/refunds", json!({"payment_intent": id, "amount": 3000})).await;
    assert_eq!(refund.status, 200, "{}", refund.text);
    assert_eq!(refund_settled(&app, json_of(&refund.body, "id")).await["status"], "succeeded");

    let books = at_provider(&app, &provider, &pi).await;
    assert_eq!(
        (books["amount_captured"].as_i64(), books["amount_refunded"].as_i64()),
        (Some(7000), Some(3000)),
        "{books}"
    );
    let keys: Vec<String> = proxy
        .seen()
        .iter()
        .filter(|s| s.method == "POST" && s.path().ends_with("/capture"))
        .filter_map(|s| s.idempotency_key.clone())
        .collect();
    assert!(keys.len() >= 2 && keys.iter().all(|k| *k == keys[0]), "one key for every attempt: {keys:?}");
}

#[tokio::test]
async fn vipps_notifies_kassa_which_asks_vipps_and_a_forged_notification_changes_nothing() {
    // Kassa would first ask Vipps only after a minute: what settles the payment sooner is
    // Vipps' notification.
    let app = kassa_testkit::spawn_app_with(|c| c.jobs.first_provider_poll = std::time::Duration::from_secs(60)).await;
    let provider = with_vipps(&app).await;
    let hooks = app.request("GET", "/v1/webhook_endpoints", None, Some(&provider.secret_key), None).await;
    let registered = json_of(&hooks.body["data"][0], "url").to_owned();
    let pi = app.post("/v1/payment_intents", vipps_payment("manual")).await.body;
    let connector = json_of(&pi["connector"], "id");
    assert_eq!(registered, app.url(&format!("/connectors/{connector}/notifications")), "registered at Vipps");
    let id = json_of(&pi, "id");

    let forged = reqwest::Client::new()
        .post(&registered)
        .header("x-ms-date", "Mon, 07 Dec 2026 12:00:00 GMT")
        .header("x-ms-content-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        .header("authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=bm9wZQ==")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);
    let unknown = reqwest::Client::new().post(app.url("/connectors/conn_nope/notifications")).send().await.unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    assert_eq!(app.get(&format!("/v1/payment_intents/{id}")).await.body["status"], "requires_action");

    assert_eq!(pay_on_page(redirect_url(&pi), "4242424242424242").await, 303);
    let settled = app.wait_for(id, |p| p["status"] != "requires_action").await;
    assert_eq!(settled["status"], "requires_capture", "{settled}");

    // Deleting the connector ends the subscription at Vipps.
    let captured = app.post(&format!("/v1/payment_intents/{id}/capture"), json!({})).await;
    assert_eq!(captured.body["status"], "succeeded", "{}", captured.text);
    let deleted =
        app.request("DELETE", &format!("/v1/connectors/{connector}"), None, Some(&app.merchant.secret_key), None).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    let hooks = app.request("GET", "/v1/webhook_endpoints", None, Some(&provider.secret_key), None).await;
    assert_eq!(hooks.body["data"], json!([]), "{}", hooks.text);
}

#[tokio::test]
async fn a_payment_that_expires_at_vipps_fails_as_expired() {
    // The provider's payments (its checkout sessions) expire two seconds after they open.
    let app =
        kassa_testkit::spawn_app_with(|c| c.checkout.default_expires_in = std::time::Duration::from_secs(2)).await;
    with_vipps(&app).await;
    let pi = app.post("/v1/payment_intents", vipps_payment("manual")).await.body;
    assert_eq!(pi["status"], "requires_action", "{pi}");
    let id = json_of(&pi, "id");
    let failed = app.wait_for(id, |p| p["status"] != "requires_action").await;
    assert_eq!(
        (failed["status"].as_str(), failed["last_payment_error"]["code"].as_str()),
        (Some("failed"), Some("payment_expired")),
        "{failed}"
    );
    assert_eq!(failed["next_action"], Value::Null);
}

#[tokio::test]
async fn a_card_declined_at_vipps_aborts_the_payment_once_the_customer_has_no_attempt_left() {
    // The provider's page takes one attempt; Vipps then reports the payment aborted.
    let app = kassa_testkit::spawn_app_with(|c| c.checkout.max_attempts = 1).await;
    with_vipps(&app).await;
    let pi = app.post("/v1/payment_intents", vipps_payment("manual")).await.body;
    pay_on_page(redirect_url(&pi), "4000000000000002").await;
    let id = json_of(&pi, "id");
    let failed = app.wait_for(id, |p| p["status"] != "requires_action").await;
    assert_eq!(
        (failed["status"].as_str(), failed["last_payment_error"]["code"].as_str()),
        (Some("failed"), Some("payment_aborted")),
        "{failed}"
    );
}
