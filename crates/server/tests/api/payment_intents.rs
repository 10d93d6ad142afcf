//! The payment intent lifecycle over HTTP: every state, every transition, every refusal.

use kassa_testkit::{TestApp, json_of, spawn_app};
use serde_json::{Value, json};

fn id(v: &Value) -> &str {
    json_of(v, "id")
}

async fn confirm(app: &TestApp, pi: &Value, body: Value) -> Value {
    let res = app.post(&format!("/v1/payment_intents/{}/confirm", id(pi)), body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "processing");
    app.wait_until_settled(id(pi)).await
}

#[tokio::test]
async fn create_without_payment_method_then_confirm_with_one() {
    let app = spawn_app().await;
    let pi = app
        .create_payment_intent(json!({
            "amount": 2599, "currency": "USD", "customer": "cus_42", "description": "Order 1001",
            "statement_descriptor": "KASSA SHOP", "metadata": {"order_id": "1001"},
        }))
        .await;
    assert!(id(&pi).starts_with("pi_") && id(&pi).len() == 27);
    assert_eq!(pi["object"], "payment_intent");
    assert_eq!(pi["status"], "requires_payment_method");
    assert_eq!((pi["amount"].as_i64(), pi["capture_method"].as_str()), (Some(2599), Some("automatic")));
    assert_eq!(pi["metadata"]["order_id"], "1001");
    for field in ["amount_authorized", "amount_captured", "amount_refunded", "amount_canceled"] {
        assert_eq!(pi[field], 0, "{field}");
    }
    let done = confirm(&app, &pi, json!({"payment_method": "pm_card_visa"})).await;
    assert_eq!(done["status"], "succeeded");
    assert_eq!((done["amount_authorized"].as_i64(), done["amount_captured"].as_i64()), (Some(2599), Some(2599)));
    assert_eq!(done["payment_method_details"]["card"]["brand"], "visa");
    assert_eq!(done["customer"], "cus_42");
}

#[tokio::test]
async fn create_with_payment_method_waits_for_confirmation() {
    let app = spawn_app().await;
    let pi = app
        .create_payment_intent(json!({"amount": 500, "currency": "EUR", "payment_method": "pm_card_mastercard"}))
        .await;
    assert_eq!(pi["status"], "requires_confirmation");
    let done = confirm(&app, &pi, json!({})).await;
    assert_eq!(
        (done["status"].as_str(), done["payment_method_details"]["card"]["brand"].as_str()),
        (Some("succeeded"), Some("mastercard"))
    );
}

#[tokio::test]
async fn every_test_card_gives_its_outcome() {
    let app = spawn_app().await;
    let cases = [
        ("pm_card_visa", "succeeded", None, None),
        ("pm_card_mastercard", "succeeded", None, None),
        ("pm_card_amex", "succeeded", None, None),
        ("pm_card_declined", "failed", Some("card_declined"), Some("generic_decline")),
        ("pm_card_insufficient_funds", "failed", Some("card_declined"), Some("insufficient_funds")),
        ("pm_card_expired", "failed", Some("expired_card"), Some("expired_card")),
        ("pm_card_processing_error", "failed", Some("processing_error"), None),
    ];
    for (pm, status, code, decline) in cases {
        let pi = app
            .create_payment_intent(json!({"amount": 1000, "currency": "USD", "payment_method": pm, "confirm": true}))
            .await;
        assert_eq!(pi["status"], "processing", "{pm}");
        let pi = app.wait_until_settled(id(&pi)).await;
        assert_eq!(pi["status"], status, "{pm}: {pi}");
        assert_eq!(pi["last_payment_error"]["code"].as_str(), code, "{pm}");
        assert_eq!(pi["last_payment_error"]["decline_code"].as_str(), decline, "{pm}");
        if status == "failed" {
            assert_eq!(pi["amount_authorized"], 0, "{pm}");
            assert!(pi["last_payment_error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
}

#[tokio::test]
async fn raw_test_card_numbers_give_their_outcome() {
    let app = spawn_app().await;
    let cases = [
        ("4242424242424242", "succeeded", None),
        ("4000000000000002", "failed", Some("generic_decline")),
        ("4000000000009995", "failed", Some("insufficient_funds")),
        ("4000000000000069", "failed", Some("expired_card")),
        ("4000000000000119", "failed", None),
        // Any other Luhn-valid number in a known brand range succeeds.
        ("6011111111111117", "succeeded", None),
        ("3566002020360505", "succeeded", None),
    ];
    for (number, status, decline) in cases {
        let cvc = if number.starts_with("37") { "1234" } else { "123" };
        let pi = app
            .create_payment_intent(json!({
                "amount": 1000, "currency": "USD", "confirm": true,
                "payment_method_data": {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2035, "cvc": cvc}},
            }))
            .await;
        let pi = app.wait_until_settled(id(&pi)).await;
        assert_eq!(pi["status"], status, "{number}");
        assert_eq!(pi["last_payment_error"]["decline_code"].as_str(), decline, "{number}");
        assert_eq!(pi["payment_method_details"]["card"]["last4"].as_str(), Some(&number[12..]));
    }
}

#[tokio::test]
async fn a_failed_payment_can_be_retried_with_another_card() {
    let app = spawn_app().await;
    let pi = app
        .create_payment_intent(
            json!({"amount": 1000, "currency": "USD", "payment_method": "pm_card_declined", "confirm": true}),
        )
        .await;
    let failed = app.wait_until_settled(id(&pi)).await;
    assert_eq!(failed["status"], "failed");
    let ok = confirm(&app, &pi, json!({"payment_method": "pm_card_visa"})).await;
    assert_eq!(ok["status"], "succeeded");
    assert_eq!(ok["last_payment_error"], Value::Null);
    let events = app.get(&format!("/v1/payment_intents/{}/events", id(&pi))).await;
    let types: Vec<_> =
        events.body["data"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        types,
        [
            "payment_intent.created",
            "payment_intent.processing",
            "payment_intent.payment_failed",
            "payment_intent.processing",
            "payment_intent.captured",
            "payment_intent.succeeded",
        ]
    );
}

#[tokio::test]
async fn manual_capture_partial_then_final_releases_the_rest() {
    let app = spawn_app().await;
    let pi = app.authorized_intent(10_000).await;
    assert_eq!((pi["amount_authorized"].as_i64(), pi["amount_capturable"].as_i64()), (Some(10_000), Some(10_000)));
    let path = format!("/v1/payment_intents/{}/capture", id(&pi));
    let first = app.post(&path, json!({"amount_to_capture": 3000, "final_capture": false})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        (first.body["status"].as_str(), first.body["amount_captured"].as_i64()),
        (Some("requires_capture"), Some(3000))
    );
    assert_eq!(first.body["amount_capturable"], 7000);
    let over = app.post(&path, json!({"amount": 7001})).await;
    assert_eq!((over.status, over.error()["param"].as_str()), (422, Some("amount_to_capture")));
    let last = app.post(&path, json!({"amount": 2000})).await;
    assert_eq!(last.status, 200, "{}", last.text);
    let b = &last.body;
    assert_eq!(
        (
            b["status"].as_str(),
            b["amount_captured"].as_i64(),
            b["amount_canceled"].as_i64(),
            b["amount_capturable"].as_i64()
        ),
        (Some("succeeded"), Some(5000), Some(5000), Some(0))
    );
    let again = app.post(&path, json!({})).await;
    assert_eq!((again.status, again.error()["current_status"].as_str()), (409, Some("succeeded")));
    let ops = app.get(&format!("/v1/test_helpers/simulator/operations?payment_intent={}", id(&pi))).await;
    let captured: Vec<_> = ops.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["operation"] == "capture")
        .map(|o| o["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(captured, [3000, 2000]);
}

#[tokio::test]
async fn capture_without_amount_takes_everything() {
    let app = spawn_app().await;
    let pi = app.authorized_intent(4200).await;
    let res = app.post(&format!("/v1/payment_intents/{}/capture", id(&pi)), json!({})).await;
    assert_eq!((res.body["status"].as_str(), res.body["amount_captured"].as_i64()), (Some("succeeded"), Some(4200)));
    let events = app.get(&format!("/v1/events?related_object={}&type=payment_intent.captured", id(&pi))).await;
    assert_eq!(events.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn cancel_releases_the_authorization_at_the_processor() {
    let app = spawn_app().await;
    let pi = app.authorized_intent(3000).await;
    let res = app
        .post(
            &format!("/v1/payment_intents/{}/cancel", id(&pi)),
            json!({"cancellation_reason": "requested_by_customer"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["status"].as_str(), res.body["amount_canceled"].as_i64()), (Some("canceled"), Some(3000)));
    assert_eq!(res.body["cancellation_reason"], "requested_by_customer");
    // The void runs in the background; wait for the simulator to have it.
    let mut voided = false;
    for _ in 0..200 {
        let ops = app.get(&format!("/v1/test_helpers/simulator/operations?payment_intent={}", id(&pi))).await;
        if ops.body["data"].as_array().unwrap().iter().any(|o| o["operation"] == "void" && o["outcome"] == "approved") {
            voided = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(voided, "the authorization was not released");
    let capture = app.post(&format!("/v1/payment_intents/{}/capture", id(&pi)), json!({})).await;
    assert_eq!((capture.status, capture.error()["current_status"].as_str()), (409, Some("canceled")));
}

#[tokio::test]
async fn cancel_after_a_partial_capture_succeeds_with_the_rest_released() {
    let app = spawn_app().await;
    let pi = app.authorized_intent(1000).await;
    app.post(&format!("/v1/payment_intents/{}/capture", id(&pi)), json!({"amount": 400, "final_capture": false})).await;
    let res = app.post(&format!("/v1/payment_intents/{}/cancel", id(&pi)), json!({})).await;
    assert_eq!(
        (res.body["status"].as_str(), res.body["amount_captured"].as_i64(), res.body["amount_canceled"].as_i64()),
        (Some("succeeded"), Some(400), Some(600))
    );
}

#[tokio::test]
async fn cancel_before_confirmation_and_after_failure() {
    let app = spawn_app().await;
    let fresh = app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    let res = app.post(&format!("/v1/payment_intents/{}/cancel", id(&fresh)), json!({"reason": "abandoned"})).await;
    assert_eq!(
        (res.body["status"].as_str(), res.body["cancellation_reason"].as_str()),
        (Some("canceled"), Some("abandoned"))
    );
    let failed = app
        .create_payment_intent(
            json!({"amount": 100, "currency": "USD", "payment_method": "pm_card_declined", "confirm": true}),
        )
        .await;
    app.wait_until_settled(id(&failed)).await;
    let res = app.post(&format!("/v1/payment_intents/{}/cancel", id(&failed)), json!({})).await;
    assert_eq!(res.body["status"], "canceled");
    let bad_reason =
        app.post(&format!("/v1/payment_intents/{}/cancel", id(&fresh)), json!({"cancellation_reason": "bored"})).await;
    assert_eq!(bad_reason.status, 422);
}

#[tokio::test]
async fn illegal_transitions_answer_409_with_the_current_status() {
    let app = spawn_app().await;
    let new = app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    let succeeded = app.succeeded_intent(100).await;
    let canceled = app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    app.post(&format!("/v1/payment_intents/{}/cancel", id(&canceled)), json!({})).await;
    let processing_app =
        kassa_testkit::spawn_app_with(|c| c.simulator.latency = std::time::Duration::from_secs(3)).await;
    let processing = processing_app
        .create_payment_intent(
            json!({"amount": 100, "currency": "USD", "payment_method": "pm_card_visa", "confirm": true}),
        )
        .await;

    let cases: [(&TestApp, &Value, &str, Value, &str); 8] = [
        (&app, &new, "capture", json!({}), "requires_payment_method"),
        (&app, &succeeded, "confirm", json!({"payment_method": "pm_card_visa"}), "succeeded"),
        (&app, &succeeded, "cancel", json!({}), "succeeded"),
        (&app, &succeeded, "capture", json!({}), "succeeded"),
        (&app, &canceled, "confirm", json!({"payment_method": "pm_card_visa"}), "canceled"),
        (&app, &canceled, "cancel", json!({}), "canceled"),
        (&processing_app, &processing, "cancel", json!({}), "processing"),
        (&processing_app, &processing, "confirm", json!({}), "processing"),
    ];
    for (app, pi, action, body, status) in cases {
        let res = app.post(&format!("/v1/payment_intents/{}/{action}", id(pi)), body).await;
        assert_eq!(res.status, 409, "{action} on {status}: {}", res.text);
        assert_eq!(res.error()["code"], "payment_intent_unexpected_state");
        assert_eq!(res.error()["current_status"], status);
        assert!(res.error()["message"].as_str().unwrap().contains(status));
    }
    let refund_new = app.post("/v1/refunds", json!({"payment_intent": id(&new)})).await;
    assert_eq!(
        (refund_new.status, refund_new.error()["current_status"].as_str()),
        (409, Some("requires_payment_method"))
    );
    let update = app.post(&format!("/v1/payment_intents/{}", id(&succeeded)), json!({"description": "late"})).await;
    assert_eq!(update.status, 409);
}

#[tokio::test]
async fn update_changes_annotations_before_confirmation() {
    let app = spawn_app().await;
    let pi =
        app.create_payment_intent(json!({"amount": 100, "currency": "USD", "metadata": {"a": "1", "b": "2"}})).await;
    let res = app
        .post(
            &format!("/v1/payment_intents/{}", id(&pi)),
            json!({"description": "New", "metadata": {"a": "", "c": "3"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["description"], "New");
    assert_eq!(res.body["metadata"], json!({"b": "2", "c": "3"}));
    let refused = app.post(&format!("/v1/payment_intents/{}", id(&pi)), json!({"amount": 5})).await;
    assert_eq!((refused.status, refused.error()["param"].as_str()), (422, Some("amount")));
    let events = app.get(&format!("/v1/events?type=payment_intent.updated&related_object={}", id(&pi))).await;
    assert_eq!(events.body["data"][0]["data"]["object"]["description"], "New");
}

#[tokio::test]
async fn list_filters_and_pages_newest_first() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let pi = app.create_payment_intent(json!({"amount": 100 + i, "currency": "USD"})).await;
        ids.push(id(&pi).to_owned());
    }
    app.post(&format!("/v1/payment_intents/{}/cancel", ids[2]), json!({})).await;
    ids.reverse();

    let mut seen = Vec::new();
    let mut path = "/v1/payment_intents?limit=3".to_owned();
    loop {
        let page = app.get(&path).await;
        assert_eq!(page.body["object"], "list");
        seen.extend(page.body["data"].as_array().unwrap().iter().map(|p| id(p).to_owned()));
        // A payment created between pages does not shift the pages already handed out.
        app.create_payment_intent(json!({"amount": 1, "currency": "USD"})).await;
        match page.body["next_page_token"].as_str() {
            Some(token) => {
                assert_eq!(page.body["has_more"], true);
                path = format!("/v1/payment_intents?limit=3&page_token={token}");
            }
            None => {
                assert_eq!(page.body["has_more"], false);
                break;
            }
        }
    }
    assert_eq!(seen, ids);

    let canceled = app.get("/v1/payment_intents?status=canceled").await;
    let canceled: Vec<_> = canceled.body["data"].as_array().unwrap().iter().map(|p| id(p).to_owned()).collect();
    assert_eq!(canceled, [ids[4].clone()]);

    let first = app.get(&format!("/v1/payment_intents/{}", ids[6])).await;
    let created = first.body["created_at"].as_str().unwrap();
    let later = app.get(&format!("/v1/payment_intents?created[gt]={created}&limit=100")).await;
    let later_ids: Vec<_> = later.body["data"].as_array().unwrap().iter().map(|p| id(p).to_owned()).collect();
    assert!(!later_ids.contains(&ids[6]) && later_ids.contains(&ids[5]));
    let upto = app.get(&format!("/v1/payment_intents?created[lte]={created}")).await;
    assert_eq!(upto.body["data"].as_array().unwrap().len(), 1);
    let future = app.get("/v1/payment_intents?created[gte]=4102444800").await;
    assert_eq!(future.body["data"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn zero_and_three_decimal_currencies_keep_integer_amounts() {
    let app = spawn_app().await;
    for (currency, amount) in [("JPY", 1500), ("KWD", 1250)] {
        let pi = app
            .create_payment_intent(
                json!({"amount": amount, "currency": currency, "payment_method": "pm_card_visa", "confirm": true}),
            )
            .await;
        let pi = app.wait_until_settled(id(&pi)).await;
        assert_eq!((pi["amount_captured"].as_i64(), pi["currency"].as_str()), (Some(amount), Some(currency)));
    }
}
