//! Health, the OpenAPI document, and the error shape on routes no handler owns.

use kassa_testkit::spawn_app;
use serde_json::json;

#[tokio::test]
async fn health_and_readiness_need_no_key() {
    let app = spawn_app().await;
    let health = app.request("GET", "/health", None, None, None).await;
    assert_eq!((health.status, health.body["status"].as_str()), (200, Some("ok")));
    let ready = app.request("GET", "/ready", None, None, None).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    let expected = if app.database.is_postgres() { "postgres" } else { "sqlite" };
    assert_eq!(ready.body["database"], expected);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    for res in [app.get("/v1/payment_intents").await, app.request("GET", "/nowhere", None, None, None).await] {
        let id = res.header("request-id").expect("a Request-Id header");
        assert!(id.starts_with("req_") && id.len() == 28, "{id}");
    }
    let err = app.request("GET", "/v1/payment_intents", None, None, None).await;
    assert_eq!(err.error()["request_id"].as_str(), err.header("request-id"));
}

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let app = spawn_app().await;
    let doc = app.request("GET", "/v1/openapi.json", None, None, None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc.body["openapi"]);
    let paths = doc.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/v1/payment_intents", "post"),
        ("/v1/payment_intents", "get"),
        ("/v1/payment_intents/{id}", "get"),
        ("/v1/payment_intents/{id}", "post"),
        ("/v1/payment_intents/{id}/confirm", "post"),
        ("/v1/payment_intents/{id}/capture", "post"),
        ("/v1/payment_intents/{id}/cancel", "post"),
        ("/v1/payment_intents/{id}/events", "get"),
        ("/v1/refunds", "post"),
        ("/v1/refunds", "get"),
        ("/v1/refunds/{id}", "get"),
        ("/v1/refunds/{id}", "post"),
        ("/v1/events", "get"),
        ("/v1/events/{id}", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing from OpenAPI");
    }
    let schemas = doc.body["components"]["schemas"].as_object().unwrap();
    let pi = &schemas["PaymentIntent"]["properties"];
    for field in ["amount_authorized", "amount_captured", "amount_refunded", "amount_canceled", "status"] {
        assert!(pi.get(field).is_some(), "PaymentIntent schema lacks {field}");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_errors() {
    let app = spawn_app().await;
    let missing = app.get("/v1/nothing_here").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error()["type"], "invalid_request_error");
    assert_eq!(missing.error()["code"], "route_not_found");

    let wrong_method = app.request("DELETE", "/v1/payment_intents", None, Some(&app.merchant.secret_key), None).await;
    assert_eq!(wrong_method.status, 405, "{}", wrong_method.text);
    assert_eq!(wrong_method.error()["code"], "method_not_allowed");
    assert!(wrong_method.header("allow").is_some_and(|a| a.contains("POST")));
}

#[tokio::test]
async fn malformed_json_is_a_400_in_the_standard_shape() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/v1/payment_intents"))
        .bearer_auth(&app.merchant.secret_key)
        .header("content-type", "application/json")
        .body("{\"amount\": 100,")
        .send()
        .await
        .unwrap();
    let res = kassa_testkit::TestResponse::from(res).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.error()["type"], "invalid_request_error");
    assert_eq!(res.error()["code"], "invalid_json");

    let array = app.post("/v1/payment_intents", json!([1, 2])).await;
    assert_eq!((array.status, array.error()["code"].as_str()), (400, Some("invalid_json")));
}

#[tokio::test]
async fn bodies_over_the_limit_are_a_413() {
    let app = spawn_app_with_small_body_limit().await;
    let big = "x".repeat(5_000);
    let res = app.post("/v1/payment_intents", json!({"amount": 100, "currency": "USD", "description": big})).await;
    assert_eq!(res.status, 413, "{}", res.text);
    assert_eq!(res.error()["type"], "invalid_request_error");
    // With an idempotency key the body is read earlier, by the idempotency layer.
    let res = app
        .post_idempotent(
            "/v1/payment_intents",
            json!({"amount": 100, "currency": "USD", "description": "x".repeat(5_000)}),
            "k1",
        )
        .await;
    assert_eq!(res.status, 413, "{}", res.text);
    assert_eq!(res.error()["code"], "body_too_large");
}

async fn spawn_app_with_small_body_limit() -> kassa_testkit::TestApp {
    kassa_testkit::spawn_app_with(|c| c.body_limit = 4 * 1024).await
}

#[tokio::test]
async fn non_json_content_type_is_refused() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/v1/payment_intents"))
        .bearer_auth(&app.merchant.secret_key)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("amount=100&currency=USD")
        .send()
        .await
        .unwrap();
    let res = kassa_testkit::TestResponse::from(res).await;
    assert_eq!((res.status, res.error()["code"].as_str()), (415, Some("unsupported_content_type")));
}
