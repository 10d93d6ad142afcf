//! API keys: who may call, and which data they see.

use kassa_domain::{KeyKind, Mode};
use kassa_testkit::spawn_app;
use serde_json::json;

#[tokio::test]
async fn missing_malformed_and_unknown_keys_are_401() {
    let app = spawn_app().await;
    let none = app.request("GET", "/v1/payment_intents", None, None, None).await;
    assert_eq!((none.status, none.error()["code"].as_str()), (401, Some("missing_api_key")));
    assert_eq!(none.error()["type"], "authentication_error");
    for bad in ["sk_test_nope", "sk_test_'; DROP TABLE merchants; --", &"x".repeat(500)] {
        let res = app.request("GET", "/v1/payment_intents", None, Some(bad), None).await;
        assert_eq!((res.status, res.error()["code"].as_str()), (401, Some("invalid_api_key")), "{bad}");
    }
}

#[tokio::test]
async fn basic_auth_with_the_key_as_user_name_works() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/v1/payment_intents"))
        .basic_auth(&app.merchant.secret_key, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn revoked_keys_stop_working_at_once() {
    let app = spawn_app().await;
    let (key_id, key) = app.create_key(KeyKind::Secret, Mode::Test).await;
    assert_eq!(app.request("GET", "/v1/payment_intents", None, Some(&key), None).await.status, 200);
    app.app.revoke_api_key(&key_id).await.unwrap();
    let res = app.request("GET", "/v1/payment_intents", None, Some(&key), None).await;
    assert_eq!((res.status, res.error()["code"].as_str()), (401, Some("api_key_revoked")));
    // The merchant's other key is unaffected.
    assert_eq!(app.get("/v1/payment_intents").await.status, 200);
}

#[tokio::test]
async fn publishable_keys_are_refused_on_secret_endpoints() {
    let app = spawn_app().await;
    let pk = app.merchant.publishable_key.clone();
    for (method, path) in [("GET", "/v1/payment_intents"), ("POST", "/v1/payment_intents"), ("GET", "/v1/events")] {
        let body = (method == "POST").then(|| json!({"amount": 100, "currency": "USD"}));
        let res = app.request(method, path, body, Some(&pk), None).await;
        assert_eq!(res.status, 403, "{method} {path}");
        assert_eq!(res.error()["type"], "permission_error");
    }
}

#[tokio::test]
async fn another_merchants_objects_are_404() {
    let app = spawn_app().await;
    let pi = app.succeeded_intent(1000).await;
    let pi_id = pi["id"].as_str().unwrap();
    let refund = app.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 100})).await;
    let refund_id = refund.body["id"].as_str().unwrap();
    let events = app.get("/v1/events").await;
    let event_id = events.body["data"][0]["id"].as_str().unwrap();

    let other = app.create_merchant("Other").await;
    let sk = Some(other.secret_key.as_str());
    for path in [
        format!("/v1/payment_intents/{pi_id}"),
        format!("/v1/payment_intents/{pi_id}/events"),
        format!("/v1/refunds/{refund_id}"),
        format!("/v1/events/{event_id}"),
    ] {
        let res = app.request("GET", &path, None, sk, None).await;
        assert_eq!((res.status, res.error()["code"].as_str()), (404, Some("resource_missing")), "{path}");
    }
    for (path, body) in [
        (format!("/v1/payment_intents/{pi_id}/cancel"), json!({})),
        (format!("/v1/payment_intents/{pi_id}/capture"), json!({})),
        (format!("/v1/payment_intents/{pi_id}"), json!({"description": "mine now"})),
        (format!("/v1/refunds/{refund_id}"), json!({"metadata": {"a": "b"}})),
        ("/v1/refunds".to_owned(), json!({"payment_intent": pi_id})),
    ] {
        let res = app.request("POST", &path, Some(body), sk, None).await;
        assert_eq!(res.status, 404, "{path}: {}", res.text);
    }
    // Lists see nothing of the first merchant.
    for path in ["/v1/payment_intents", "/v1/refunds", "/v1/events"] {
        let res = app.request("GET", path, None, sk, None).await;
        assert_eq!(res.body["data"].as_array().unwrap().len(), 0, "{path}");
    }
    // And the first merchant's data is untouched.
    let again = app.get(&format!("/v1/payment_intents/{pi_id}")).await;
    assert_eq!(again.body["amount_refunded"], 100);
}

#[tokio::test]
async fn test_and_live_keys_see_disjoint_data() {
    let app = spawn_app().await;
    let (_, live) = app.create_key(KeyKind::Secret, Mode::Live).await;
    let test_pi = app.create_payment_intent(json!({"amount": 500, "currency": "EUR"})).await;
    assert_eq!(test_pi["livemode"], false);

    let res = app
        .request("GET", &format!("/v1/payment_intents/{}", test_pi["id"].as_str().unwrap()), None, Some(&live), None)
        .await;
    assert_eq!(res.status, 404);
    let live_pi = app
        .request("POST", "/v1/payment_intents", Some(json!({"amount": 700, "currency": "EUR"})), Some(&live), None)
        .await;
    assert_eq!((live_pi.status, live_pi.body["livemode"].as_bool()), (200, Some(true)));
    let live_list = app.request("GET", "/v1/payment_intents", None, Some(&live), None).await;
    let ids: Vec<_> = live_list.body["data"].as_array().unwrap().iter().map(|p| p["id"].clone()).collect();
    assert_eq!(ids, vec![live_pi.body["id"].clone()]);
    let test_list = app.get("/v1/payment_intents").await;
    assert_eq!(test_list.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(test_list.body["data"][0]["id"], test_pi["id"]);
}

#[tokio::test]
async fn test_cards_are_refused_in_live_mode() {
    let app = spawn_app().await;
    let (_, live) = app.create_key(KeyKind::Secret, Mode::Live).await;
    let named = app
        .request(
            "POST",
            "/v1/payment_intents",
            Some(json!({"amount": 700, "currency": "EUR", "payment_method": "pm_card_visa"})),
            Some(&live),
            None,
        )
        .await;
    assert_eq!((named.status, named.error()["code"].as_str()), (422, Some("testmode_payment_method_in_livemode")));
    let raw = app
        .request(
            "POST",
            "/v1/payment_intents",
            Some(json!({"amount": 700, "currency": "EUR", "payment_method_data": {"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}}})),
            Some(&live),
            None,
        )
        .await;
    assert_eq!(raw.status, 422, "{}", raw.text);
    assert_eq!(raw.error()["param"], "payment_method_data[card][number]");
    assert_eq!(raw.error()["code"], "no_card_processor", "live mode takes no card at all");
}
