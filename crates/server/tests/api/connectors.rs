//! Connectors: a merchant's accounts at Vipps, Smartpay and ProBuy. The provider here is the
//! gateway itself: a second merchant whose Vipps, Smartpay and ProBuy faces play the providers,
//! reached over HTTP by the providers' Rust clients as a real provider would be.

use kassa_domain::{KeyKind, Mode};
use kassa_testkit::{TestApp, TestMerchant, TestResponse, json_of, spawn_app};
use serde_json::{Value, json};

/// The three connectors of `provider`'s accounts, as created against this gateway.
fn connectors(app: &TestApp, provider: &TestMerchant) -> [Value; 3] {
    [
        json!({"type": "vipps", "base_url": app.url(""), "description": "Vipps sales unit", "credentials": {
            "client_id": provider.id, "client_secret": provider.secret_key,
            "subscription_key": provider.publishable_key,
            "merchant_serial_number": provider.serial_number.to_string()}}),
        json!({"type": "smartpay", "base_url": app.url("/smartpay/v1"),
            "credentials": {"secret_key": provider.secret_key}}),
        json!({"type": "probuy", "base_url": app.url("/probuy/"), "credentials": {"api_token": provider.secret_key}}),
    ]
}

fn refused(res: &TestResponse, status: u16, code: &str) {
    assert_eq!((res.status, res.error()["code"].as_str()), (status, Some(code)), "{}", res.text);
}

#[tokio::test]
async fn connectors_are_checked_with_their_provider_and_never_show_their_credentials() {
    let app = spawn_app().await;
    let provider = app.create_merchant("The provider").await;
    let mut ids = Vec::new();
    for body in connectors(&app, &provider) {
        let created = app.post("/v1/connectors", body.clone()).await;
        assert_eq!(created.status, 200, "{}", created.text);
        assert!(!created.text.contains(&provider.secret_key), "no credential in an answer: {}", created.text);
        assert_eq!(created.body["object"], "connector");
        assert_eq!(
            (created.body["type"].as_str(), created.body["livemode"].as_bool()),
            (body["type"].as_str(), Some(false))
        );
        assert_eq!(created.body["status"], "active");
        assert!(json_of(&created.body, "id").starts_with("conn_"));
        ids.push(json_of(&created.body, "id").to_owned());
    }
    assert_eq!(
        app.get(&format!("/v1/connectors/{}", ids[2])).await.body["base_url"],
        app.url("/probuy"),
        "kept without its trailing slash"
    );
    let listed = app.get("/v1/connectors").await;
    let newest_first: Vec<&str> = listed.body["data"].as_array().unwrap().iter().map(|c| json_of(c, "id")).collect();
    assert_eq!(newest_first, [&ids[2], &ids[1], &ids[0]]);
    assert!(!listed.text.contains(&provider.secret_key));
    // Sealed at rest: a copy of the database does not hold them.
    let stored = app.database.texts("SELECT credentials FROM connectors").await;
    assert_eq!(stored.len(), 3);
    for text in stored {
        assert!(!text.contains(&provider.secret_key) && !text.contains(&provider.publishable_key), "{text}");
    }
    for text in app.database.texts("SELECT body FROM idempotency_answers").await {
        assert!(!text.contains(&provider.secret_key), "no credential in a kept answer");
    }
    // Other merchants and the live mode see none of them.
    let other = app.create_merchant("Another shop").await;
    let foreign = app.request("GET", &format!("/v1/connectors/{}", ids[0]), None, Some(&other.secret_key), None).await;
    assert_eq!(foreign.status, 404);
    let (_, live) = app.create_key(KeyKind::Secret, Mode::Live).await;
    let live_list = app.request("GET", "/v1/connectors", None, Some(&live), None).await;
    assert_eq!(live_list.body["data"], json!([]));
}

#[tokio::test]
async fn credentials_the_provider_refuses_are_refused_in_its_words_and_nothing_is_kept() {
    let app = spawn_app().await;
    let provider = app.create_merchant("The provider").await;
    let [mut vipps, mut smartpay, mut probuy] = connectors(&app, &provider);
    vipps["credentials"]["client_secret"] = json!("sk_test_000000000000000000000000wrong");
    smartpay["credentials"]["secret_key"] = json!("sk_test_000000000000000000000000wrong");
    probuy["credentials"]["api_token"] = json!("not-a-token");
    for body in [vipps, smartpay, probuy] {
        let res = app.post("/v1/connectors", body.clone()).await;
        refused(&res, 422, "connector_credentials_invalid");
        assert_eq!(res.error()["param"], "credentials");
        assert!(res.error()["message"].as_str().unwrap().starts_with(body["type"].as_str().unwrap()), "{}", res.text);
    }
    assert_eq!(app.get("/v1/connectors").await.body["data"], json!([]));
}

#[tokio::test]
async fn every_bad_field_is_named_and_a_merchant_has_one_connector_per_provider_and_mode() {
    let app = spawn_app().await;
    let provider = app.create_merchant("The provider").await;
    let unknown = app.post("/v1/connectors", json!({"type": "paypal", "credentials": {}})).await;
    assert_eq!((unknown.status, unknown.error_params()), (422, vec!["type".to_owned()]), "{}", unknown.text);
    let fields = app
        .post(
            "/v1/connectors",
            json!({"type": "vipps", "base_url": "ftp://x", "credentials": {"client_id": "", "pin": "1234",
                "client_secret": "s\r\nX-Injected: 1", "subscription_key": "k"}}),
        )
        .await;
    let mut params = fields.error_params();
    params.sort();
    assert_eq!(
        params,
        [
            "base_url",
            "credentials[client_id]",
            "credentials[client_secret]",
            "credentials[merchant_serial_number]",
            "credentials[pin]"
        ],
        "{}",
        fields.text
    );
    let not_a_url = app
        .post(
            "/v1/connectors",
            json!({"type": "probuy", "base_url": "http://exa^mple", "credentials": {"api_token": "t"}}),
        )
        .await;
    assert_eq!(not_a_url.error_params(), ["base_url"], "a URL the client could not send to: {}", not_a_url.text);
    let missing = app.post("/v1/connectors", json!({"type": "probuy"})).await;
    assert_eq!(missing.error_params(), ["credentials"], "{}", missing.text);

    let [vipps, ..] = connectors(&app, &provider);
    let first = app.post("/v1/connectors", vipps.clone()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    refused(&app.post("/v1/connectors", vipps.clone()).await, 409, "connector_exists");
    // Live mode reaches its provider over https only (refused before anything is asked).
    let (_, live) = app.create_key(KeyKind::Secret, Mode::Live).await;
    let live_http = app.request("POST", "/v1/connectors", Some(vipps.clone()), Some(&live), None).await;
    assert_eq!((live_http.status, live_http.error_params()), (422, vec!["base_url".to_owned()]), "{}", live_http.text);
    let mut internal = vipps.clone();
    internal["base_url"] = json!("https://10.0.0.8/vipps");
    let live_internal = app.request("POST", "/v1/connectors", Some(internal), Some(&live), None).await;
    assert_eq!(
        live_internal.error_params(),
        ["base_url"],
        "live connectors reach public hosts: {}",
        live_internal.text
    );

    // Rotation is checked like a creation; a refused one changes nothing.
    let id = json_of(&first.body, "id");
    let mut wrong = vipps["credentials"].clone();
    wrong["client_secret"] = json!("sk_test_000000000000000000000000wrong");
    let rotated = app.post(&format!("/v1/connectors/{id}"), json!({"credentials": wrong})).await;
    refused(&rotated, 422, "connector_credentials_invalid");
    let renamed = app.post(&format!("/v1/connectors/{id}"), json!({"description": "Oslo shop"})).await;
    assert_eq!((renamed.status, renamed.body["description"].as_str()), (200, Some("Oslo shop")), "{}", renamed.text);
    let good = app.post(&format!("/v1/connectors/{id}"), json!({"credentials": vipps["credentials"]})).await;
    assert_eq!(good.status, 200, "{}", good.text);

    // Deleted, it is gone, and the provider may be connected again.
    let deleted =
        app.request("DELETE", &format!("/v1/connectors/{id}"), None, Some(&app.merchant.secret_key), None).await;
    assert_eq!((deleted.status, deleted.body["deleted"].as_bool()), (200, Some(true)), "{}", deleted.text);
    assert_eq!(app.get(&format!("/v1/connectors/{id}")).await.status, 404);
    assert_eq!(app.post("/v1/connectors", vipps).await.status, 200);
}
