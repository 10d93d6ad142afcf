//! Durable processing under a flaky network: retries reuse the job's idempotency key, so the
//! processor never sees a payment twice; exhausted retries settle the payment.

use futures_util::future::join_all;
use kassa_testkit::{TestApp, json_of, spawn_app_with};
use serde_json::{Value, json};
use std::time::Duration;

async fn operations(app: &TestApp, pi_id: &str) -> Vec<Value> {
    let ops = app.get(&format!("/v1/test_helpers/simulator/operations?payment_intent={pi_id}")).await;
    ops.body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_flaky_processor_never_sees_a_payment_twice() {
    let app = spawn_app_with(|c| {
        c.simulator.failure_rate = 0.5;
        c.jobs.max_attempts = 40;
        c.jobs.base_backoff = Duration::from_millis(10);
        c.jobs.max_backoff = Duration::from_millis(50);
    })
    .await;
    let created = join_all((0..8).map(|i| {
        app.create_payment_intent(json!({"amount": 1000 + i, "currency": "USD", "capture_method": "manual", "payment_method": "pm_card_visa", "confirm": true}))
    }))
    .await;
    for pi in &created {
        let pi_id = json_of(pi, "id");
        let pi = app.wait_for(pi_id, |p| p["status"] != "processing").await;
        assert_eq!(pi["status"], "requires_capture", "{pi}");
        // Capture and refund, each possibly retried by the worker after a lost answer.
        let cap = app.post(&format!("/v1/payment_intents/{pi_id}/capture"), json!({})).await;
        assert_eq!(cap.status, 200, "{}", cap.text);
        app.wait_for(pi_id, |p| p["status"] == "succeeded").await;
        let refund = app.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 100})).await;
        assert_eq!(refund.status, 200, "{}", refund.text);
        let pi = app.wait_for(pi_id, |p| p["amount_refunded"] == 100).await;
        assert_eq!(pi["amount_captured"], pi["amount"]);
        let ops = operations(&app, pi_id).await;
        let count = |kind: &str| ops.iter().filter(|o| o["operation"] == kind).count();
        assert_eq!((count("authorize"), count("capture"), count("refund")), (1, 1, 1), "{ops:?}");
    }
}

#[tokio::test]
async fn exhausted_retries_fail_the_payment_instead_of_leaving_it_processing() {
    let app = spawn_app_with(|c| {
        c.simulator.failure_rate = 1.0;
        c.jobs.max_attempts = 2;
        c.jobs.base_backoff = Duration::from_millis(10);
    })
    .await;
    let pi = app
        .create_payment_intent(
            json!({"amount": 300, "currency": "USD", "payment_method": "pm_card_visa", "confirm": true}),
        )
        .await;
    let pi = app.wait_until_settled(json_of(&pi, "id")).await;
    assert_eq!(pi["status"], "failed");
    assert_eq!(pi["last_payment_error"]["code"], "processing_error");
    let events = app.get(&format!("/v1/payment_intents/{}/events", json_of(&pi, "id"))).await.body;
    assert_eq!(events["data"].as_array().unwrap().last().unwrap()["type"], "payment_intent.payment_failed");
}

#[tokio::test]
async fn a_slow_processor_leaves_a_capture_pending_and_the_worker_finishes_it() {
    let app = spawn_app_with(|c| {
        c.simulator.latency = Duration::from_millis(600);
        c.jobs.inline_wait = Duration::from_millis(50);
    })
    .await;
    let pi = app.authorized_intent(900).await;
    let pi_id = json_of(&pi, "id");
    let res = app.post(&format!("/v1/payment_intents/{pi_id}/capture"), json!({"amount": 900})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "requires_capture");
    assert_eq!(res.body["pending_capture"]["amount"], 900);
    let second = app.post(&format!("/v1/payment_intents/{pi_id}/capture"), json!({})).await;
    assert_eq!((second.status, second.error()["code"].as_str()), (409, Some("capture_in_progress")));
    let done = app.wait_for(pi_id, |p| p["status"] == "succeeded").await;
    assert_eq!((done["amount_captured"].as_i64(), done["pending_capture"].clone()), (Some(900), Value::Null));

    let refund = app.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 400})).await;
    assert_eq!((refund.status, refund.body["status"].as_str()), (200, Some("pending")));
    assert_eq!(app.get(&format!("/v1/payment_intents/{pi_id}")).await.body["amount_refund_pending"], 400);
    let refund_id = json_of(&refund.body, "id").to_owned();
    for _ in 0..200 {
        if app.get(&format!("/v1/refunds/{refund_id}")).await.body["status"] == "succeeded" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the refund never completed");
}
