//! Bad input: always a 4xx in the standard shape naming every bad field, never a 5xx, and
//! nothing written.

use kassa_testkit::spawn_app;
use serde_json::{Value, json};

async fn create_error(app: &kassa_testkit::TestApp, body: Value) -> kassa_testkit::TestResponse {
    let res = app.post("/v1/payment_intents", body).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.error()["type"], "validation_error");
    res
}

#[tokio::test]
async fn amounts_must_be_positive_integers_in_range() {
    let app = spawn_app().await;
    for (amount, code) in [
        (json!(25.99), "invalid_amount"),
        (json!(2599.0), "invalid_amount"),
        (json!(1e3), "invalid_amount"),
        (json!(0), "invalid_amount"),
        (json!(-100), "invalid_amount"),
        (json!("2599"), "invalid_amount"),
        (json!(true), "invalid_amount"),
        (json!(100_000_000_000i64), "amount_too_large"),
        (json!(18446744073709551615u64), "amount_too_large"),
        (json!(1e300), "invalid_amount"),
    ] {
        let res = create_error(&app, json!({"amount": amount, "currency": "USD"})).await;
        assert_eq!(res.error()["param"], "amount", "{amount}");
        assert_eq!(res.error()["code"], code, "{amount}");
    }
    let max = app.post("/v1/payment_intents", json!({"amount": 99_999_999_999i64, "currency": "USD"})).await;
    assert_eq!(max.status, 200, "{}", max.text);
    // Nothing was written by the refused requests.
    assert_eq!(app.get("/v1/payment_intents").await.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn currencies_must_be_uppercase_iso_4217() {
    let app = spawn_app().await;
    for currency in [json!("usd"), json!("XXX"), json!("US"), json!("ABC"), json!(840)] {
        let res = create_error(&app, json!({"amount": 100, "currency": currency})).await;
        assert_eq!(res.error()["param"], "currency", "{currency}");
    }
    for code in ["JPY", "KWD", "NOK"] {
        let ok = app.post("/v1/payment_intents", json!({"amount": 100, "currency": code})).await;
        assert_eq!((ok.status, ok.body["currency"].as_str()), (200, Some(code)));
    }
}

#[tokio::test]
async fn every_invalid_field_is_listed_at_once() {
    let app = spawn_app().await;
    let res = create_error(
        &app,
        json!({
            "amount": -1,
            "currency": "usd",
            "capture_method": "later",
            "confirm": "yes",
            "description": 5,
            "statement_descriptor": "<script>",
            "metadata": {"k": 1},
            "amout": 5,
        }),
    )
    .await;
    let mut params = res.error_params();
    params.sort();
    assert_eq!(
        params,
        [
            "amount",
            "amout",
            "capture_method",
            "confirm",
            "currency",
            "description",
            "metadata[k]",
            "statement_descriptor"
        ]
    );
    let unknown = res.error()["details"].as_array().unwrap().iter().find(|d| d["param"] == "amout").unwrap().clone();
    assert_eq!(unknown["code"], "parameter_unknown");
}

#[tokio::test]
async fn missing_required_fields_are_named() {
    let app = spawn_app().await;
    let res = create_error(&app, json!({})).await;
    let mut params = res.error_params();
    params.sort();
    assert_eq!(params, ["amount", "currency"]);
    assert!(res.error()["details"].as_array().unwrap().iter().all(|d| d["code"] == "parameter_missing"));
}

#[tokio::test]
async fn card_data_errors_name_each_nested_field() {
    let app = spawn_app().await;
    let res = create_error(
        &app,
        json!({
            "amount": 100, "currency": "USD",
            "payment_method_data": {"type": "card", "card": {"number": "4242424242424241", "exp_month": 13, "exp_year": 2040, "cvc": "12", "nickname": "x"}},
        }),
    )
    .await;
    let mut params = res.error_params();
    params.sort();
    assert_eq!(
        params,
        [
            "payment_method_data[card][exp_month]",
            "payment_method_data[card][nickname]",
            "payment_method_data[card][number]",
        ]
    );
    let expired = create_error(
        &app,
        json!({"amount": 100, "currency": "USD", "payment_method_data": {"card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2020, "cvc": "123"}}}),
    )
    .await;
    assert_eq!(expired.error_params(), ["payment_method_data[card][exp_year]"]);
    let cvc = create_error(
        &app,
        json!({"amount": 100, "currency": "USD", "payment_method_data": {"card": {"number": "378282246310005", "exp_month": 1, "exp_year": 2040, "cvc": "123"}}}),
    )
    .await;
    assert_eq!(cvc.error_params(), ["payment_method_data[card][cvc]"]);
    let missing =
        create_error(&app, json!({"amount": 100, "currency": "USD", "payment_method_data": {"type": "card"}})).await;
    assert_eq!(missing.error_params(), ["payment_method_data[card]"]);
    let both = create_error(
        &app,
        json!({"amount": 100, "currency": "USD", "payment_method": "pm_card_visa", "payment_method_data": {"card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2040, "cvc": "123"}}}),
    )
    .await;
    assert_eq!(both.error_params(), ["payment_method_data"]);
}

#[tokio::test]
async fn the_card_number_is_never_echoed_or_stored() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/v1/payment_intents",
            json!({"amount": 100, "currency": "USD", "payment_method_data": {"type": "card", "card": {"number": "5555 5555 5555 4444", "exp_month": 12, "exp_year": 2040, "cvc": "123"}}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(!res.text.contains("5555555555554444") && !res.text.contains("5555 5555"), "{}", res.text);
    let card = &res.body["payment_method_details"]["card"];
    assert_eq!((card["brand"].as_str(), card["last4"].as_str()), (Some("mastercard"), Some("4444")));
    assert!(res.body["payment_method"].as_str().unwrap().starts_with("pm_"));
    // The same card gets the same fingerprint; another card another.
    let again = app
        .post(
            "/v1/payment_intents",
            json!({"amount": 100, "currency": "USD", "payment_method_data": {"card": {"number": "5555555555554444", "exp_month": 1, "exp_year": 2041, "cvc": "999"}}}),
        )
        .await;
    assert_eq!(again.body["payment_method_details"]["card"]["fingerprint"], card["fingerprint"]);
    let visa = app
        .post("/v1/payment_intents", json!({"amount": 100, "currency": "USD", "payment_method": "pm_card_visa"}))
        .await;
    assert_ne!(visa.body["payment_method_details"]["card"]["fingerprint"], card["fingerprint"]);
    if let Some(dir) = app.database.sqlite_dir() {
        // Checkpoint-free scan of the database files for the number.
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("5555555555554444"), "card number found in the database files");
        }
    }
}

#[tokio::test]
async fn metadata_limits() {
    let app = spawn_app().await;
    let too_many: serde_json::Map<String, Value> = (0..21).map(|i| (format!("k{i}"), json!("v"))).collect();
    for metadata in [json!(too_many), json!({"k": "v".repeat(501)}), json!({"k".repeat(41): "v"}), json!(["a"])] {
        let res = create_error(&app, json!({"amount": 100, "currency": "USD", "metadata": metadata})).await;
        assert_eq!(res.error()["param"], "metadata");
    }
}

#[tokio::test]
async fn list_parameters_are_validated() {
    let app = spawn_app().await;
    for query in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "page_token=nonsense",
        "status=paid",
        "created[gte]=yesterday",
        "colour=red",
        "limit=5&limit=6",
    ] {
        let res = app.get(&format!("/v1/payment_intents?{query}")).await;
        assert_eq!(res.status, 422, "{query}: {}", res.text);
        assert_eq!(res.error()["type"], "validation_error", "{query}");
    }
    let res = app.get("/v1/payment_intents?limit=0&status=paid&colour=red").await;
    let mut params = res.error_params();
    params.sort();
    assert_eq!(params, ["colour", "limit", "status"]);
    assert_eq!(app.get("/v1/payment_intents?limit=100").await.status, 200);
}

#[tokio::test]
async fn malformed_ids_are_simply_not_found() {
    let app = spawn_app().await;
    for path in [
        "/v1/payment_intents/pi_123",
        "/v1/payment_intents/re_abc",
        "/v1/refunds/nope",
        "/v1/events/evt_%27%20OR%201=1",
    ] {
        let res = app.get(path).await;
        assert_eq!((res.status, res.error()["code"].as_str()), (404, Some("resource_missing")), "{path}");
    }
    let res = app.post("/v1/payment_intents/pi_123/confirm", json!({"payment_method": "pm_card_visa"})).await;
    assert_eq!(res.status, 404);
}

#[tokio::test]
async fn unknown_test_payment_methods_are_refused() {
    let app = spawn_app().await;
    let res = create_error(&app, json!({"amount": 100, "currency": "USD", "payment_method": "pm_card_platinum"})).await;
    assert_eq!(
        (res.error()["param"].as_str(), res.error()["code"].as_str()),
        (Some("payment_method"), Some("invalid_payment_method"))
    );
    let res = create_error(&app, json!({"amount": 100, "currency": "USD", "confirm": true})).await;
    assert_eq!(res.error()["param"], "payment_method");
}
