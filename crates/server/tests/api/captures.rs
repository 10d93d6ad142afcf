//! Captures as records: each partial capture has its id, amount, status and notes, refunds may
//! name the capture they refund and never exceed it, and events say what each capture moved.

use futures_util::future::join_all;
use kassa_domain::{Fact, Moved, Movement};
use kassa_testkit::{TestApp, json_of, spawn_app};
use serde_json::{Value, json};

async fn capture(app: &TestApp, pi: &str, body: Value) -> Value {
    let res = app.post(&format!("/v1/payment_intents/{pi}/capture"), body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

#[tokio::test]
async fn partial_captures_are_records_and_refunds_of_a_capture_stay_within_it() {
    let app = spawn_app().await;
    let pi = app.authorized_intent(1000).await;
    let id = json_of(&pi, "id").to_owned();
    assert_eq!(pi["latest_capture"], Value::Null);

    let after_first = capture(
        &app,
        &id,
        json!({"amount_to_capture": 300, "final_capture": false, "description": "first box",
               "metadata": {"parcel": "1"}}),
    )
    .await;
    let first = json_of(&after_first, "latest_capture").to_owned();
    assert!(first.starts_with("cap_"), "{after_first}");
    let after_second = capture(&app, &id, json!({"amount_to_capture": 200, "final_capture": false})).await;
    let second = json_of(&after_second, "latest_capture").to_owned();
    assert_ne!(first, second);
    assert_eq!(
        (after_second["amount_captured"].as_i64(), after_second["status"].as_str()),
        (Some(500), Some("requires_capture"))
    );

    let listed = app.get(&format!("/v1/payment_intents/{id}/captures")).await;
    let records = listed.body["data"].as_array().unwrap();
    let summary: Vec<(&str, i64, &str, bool)> = records
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["amount"].as_i64().unwrap(),
                c["status"].as_str().unwrap(),
                c["final_capture"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(summary, [(first.as_str(), 300, "succeeded", false), (second.as_str(), 200, "succeeded", false)]);
    let one = app.get(&format!("/v1/captures/{first}")).await;
    assert_eq!(
        (one.body["description"].as_str(), one.body["metadata"]["parcel"].as_str()),
        (Some("first box"), Some("1"))
    );
    assert_eq!((one.body["payment_intent"].as_str(), one.body["currency"].as_str()), (Some(id.as_str()), Some("USD")));

    // A refund naming the first capture counts against it, and never beyond it.
    let refund = app.post("/v1/refunds", json!({"payment_intent": id, "capture": first, "amount": 250})).await;
    assert_eq!((refund.status, refund.body["capture"].as_str()), (200, Some(first.as_str())), "{}", refund.text);
    let over = app.post("/v1/refunds", json!({"payment_intent": id, "capture": first, "amount": 51})).await;
    assert_eq!((over.status, over.error()["code"].as_str()), (422, Some("amount_too_large")), "{}", over.text);
    let rest = app.post("/v1/refunds", json!({"payment_intent": id, "capture": first})).await;
    assert_eq!((rest.status, rest.body["amount"].as_i64()), (200, Some(50)), "the rest of the capture: {}", rest.text);
    let first_now = app.get(&format!("/v1/captures/{first}")).await.body;
    assert_eq!(
        (first_now["amount_refunded"].as_i64(), first_now["amount_refund_pending"].as_i64()),
        (Some(300), Some(0))
    );
    // Without a capture, any captured amount: the second capture's 200.
    let unnamed = app.post("/v1/refunds", json!({"payment_intent": id, "amount": 200})).await;
    assert_eq!((unnamed.status, unnamed.body["capture"].clone()), (200, Value::Null), "{}", unnamed.text);
    let done = app.get(&format!("/v1/payment_intents/{id}")).await.body;
    assert_eq!(done["amount_refunded"], 500);

    // The capture must be one of this payment's, and must exist.
    let other = app.authorized_intent(400).await;
    let other_capture = capture(&app, json_of(&other, "id"), json!({})).await;
    let foreign = app
        .post("/v1/refunds", json!({"payment_intent": id, "capture": json_of(&other_capture, "latest_capture")}))
        .await;
    assert_eq!((foreign.status, foreign.error_params()), (422, vec!["capture".to_owned()]), "{}", foreign.text);
    let missing = app.post("/v1/refunds", json!({"payment_intent": id, "capture": "cap_nope"})).await;
    assert_eq!((missing.status, missing.error()["param"].as_str()), (404, Some("capture")), "{}", missing.text);
    assert_eq!(app.get("/v1/captures/cap_000000000000000000000000").await.status, 404);

    // Each capture's events say what it moved.
    let events = app.app.all_payment_intent_events(&app.ctx(), &id).await.unwrap();
    let moved: Vec<Option<Moved>> = events
        .iter()
        .filter(|e| e.event_type == "payment_intent.partially_captured")
        .map(|e| match &e.payload {
            kassa_server::app::Payload::Fact(f @ Fact::PaymentIntent { .. }) => f.moved(),
            other => panic!("not a payment intent fact: {other:?}"),
        })
        .collect();
    let captured =
        |amount| Some(Moved { movement: Movement::Captured, amount: kassa_domain::MinorUnits::new(amount).unwrap() });
    assert_eq!(moved, [captured(300), captured(200)]);
}

#[tokio::test]
async fn concurrent_refunds_of_one_capture_never_exceed_it() {
    let app = spawn_app().await;
    let pi = app.authorized_intent(1000).await;
    let id = json_of(&pi, "id").to_owned();
    capture(&app, &id, json!({"amount_to_capture": 600, "final_capture": false})).await;
    let cap =
        json_of(&capture(&app, &id, json!({"amount_to_capture": 200, "final_capture": false})).await, "latest_capture")
            .to_owned();
    let refunds = (0..8).map(|_| app.post("/v1/refunds", json!({"payment_intent": id, "capture": cap, "amount": 40})));
    let answers = join_all(refunds).await;
    let ok = answers.iter().filter(|a| a.status == 200 && a.body["status"] == "succeeded").count();
    let refused = answers.iter().filter(|a| a.status == 422).count();
    assert_eq!((ok, refused), (5, 3), "{:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    let record = app.get(&format!("/v1/captures/{cap}")).await.body;
    assert_eq!((record["amount_refunded"].as_i64(), record["amount_refund_pending"].as_i64()), (Some(200), Some(0)));
    let pi = app.get(&format!("/v1/payment_intents/{id}")).await.body;
    assert_eq!(pi["amount_refunded"], 200);
}

#[tokio::test]
async fn an_automatic_payment_has_one_capture_for_its_whole_amount() {
    let app = spawn_app().await;
    let pi = app.succeeded_intent(2599).await;
    let id = json_of(&pi, "id");
    let cap = json_of(&pi, "latest_capture");
    let listed = app.get(&format!("/v1/payment_intents/{id}/captures")).await;
    let records = listed.body["data"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{}", listed.text);
    assert_eq!((records[0]["id"].as_str(), records[0]["amount"].as_i64()), (Some(cap), Some(2599)));
    assert_eq!((records[0]["status"].as_str(), records[0]["final_capture"].as_bool()), (Some("succeeded"), Some(true)));
}
