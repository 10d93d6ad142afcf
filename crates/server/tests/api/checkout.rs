//! Checkout sessions, coupons and promotion codes over the API.

use kassa_testkit::{TestApp, json_of, spawn_app};
use serde_json::{Value, json};
use std::time::Duration;

fn order() -> Value {
    json!({
        "currency": "SAR",
        "line_items": [
            {"name": "Dates, 1 kg", "type": "physical", "reference": "SKU-1", "quantity": 2, "unit_amount": 4500, "discount_amount": 500, "tax_amount": 600},
            {"name": "E-book", "type": "digital", "quantity": 1, "unit_amount": 2000}
        ],
        "shipping_amount": 1500,
        "tax_amount": 300,
        "consumer": {"first_name": "Sara", "last_name": "Ali", "email": "Sara@Example.com", "phone_number": "+966500000001"},
        "shipping_address": {"line1": "King Fahd Rd 1", "city": "Riyadh", "country_code": "SA"},
        "success_url": "https://shop.example/paid",
        "cancel_url": "https://shop.example/cart",
        "failure_url": "https://shop.example/failed",
        "order_reference": "ref-1001",
        "order_number": "1001",
        "locale": "ar",
        "metadata": {"cart": "c-9"}
    })
}

async fn session(app: &TestApp, body: Value) -> Value {
    let res = app.post("/v1/checkout_sessions", body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

#[tokio::test]
async fn a_session_computes_its_totals_and_creates_its_payment() {
    let app = spawn_app().await;
    let cs = session(&app, order()).await;
    assert!(json_of(&cs, "id").starts_with("cs_"));
    assert_eq!((cs["status"].as_str(), cs["payment_status"].as_str()), (Some("open"), Some("unpaid")));
    // 2×4500 − 500 + 2000 = 10500 base; taxes 600 + 300; shipping 1500.
    assert_eq!(
        (
            cs["amount_subtotal"].as_i64(),
            cs["amount_discount"].as_i64(),
            cs["amount_tax"].as_i64(),
            cs["amount_shipping"].as_i64(),
            cs["amount_total"].as_i64()
        ),
        (Some(11000), Some(500), Some(900), Some(1500), Some(12900))
    );
    assert_eq!(cs["url"].as_str().unwrap(), app.url(&format!("/checkout/{}", json_of(&cs, "id"))));
    assert_eq!(cs["locale"], "ar");
    let expires =
        time::OffsetDateTime::parse(json_of(&cs, "expires_at"), &time::format_description::well_known::Rfc3339)
            .unwrap();
    let created =
        time::OffsetDateTime::parse(json_of(&cs, "created_at"), &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert_eq!((expires - created).whole_seconds(), 1800, "30 minutes by default");
    let pi = app.get(&format!("/v1/payment_intents/{}", json_of(&cs, "payment_intent"))).await.body;
    assert_eq!(
        (pi["amount"].as_i64(), pi["currency"].as_str(), pi["status"].as_str()),
        (Some(12900), Some("SAR"), Some("requires_payment_method"))
    );
    assert_eq!(pi["metadata"]["checkout_session"], cs["id"]);
    let expanded = app.get(&format!("/v1/checkout_sessions/{}?expand[]=payment_intent", json_of(&cs, "id"))).await.body;
    assert_eq!(expanded["payment_intent"]["id"], pi["id"]);
    let with_total = session(&app, {
        let mut o = order();
        o["amount_total"] = json!(12900);
        o
    })
    .await;
    assert_eq!(with_total["amount_total"], 12900);
}

#[tokio::test]
async fn a_total_that_does_not_match_its_lines_is_refused() {
    let app = spawn_app().await;
    let mut body = order();
    body["amount_total"] = json!(12000);
    let res = app.post("/v1/checkout_sessions", body).await;
    assert_eq!(
        (res.status, res.error()["param"].as_str(), res.error()["code"].as_str()),
        (422, Some("amount_total"), Some("amount_total_mismatch"))
    );
    assert!(res.error()["message"].as_str().unwrap().contains("12900"));
    assert_eq!(app.get("/v1/checkout_sessions").await.body["data"].as_array().unwrap().len(), 0, "nothing written");
    assert_eq!(app.get("/v1/payment_intents").await.body["data"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn every_invalid_field_of_a_session_is_named() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/v1/checkout_sessions",
            json!({
                "mode": "subscription",
                "currency": "sar",
                "line_items": [{"name": "A", "quantity": 0, "unit_amount": 1.5}, {"quantity": 1, "unit_amount": 100, "type": "service"}, "x"],
                "consumer": {"email": "nobody"},
                "billing_address": {"country_code": "Saudi"},
                "success_url": "/relative",
                "locale": "fr",
                "expires_in": 0,
                "colour": "red"
            }),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    let mut params = res.error_params();
    params.sort();
    assert_eq!(
        params,
        [
            "billing_address[country_code]",
            "colour",
            "consumer[email]",
            "currency",
            "expires_in",
            "line_items[0][quantity]",
            "line_items[0][unit_amount]",
            "line_items[1][name]",
            "line_items[1][type]",
            "line_items[2]",
            "locale",
            "mode",
            "success_url",
        ]
    );
    let missing = app.post("/v1/checkout_sessions", json!({})).await;
    let mut params = missing.error_params();
    params.sort();
    assert_eq!(params, ["currency", "line_items", "success_url"]);
    let mut long = order();
    long["expires_in"] = json!(100_000);
    assert_eq!(app.post("/v1/checkout_sessions", long).await.error()["param"], "expires_in");
}

#[tokio::test]
async fn sessions_expire_on_time_or_when_the_merchant_says() {
    let app = spawn_app().await;
    let mut short = order();
    short["expires_in"] = json!(1);
    let cs = session(&app, short).await;
    let id = json_of(&cs, "id").to_owned();
    let mut expired = Value::Null;
    for _ in 0..100 {
        expired = app.get(&format!("/v1/checkout_sessions/{id}")).await.body;
        if expired["status"] == "expired" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(expired["status"], "expired");
    let pi = app.get(&format!("/v1/payment_intents/{}", json_of(&cs, "payment_intent"))).await.body;
    assert_eq!((pi["status"].as_str(), pi["cancellation_reason"].as_str()), (Some("canceled"), Some("abandoned")));
    let events = app
        .get(&format!("/v1/events?type=checkout.session.expired&related_object={}", json_of(&cs, "payment_intent")))
        .await
        .body;
    assert_eq!(events["data"][0]["data"]["object"]["id"], cs["id"]);

    let other = session(&app, order()).await;
    let path = format!("/v1/checkout_sessions/{}/expire", json_of(&other, "id"));
    let res = app.post(&path, json!({})).await;
    assert_eq!((res.status, res.body["status"].as_str()), (200, Some("expired")));
    let again = app.post(&path, json!({})).await;
    assert_eq!((again.status, again.error()["current_status"].as_str()), (409, Some("expired")));

    let listed = app.get("/v1/checkout_sessions?status=expired").await.body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 2);
    let by_email = app.get("/v1/checkout_sessions?customer_email=sara@example.COM").await.body;
    assert_eq!(by_email["data"].as_array().unwrap().len(), 2, "emails compare without case");
    let by_payment =
        app.get(&format!("/v1/checkout_sessions?payment_intent={}", json_of(&other, "payment_intent"))).await.body;
    assert_eq!(by_payment["data"][0]["id"], other["id"]);
}

#[tokio::test]
async fn coupons_and_promotion_codes() {
    let app = spawn_app().await;
    let pct = app.post("/v1/coupons", json!({"name": "Spring", "percent_off": 10, "max_redemptions": 5})).await;
    assert_eq!(pct.status, 200, "{}", pct.text);
    assert_eq!(
        (pct.body["percent_off"].as_i64(), pct.body["amount_off"].clone(), pct.body["times_redeemed"].as_i64()),
        (Some(10), Value::Null, Some(0))
    );
    let fixed = app.post("/v1/coupons", json!({"amount_off": 1000, "currency": "SAR"})).await.body;
    for (bad, param) in [
        (json!({"percent_off": 0}), "percent_off"),
        (json!({"percent_off": 101}), "percent_off"),
        (json!({"amount_off": 100}), "currency"),
        (json!({}), "percent_off"),
        (json!({"percent_off": 5, "expires_at": 1000}), "expires_at"),
    ] {
        let res = app.post("/v1/coupons", bad.clone()).await;
        assert_eq!((res.status, res.error()["param"].as_str()), (422, Some(param)), "{bad}");
    }
    let promo = app.post("/v1/promotion_codes", json!({"code": "Spring-10", "coupon": json_of(&pct.body, "id"), "restrictions": {"minimum_amount": 5000, "minimum_amount_currency": "SAR"}})).await;
    assert_eq!(promo.status, 200, "{}", promo.text);
    assert_eq!(promo.body["restrictions"]["minimum_amount"], 5000);
    let duplicate =
        app.post("/v1/promotion_codes", json!({"code": "SPRING-10", "coupon": json_of(&fixed, "id")})).await;
    assert_eq!((duplicate.status, duplicate.error()["code"].as_str()), (409, Some("promotion_code_exists")));
    let bad = app.post("/v1/promotion_codes", json!({"code": "no spaces!", "coupon": "co_nope"})).await;
    assert_eq!(bad.error_params(), ["code"]);
    let unknown_coupon =
        app.post("/v1/promotion_codes", json!({"code": "OK123", "coupon": "co_000000000000000000000000"})).await;
    assert_eq!((unknown_coupon.status, unknown_coupon.error()["param"].as_str()), (404, Some("coupon")));
    let found = app.get("/v1/promotion_codes?code=spring-10").await.body;
    assert_eq!(found["data"][0]["id"], promo.body["id"]);
    let off = app.post(&format!("/v1/promotion_codes/{}", json_of(&promo.body, "id")), json!({"active": false})).await;
    assert_eq!(off.body["active"], false);
    assert_eq!(app.get("/v1/promotion_codes?active=true").await.body["data"].as_array().unwrap().len(), 0);
    let renamed = app
        .post(
            &format!("/v1/coupons/{}", json_of(&fixed, "id")),
            json!({"name": "Welcome", "metadata": {"team": "growth"}}),
        )
        .await;
    assert_eq!(
        (renamed.body["name"].as_str(), renamed.body["metadata"]["team"].as_str()),
        (Some("Welcome"), Some("growth"))
    );
    assert_eq!(app.get("/v1/coupons").await.body["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_promotion_code_given_at_creation_discounts_the_total_before_tax() {
    let app = spawn_app().await;
    let coupon = app.post("/v1/coupons", json!({"percent_off": 10})).await.body;
    app.post("/v1/promotion_codes", json!({"code": "TENOFF", "coupon": json_of(&coupon, "id")})).await;
    let mut body = order();
    body["promotion_code"] = json!("tenoff");
    let cs = session(&app, body).await;
    // 10% of the 10500 base is 1050; taxes and shipping are untouched.
    assert_eq!((cs["amount_discount"].as_i64(), cs["amount_total"].as_i64()), (Some(500 + 1050), Some(12900 - 1050)));
    assert_eq!(cs["promotion_code"], "TENOFF");
    let pi = app.get(&format!("/v1/payment_intents/{}", json_of(&cs, "payment_intent"))).await.body;
    assert_eq!(pi["amount"], 12900 - 1050);
    for (code, why) in [("NOPE", "invalid_promotion_code")] {
        let mut body = order();
        body["promotion_code"] = json!(code);
        let res = app.post("/v1/checkout_sessions", body).await;
        assert_eq!(
            (res.status, res.error()["param"].as_str(), res.error()["code"].as_str()),
            (422, Some("promotion_code"), Some(why))
        );
    }
    let usd = app.post("/v1/coupons", json!({"amount_off": 100, "currency": "USD"})).await.body;
    app.post("/v1/promotion_codes", json!({"code": "DOLLAR", "coupon": json_of(&usd, "id")})).await;
    let mut body = order();
    body["promotion_code"] = json!("DOLLAR");
    let res = app.post("/v1/checkout_sessions", body).await;
    assert_eq!(res.error()["code"], "promotion_code_currency_mismatch");
}

#[tokio::test]
async fn canceling_a_sessions_payment_closes_the_session() {
    let app = spawn_app().await;
    let cs = session(&app, order()).await;
    let pi = json_of(&cs, "payment_intent");
    let canceled = app.post(&format!("/v1/payment_intents/{pi}/cancel"), json!({})).await;
    assert_eq!(canceled.status, 200, "{}", canceled.text);
    let cs = app.get(&format!("/v1/checkout_sessions/{}", json_of(&cs, "id"))).await.body;
    assert_eq!(cs["status"], "canceled");
    let events = app.get("/v1/events?type=checkout.session.canceled").await;
    assert_eq!(events.body["data"].as_array().unwrap().len(), 1, "{}", events.text);
    // The page no longer offers a card form.
    let page = reqwest::get(json_of(&cs, "url")).await.unwrap().text().await.unwrap();
    assert!(!page.contains("id=\"number\""), "{page}");
}
