//! Idempotency keys: same key and request, same answer and one change; a different request
//! with the same key is refused; concurrent duplicates make exactly one object.

use futures_util::future::join_all;
use kassa_testkit::{json_of, spawn_app, spawn_app_with};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_replay_returns_the_first_answer_and_changes_nothing() {
    let app = spawn_app().await;
    let body = json!({"amount": 2599, "currency": "USD", "payment_method": "pm_card_visa", "confirm": true});
    let first = app.post_idempotent("/v1/payment_intents", body.clone(), "order-1001").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("idempotent-replayed"), None);
    app.wait_until_settled(json_of(&first.body, "id")).await;
    let second = app.post_idempotent("/v1/payment_intents", body, "order-1001").await;
    assert_eq!(second.status, 200);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.text, first.text, "the replay is the first response, byte for byte");
    assert_eq!(app.get("/v1/payment_intents").await.body["data"].as_array().unwrap().len(), 1);
    let ops =
        app.get(&format!("/v1/test_helpers/simulator/operations?payment_intent={}", json_of(&first.body, "id"))).await;
    assert_eq!(ops.body["data"].as_array().unwrap().len(), 1, "one authorization, not two");
    let events = app.get("/v1/events?type=payment_intent.created").await;
    let event = &events.body["data"][0];
    assert_eq!(
        (event["request"]["idempotency_key"].as_str(), events.body["data"].as_array().unwrap().len()),
        (Some("order-1001"), 1)
    );
}

#[tokio::test]
async fn the_same_key_with_a_different_request_is_refused() {
    let app = spawn_app().await;
    app.post_idempotent("/v1/payment_intents", json!({"amount": 100, "currency": "USD"}), "k").await;
    let other_body = app.post_idempotent("/v1/payment_intents", json!({"amount": 101, "currency": "USD"}), "k").await;
    assert_eq!(other_body.status, 422, "{}", other_body.text);
    assert_eq!(
        (other_body.error()["type"].as_str(), other_body.error()["code"].as_str()),
        (Some("idempotency_error"), Some("idempotency_key_reused"))
    );
    let pi = app.get("/v1/payment_intents").await.body["data"][0].clone();
    let other_path =
        app.post_idempotent(&format!("/v1/payment_intents/{}/cancel", json_of(&pi, "id")), json!({}), "k").await;
    assert_eq!(other_path.status, 422);
    assert_eq!(app.get("/v1/payment_intents").await.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get(&format!("/v1/payment_intents/{}", json_of(&pi, "id"))).await.body["status"],
        "requires_payment_method"
    );
}

#[tokio::test]
async fn a_hundred_concurrent_identical_requests_create_exactly_one_object() {
    let app = spawn_app().await;
    let body = json!({"amount": 4200, "currency": "EUR", "metadata": {"cart": "c-77"}});
    let requests = (0..100).map(|_| app.post_idempotent("/v1/payment_intents", body.clone(), "cart-c-77"));
    let results = join_all(requests).await;
    let ok: Vec<_> = results.iter().filter(|r| r.status == 200).collect();
    let in_flight: Vec<_> = results.iter().filter(|r| r.status == 409).collect();
    assert_eq!(ok.len() + in_flight.len(), 100, "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(!ok.is_empty());
    assert!(ok.iter().all(|r| r.text == ok[0].text), "every success is the same response");
    for r in &in_flight {
        assert_eq!(r.error()["type"], "idempotency_error");
        assert_eq!(r.header("retry-after"), Some("1"));
    }
    let all = app.get("/v1/payment_intents?limit=100").await;
    assert_eq!(all.body["data"].as_array().unwrap().len(), 1, "exactly one payment intent");
    // Retrying the in-flight ones now replays the answer.
    let retry = app.post_idempotent("/v1/payment_intents", body, "cart-c-77").await;
    assert_eq!((retry.status, retry.text.as_str()), (200, ok[0].text.as_str()));
}

#[tokio::test]
async fn concurrent_identical_changes_all_get_the_first_answer_not_a_refusal() {
    // The first cancel wins; a duplicate that ran beside it (PostgreSQL lets them run at once
    // until the key is written) would be refused by the canceled intent, and must replay
    // the first's answer instead.
    let app = spawn_app().await;
    let pi = app.post("/v1/payment_intents", json!({"amount": 900, "currency": "EUR"})).await;
    let path = format!("/v1/payment_intents/{}/cancel", json_of(&pi.body, "id"));
    let results = join_all((0..50).map(|_| app.post_idempotent(&path, json!({}), "cancel-once"))).await;
    let first = &results[0];
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["status"], "canceled");
    for r in &results {
        assert_eq!((r.status, r.text.as_str()), (200, first.text.as_str()));
    }
    let events = app.get(&format!("/v1/events?related_object={}", json_of(&pi.body, "id"))).await;
    let canceled =
        events.body["data"].as_array().unwrap().iter().filter(|e| e["type"] == "payment_intent.canceled").count();
    assert_eq!(canceled, 1, "canceled once");
}

#[tokio::test]
async fn a_duplicate_while_the_first_is_in_flight_gets_409_then_the_replay() {
    // A slow processor keeps the first capture in flight for a while.
    let app = spawn_app_with(|c| c.simulator.latency = Duration::from_millis(1500)).await;
    let pi = app.authorized_intent(800).await;
    let path = format!("/v1/payment_intents/{}/capture", json_of(&pi, "id"));
    let first = app.post_idempotent(&path, json!({"amount": 300}), "cap-1");
    let duplicate = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.post_idempotent(&path, json!({"amount": 300}), "cap-1").await
    };
    let (first, duplicate) = tokio::join!(first, duplicate);
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["amount_captured"], 300);
    assert_eq!(duplicate.status, 409, "{}", duplicate.text);
    assert_eq!(
        (duplicate.error()["type"].as_str(), duplicate.header("retry-after")),
        (Some("idempotency_error"), Some("1"))
    );
    let replay = app.post_idempotent(&path, json!({"amount": 300}), "cap-1").await;
    assert_eq!((replay.status, replay.text.as_str()), (200, first.text.as_str()));
    let ops = app.get(&format!("/v1/test_helpers/simulator/operations?payment_intent={}", json_of(&pi, "id"))).await;
    let captures = ops.body["data"].as_array().unwrap().iter().filter(|o| o["operation"] == "capture").count();
    assert_eq!(captures, 1);
}

#[tokio::test]
async fn errors_are_replayed_too_with_their_original_request_id() {
    let app = spawn_app().await;
    let pi = app.succeeded_intent(500).await;
    let path = format!("/v1/payment_intents/{}/cancel", json_of(&pi, "id"));
    let first = app.post_idempotent(&path, json!({}), "cancel-1").await;
    assert_eq!(first.status, 409);
    let second = app.post_idempotent(&path, json!({}), "cancel-1").await;
    assert_eq!((second.status, second.header("idempotent-replayed")), (409, Some("true")));
    assert_eq!(second.error()["request_id"], first.error()["request_id"]);
    assert_ne!(second.header("request-id"), first.header("request-id"));
    // A validation failure before any work is not stored: fixing the body under the same key works.
    let invalid = app.post_idempotent("/v1/payment_intents", json!({"amount": 0, "currency": "USD"}), "fixme").await;
    assert_eq!(invalid.status, 422);
    let fixed = app.post_idempotent("/v1/payment_intents", json!({"amount": 1, "currency": "USD"}), "fixme").await;
    assert_eq!(fixed.status, 200, "{}", fixed.text);
}

#[tokio::test]
async fn keys_are_scoped_per_merchant_and_mode() {
    let app = spawn_app().await;
    let other = app.create_merchant("Other").await;
    let mine = app.post_idempotent("/v1/payment_intents", json!({"amount": 100, "currency": "USD"}), "shared").await;
    let theirs = app
        .request(
            "POST",
            "/v1/payment_intents",
            Some(json!({"amount": 100, "currency": "USD"})),
            Some(&other.secret_key),
            Some("shared"),
        )
        .await;
    assert_eq!((mine.status, theirs.status), (200, 200));
    assert_ne!(mine.body["id"], theirs.body["id"]);
    assert_eq!(theirs.header("idempotent-replayed"), None);
}

#[tokio::test]
async fn malformed_keys_are_refused() {
    let app = spawn_app().await;
    let long = "k".repeat(256);
    let res = app.post_idempotent("/v1/payment_intents", json!({"amount": 1, "currency": "USD"}), &long).await;
    assert_eq!((res.status, res.error()["code"].as_str()), (400, Some("invalid_idempotency_key")));
    let ok =
        app.post_idempotent("/v1/payment_intents", json!({"amount": 1, "currency": "USD"}), &"k".repeat(255)).await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn expired_keys_are_reaped() {
    let app = spawn_app_with(|c| {
        c.idempotency.ttl = Duration::from_secs(1);
        c.idempotency.reap_interval = Duration::from_millis(200);
    })
    .await;
    let first =
        app.post_idempotent("/v1/payment_intents", json!({"amount": 100, "currency": "USD"}), "short-lived").await;
    assert_eq!(first.status, 200);
    tokio::time::sleep(Duration::from_millis(1800)).await;
    let reused =
        app.post_idempotent("/v1/payment_intents", json!({"amount": 999, "currency": "USD"}), "short-lived").await;
    assert_eq!(reused.status, 200, "the key was forgotten: {}", reused.text);
    assert_ne!(reused.body["id"], first.body["id"]);
}

#[tokio::test]
async fn a_replayed_confirm_does_not_authorize_twice() {
    let app = spawn_app().await;
    let pi =
        app.create_payment_intent(json!({"amount": 700, "currency": "USD", "payment_method": "pm_card_visa"})).await;
    let path = format!("/v1/payment_intents/{}/confirm", json_of(&pi, "id"));
    for _ in 0..3 {
        let res = app.post_idempotent(&path, json!({}), "confirm-once").await;
        assert_eq!((res.status, res.body["status"].as_str()), (200, Some("processing")));
    }
    app.wait_until_settled(json_of(&pi, "id")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ops = app.get(&format!("/v1/test_helpers/simulator/operations?payment_intent={}", json_of(&pi, "id"))).await;
    assert_eq!(ops.body["data"].as_array().unwrap().len(), 1);
}

/// A capture cut off by the request timeout still finishes: the 503 says when to retry, a
/// retry meanwhile is a 409 that says the same, and once the capture is done the retry gets
/// its answer (replayed), long before the key's lease would have run out.
#[tokio::test]
async fn a_request_cut_off_by_the_timeout_is_replayed_to_its_retry_once_it_finishes() {
    let app = kassa_testkit::spawn_app_with(|c| {
        c.simulator.latency = std::time::Duration::from_secs(3);
        c.request_timeout = std::time::Duration::from_millis(1000);
        c.idempotency.lease = std::time::Duration::from_secs(120);
    })
    .await;
    let pi =
        app.post("/v1/payment_intents", json!({"amount": 1000, "currency": "USD", "capture_method": "manual"})).await;
    let id = pi.body["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/payment_intents/{id}/confirm"), json!({"payment_method": "pm_card_visa"})).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while app.get(&format!("/v1/payment_intents/{id}")).await.body["status"] != "requires_capture" {
        assert!(std::time::Instant::now() < deadline, "never authorized");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let path = format!("/v1/payment_intents/{id}/capture");
    let first = app.post_idempotent(&path, json!({"amount_to_capture": 600}), "cut-off-1").await;
    assert_eq!((first.status, first.header("retry-after")), (503, Some("1")), "{}", first.text);
    let started = std::time::Instant::now();
    let retry = loop {
        let retry = app.post_idempotent(&path, json!({"amount_to_capture": 600}), "cut-off-1").await;
        if retry.status != 409 && retry.status != 503 {
            break retry;
        }
        assert_eq!(retry.header("retry-after"), Some("1"), "{}", retry.text);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "still {} after {:?}",
            retry.status,
            started.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"), "the first request's answer, not a second run");
    assert_eq!((retry.body["status"].as_str(), retry.body["amount_captured"].as_i64()), (Some("succeeded"), Some(600)));
    let captures = app.get(&format!("/v1/payment_intents/{id}/captures")).await;
    assert_eq!(captures.body["data"].as_array().unwrap().len(), 1, "one capture: {}", captures.text);
}
