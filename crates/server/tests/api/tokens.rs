//! Saved cards: a setup session saves (or refuses) a card on the hosted page, the merchant
//! disables, enables and deletes the token, and charges it without the customer present.

use crate::checkout_page::Browser;
use futures_util::future::join_all;
use kassa_domain::{KeyKind, Mode};
use kassa_testkit::{TestApp, json_of, spawn_app};
use serde_json::{Value, json};

fn setup_session(email: &str) -> Value {
    json!({
        "mode": "setup",
        "currency": "NOK",
        "consumer": {"email": email},
        "success_url": "https://shop.example/saved",
        "cancel_url": "https://shop.example/cart",
        "metadata": {"plan": "monthly"}
    })
}

/// A setup session's token after the customer entered `number` on the page.
async fn saved_card(app: &TestApp, number: &str) -> (Value, Value) {
    let session = app.post("/v1/checkout_sessions", setup_session("Kari@Example.com")).await;
    assert_eq!(session.status, 200, "{}", session.text);
    let url = json_of(&session.body, "url").to_owned();
    let browser = Browser::new();
    let paid = browser.pay(&url, number).await;
    assert_eq!(paid.status, 303, "{}", paid.html);
    browser.settle(&url).await;
    let session = app.get(&format!("/v1/checkout_sessions/{}", json_of(&session.body, "id"))).await;
    let token = app.get(&format!("/v1/tokens/{}", json_of(&session.body, "token"))).await;
    assert_eq!(token.status, 200, "{}", token.text);
    (session.body, token.body)
}

fn event_types(events: &Value) -> Vec<&str> {
    events["data"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect()
}

async fn charge(app: &TestApp, key: &str, token: &str, amount: i64) -> kassa_testkit::TestResponse {
    let body = json!({"amount": amount, "currency": "NOK", "token": token, "confirm": true});
    app.request("POST", "/v1/payment_intents", Some(body), Some(key), None).await
}

#[tokio::test]
async fn a_setup_session_saves_a_verified_card_in_a_token_and_charges_nothing() {
    let app = spawn_app().await;
    let created = app.post("/v1/checkout_sessions", setup_session("kari@example.com")).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let session = &created.body;
    assert_eq!((session["mode"].as_str(), session["payment_intent"].as_str()), (Some("setup"), None));
    let token_id = json_of(session, "token").to_owned();
    assert!(token_id.starts_with("tok_"), "{token_id}");
    let pending = app.get(&format!("/v1/tokens/{token_id}")).await;
    assert_eq!(pending.body["status"], "requires_authorization");
    assert_eq!(pending.body["card"], Value::Null);

    // A token waiting for its card can be neither enabled nor disabled.
    for action in ["enable", "disable"] {
        let refused = app.post(&format!("/v1/tokens/{token_id}/{action}"), json!({})).await;
        assert_eq!(refused.status, 409, "{action}: {}", refused.text);
        assert_eq!(refused.error()["current_status"], "requires_authorization", "{}", refused.text);
    }

    let (session, token) = saved_card(&app, "4242424242424242").await;
    assert_eq!((session["status"].as_str(), session["payment_status"].as_str()), (Some("complete"), Some("paid")));
    assert_eq!(token["status"], "active");
    assert_eq!(token["customer"], "kari@example.com");
    assert_eq!((token["card"]["brand"].as_str(), token["card"]["last4"].as_str()), (Some("visa"), Some("4242")));
    assert_eq!(token["card"]["exp_month"], 12);
    assert_eq!(token["metadata"]["plan"], "monthly");
    assert!(!token.to_string().contains("4242424242424242"), "no card number: {token}");
    let id = json_of(&token, "id");
    let events = app.get(&format!("/v1/events?related_object={id}")).await;
    let mut types = event_types(&events.body);
    types.reverse();
    assert_eq!(types, ["token.created", "token.approved"], "{}", events.text);
    assert!(!events.text.contains("sim:"), "event payloads carry no network token");
    // Nothing was charged: no payment intent exists.
    let intents = app.get("/v1/payment_intents").await;
    assert_eq!(intents.body["data"].as_array().unwrap().len(), 0, "{}", intents.text);
    // The simulator verified the card with a zero authorization.
    let ops = app.get(&format!("/v1/test_helpers/simulator/operations?payment_intent={id}")).await;
    let ops = ops.body["data"].as_array().unwrap().clone();
    assert_eq!(ops.len(), 1, "{ops:?}");
    assert_eq!((ops[0]["operation"].as_str(), ops[0]["amount"].as_i64()), (Some("authorize"), Some(0)));
}

#[tokio::test]
async fn a_declined_card_is_not_saved_and_its_token_is_rejected() {
    let app = spawn_app().await;
    let (session, token) = saved_card(&app, "4000000000000002").await;
    assert_eq!(token["status"], "rejected");
    assert_eq!(token["card"], Value::Null);
    assert_eq!(session["status"], "canceled");
    let id = json_of(&token, "id").to_owned();
    let refused = app.post(&format!("/v1/tokens/{id}/enable"), json!({})).await;
    assert_eq!((refused.status, refused.error()["current_status"].as_str()), (409, Some("rejected")));
    let charged = charge(&app, &app.merchant.secret_key, &id, 500).await;
    assert_eq!((charged.status, charged.error()["param"].as_str()), (409, Some("token")), "{}", charged.text);
    let events = app.get(&format!("/v1/events?related_object={id}")).await;
    assert_eq!(event_types(&events.body)[0], "token.rejected");
}

#[tokio::test]
async fn an_expired_setup_session_rejects_its_token() {
    let app = spawn_app().await;
    let created = app.post("/v1/checkout_sessions", setup_session("a@example.com")).await;
    let id = json_of(&created.body, "id");
    let expired = app.post(&format!("/v1/checkout_sessions/{id}/expire"), json!({})).await;
    assert_eq!(expired.status, 200, "{}", expired.text);
    let token = app.get(&format!("/v1/tokens/{}", json_of(&created.body, "token"))).await;
    assert_eq!(token.body["status"], "rejected");
}

#[tokio::test]
async fn an_active_token_is_charged_without_the_customer_until_it_is_disabled_or_deleted() {
    let app = spawn_app().await;
    let (_, token) = saved_card(&app, "5555555555554444").await;
    let id = json_of(&token, "id").to_owned();
    let key = app.merchant.secret_key.clone();

    let paid = charge(&app, &key, &id, 12_900).await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    assert_eq!(paid.body["token"], id.as_str());
    assert_eq!(paid.body["customer"], "kari@example.com");
    let settled = app.wait_until_settled(json_of(&paid.body, "id")).await;
    assert_eq!(settled["status"], "succeeded", "{settled}");
    assert_eq!(settled["payment_method_details"]["card"]["last4"], "4444");
    let used = app.get(&format!("/v1/events?type=token.used&related_object={id}")).await;
    assert_eq!(used.body["data"][0]["payment_intent"], paid.body["id"], "{}", used.text);

    let disabled = app.post(&format!("/v1/tokens/{id}/disable"), json!({})).await;
    assert_eq!((disabled.status, disabled.body["status"].as_str()), (200, Some("disabled")), "{}", disabled.text);
    let refused = charge(&app, &key, &id, 100).await;
    assert_eq!((refused.status, refused.error()["current_status"].as_str()), (409, Some("disabled")));
    let listed = app.get("/v1/tokens?status=disabled").await;
    assert_eq!(listed.body["data"][0]["id"], id.as_str());

    let enabled = app.post(&format!("/v1/tokens/{id}/enable"), json!({})).await;
    assert_eq!(enabled.body["status"], "active");
    assert_eq!(charge(&app, &key, &id, 100).await.status, 200);

    // Without confirm, or with a card besides the token: refused, naming the field.
    let unconfirmed = app.post("/v1/payment_intents", json!({"amount": 100, "currency": "NOK", "token": id})).await;
    assert_eq!((unconfirmed.status, unconfirmed.error_params()), (422, vec!["confirm".to_owned()]));
    let both = app
        .post(
            "/v1/payment_intents",
            json!({"amount": 100, "currency": "NOK", "token": id, "payment_method": "pm_card_visa", "confirm": true}),
        )
        .await;
    assert_eq!((both.status, both.error_params()), (422, vec!["token".to_owned()]), "{}", both.text);

    let deleted = app.request("DELETE", &format!("/v1/tokens/{id}"), None, Some(&key), None).await;
    assert_eq!((deleted.status, deleted.body["status"].as_str()), (200, Some("deleted")), "{}", deleted.text);
    assert_eq!(app.get(&format!("/v1/tokens/{id}")).await.status, 404);
    assert_eq!(app.request("DELETE", &format!("/v1/tokens/{id}"), None, Some(&key), None).await.status, 404);
    assert_eq!(charge(&app, &key, &id, 100).await.status, 404);
    assert_eq!(app.get("/v1/tokens").await.body["data"].as_array().unwrap().len(), 0);
    let events = app.get(&format!("/v1/events?related_object={id}")).await;
    let mut types = event_types(&events.body);
    types.reverse();
    assert_eq!(
        types,
        [
            "token.created",
            "token.approved",
            "token.used",
            "token.disabled",
            "token.enabled",
            "token.used",
            "token.deleted"
        ]
    );
}

#[tokio::test]
async fn a_token_belongs_to_its_merchant_and_mode() {
    let app = spawn_app().await;
    let (_, token) = saved_card(&app, "4242424242424242").await;
    let id = json_of(&token, "id").to_owned();
    let other = app.create_merchant("Another shop").await;
    let (_, live) = app.create_key(KeyKind::Secret, Mode::Live).await;
    for key in [&other.secret_key, &live] {
        assert_eq!(charge(&app, key, &id, 100).await.status, 404);
        let get = app.request("GET", &format!("/v1/tokens/{id}"), None, Some(key), None).await;
        assert_eq!(get.status, 404);
        let disable = app.request("POST", &format!("/v1/tokens/{id}/disable"), Some(json!({})), Some(key), None).await;
        assert_eq!(disable.status, 404);
    }
    assert_eq!(app.get(&format!("/v1/tokens/{id}")).await.body["status"], "active", "untouched");
}

#[tokio::test]
async fn concurrent_charges_and_a_disable_never_charge_a_disabled_token() {
    let app = spawn_app().await;
    let (_, token) = saved_card(&app, "4242424242424242").await;
    let id = json_of(&token, "id").to_owned();
    let key = app.merchant.secret_key.clone();
    let disable_path = format!("/v1/tokens/{id}/disable");
    let charges = (0..8).map(|_| charge(&app, &key, &id, 100));
    let (answers, disabled) = tokio::join!(join_all(charges), app.post(&disable_path, json!({})));
    assert_eq!(disabled.status, 200);
    let charged: Vec<&str> =
        answers.iter().filter(|a| a.status == 200).map(|a| a.body["id"].as_str().unwrap()).collect();
    assert!(answers.iter().all(|a| a.status == 200 || a.status == 409), "only charged or refused");
    // Each charge that was answered 200 was made while the token was active, and says so.
    let used = app.get(&format!("/v1/events?type=token.used&related_object={id}&limit=100")).await;
    assert_eq!(used.body["data"].as_array().unwrap().len(), charged.len());
}

#[tokio::test]
async fn a_setup_session_takes_no_payment_fields() {
    let app = spawn_app().await;
    let mut body = setup_session("a@example.com");
    body["line_items"] = json!([{"name": "Tea", "quantity": 1, "unit_amount": 100}]);
    body["capture_method"] = json!("manual");
    let refused = app.post("/v1/checkout_sessions", body).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.error_params(), ["line_items", "capture_method"]);
    let bad_mode =
        app.post("/v1/checkout_sessions", json!({"mode": "subscription", "success_url": "https://x.example"})).await;
    assert!(bad_mode.error_params().contains(&"mode".to_owned()), "{}", bad_mode.text);
    // Without a currency, cards are verified in USD.
    let plain = app.post("/v1/checkout_sessions", json!({"mode": "setup", "success_url": "https://x.example"})).await;
    assert_eq!((plain.status, plain.body["currency"].as_str()), (200, Some("USD")), "{}", plain.text);
}
