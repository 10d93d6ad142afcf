//! The Stripe face on its own listener, spoken to as Stripe's SDKs speak (form-encoded,
//! Bearer or Basic key). The official stripe-node runs against it in `compat/stripe`; these
//! tests hold what an SDK cannot show: the wire itself and one merchant's isolation from
//! another's.

use kassa_testkit::{TestApp, TestResponse, json_of, spawn_app};

async fn stripe(app: &TestApp, method: &str, path: &str, form: &str, key: &str) -> TestResponse {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let req = app
        .client
        .request(method, app.stripe_url(path))
        .bearer_auth(key)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned());
    TestResponse::from(req.send().await.unwrap()).await
}

#[tokio::test]
async fn a_form_encoded_payment_is_confirmed_with_its_outcome_and_declines_are_402s() {
    let app = spawn_app().await;
    let key = app.merchant.secret_key.clone();
    let form = "amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&expand[0]=amount";
    let refused = stripe(&app, "POST", "/v1/payment_intents", form, &key).await;
    assert_eq!(refused.status, 400, "an amount is no object to expand: {}", refused.text);
    assert_eq!(refused.error()["param"], "expand");
    let listed = stripe(&app, "GET", "/v1/payment_intents", "", &key).await;
    assert_eq!(listed.body["data"], serde_json::json!([]), "refused before anything was made");
    let form = "amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&metadata[order]=6735\
        &expand[]=latest_charge";
    let paid = stripe(&app, "POST", "/v1/payment_intents", form, &key).await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    assert_eq!(
        (paid.body["status"].as_str(), paid.body["amount_received"].as_i64(), paid.body["metadata"]["order"].as_str()),
        (Some("succeeded"), Some(2000), Some("6735"))
    );
    let charge = &paid.body["latest_charge"];
    assert_eq!(
        (charge["object"].as_str(), charge["amount_captured"].as_i64(), charge["paid"].as_bool()),
        (Some("charge"), Some(2000), Some(true)),
        "expanded: {}",
        paid.text
    );
    assert!(paid.header("request-id").is_some_and(|r| r.starts_with("req_")));
    assert_eq!(paid.header("stripe-version"), Some(kassa_server::faces::stripe::API_VERSION));

    let declined = "amount=2000&currency=usd&confirm=true&payment_method=pm_card_chargeDeclinedExpiredCard";
    let declined = stripe(&app, "POST", "/v1/payment_intents", declined, &key).await;
    assert_eq!(declined.status, 402, "{}", declined.text);
    let error = declined.error();
    assert_eq!((error["type"].as_str(), error["code"].as_str()), (Some("card_error"), Some("expired_card")));
    assert_eq!(error["payment_intent"]["status"], "requires_payment_method", "{}", declined.text);
    assert_eq!(declined.header("stripe-should-retry"), Some("false"));

    let every_bad_field = stripe(&app, "POST", "/v1/payment_intents", "amount=ten&currency=usdollar&tip=1", &key).await;
    assert_eq!(every_bad_field.status, 400, "{}", every_bad_field.text);
    let message = every_bad_field.error()["message"].as_str().unwrap();
    assert!(["amount", "currency", "tip"].iter().all(|p| message.contains(p)), "every bad field named: {message}");
}

#[tokio::test]
async fn one_merchant_never_sees_another_s_payments_and_basic_auth_works_as_for_other_sdks() {
    let app = spawn_app().await;
    let other = app.create_merchant("Another shop").await;
    let form = "amount=500&currency=eur";
    let mine = stripe(&app, "POST", "/v1/payment_intents", form, &app.merchant.secret_key).await;
    let id = json_of(&mine.body, "id");
    let theirs = stripe(&app, "GET", &format!("/v1/payment_intents/{id}"), "", &other.secret_key).await;
    assert_eq!(theirs.status, 404, "{}", theirs.text);
    assert_eq!(theirs.error()["code"], "resource_missing");
    let listed = stripe(&app, "GET", "/v1/payment_intents", "", &other.secret_key).await;
    assert_eq!(listed.body["data"], serde_json::json!([]), "{}", listed.text);

    let basic = app
        .client
        .get(app.stripe_url(&format!("/v1/payment_intents/{id}")))
        .basic_auth(&app.merchant.secret_key, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status().as_u16(), 200);
    let nobody = app.client.get(app.stripe_url("/v1/payment_intents")).send().await.unwrap();
    assert_eq!(nobody.status().as_u16(), 401);
    let native = app.client.get(app.stripe_url("/v1/connectors")).bearer_auth(&app.merchant.secret_key).send().await;
    let native = TestResponse::from(native.unwrap()).await;
    assert_eq!(native.status, 404, "Kassa's own API is not on Stripe's listener: {}", native.text);
    assert!(native.error()["message"].as_str().unwrap().contains("Unrecognized request URL"));
}
