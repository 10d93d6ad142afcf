//! Retries as the SDKs send them, with the same `Idempotency-Key`: a refusal that says "try
//! again" is not the key's answer, so the retry runs once the obstacle is gone; a refusal a
//! retry would meet again, and every success, is the key's answer, sent again byte for byte
//! however the object changed since. On every face that takes keys.

use crate::checkout_page::Browser;
use crate::smartpay::{authorized_order, call_once, ok};
use crate::vipps::Unit;
use futures_util::future::join_all;
use kassa_testkit::{TestApp, TestResponse, json_of, spawn_app, spawn_app_with};
use serde_json::json;
use std::time::Duration;

/// A processor slow enough that a capture is still at it when the next one arrives.
async fn slow_processor() -> TestApp {
    spawn_app_with(|c| {
        c.simulator.latency = Duration::from_millis(250);
        c.jobs.inline_wait = Duration::from_millis(20);
    })
    .await
}

/// Sends the same request, under one key, until it is not refused as "in progress".
async fn retry_until_through(send: impl AsyncFn() -> TestResponse) -> TestResponse {
    for _ in 0..100 {
        let res = send().await;
        if res.status != 409 {
            return res;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the retry was refused as in progress for 5 s: the refusal stuck to its key");
}

/// Eight captures of 100 race under eight keys; the losers are told to retry, and their
/// retries under the same keys capture, so 800 is captured in all.
async fn racing_captures_all_go_through_on_retry(
    capture: impl AsyncFn(&str) -> TestResponse,
    captured: impl AsyncFn() -> i64,
) {
    let keys: Vec<String> = (0..8).map(|i| format!("capture-{i}")).collect();
    let first = join_all(keys.iter().map(|k| capture(k))).await;
    let refused: Vec<&String> = keys.iter().zip(&first).filter(|(_, r)| r.status == 409).map(|(k, _)| k).collect();
    assert!(!refused.is_empty(), "no capture was refused as in progress: {:?}", first.iter().map(|r| r.status));
    assert!(
        first.iter().all(|r| r.status == 200 || r.status == 409),
        "{:?}",
        first.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    for key in refused {
        let res = retry_until_through(async || capture(key).await).await;
        assert_eq!(res.status, 200, "{key}: {}", res.text);
    }
    for _ in 0..100 {
        if captured().await == 800 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("captured {} of 800", captured().await);
}

#[tokio::test]
async fn v1_captures_refused_while_another_runs_go_through_when_retried_with_their_keys() {
    let app = slow_processor().await;
    let pi = app.authorized_intent(800).await;
    let path = format!("/v1/payment_intents/{}/capture", json_of(&pi, "id"));
    let refused = app.post_idempotent(&path, json!({"amount": 100, "final_capture": false}), "probe").await;
    let second = app.post_idempotent(&path, json!({"amount": 100, "final_capture": false}), "probe-2").await;
    assert_eq!(
        (second.status, second.error()["code"].as_str()),
        (409, Some("capture_in_progress")),
        "{}",
        refused.text
    );
    assert_eq!(second.header("retry-after"), Some("1"), "the refusal says when to retry");
    let second = retry_until_through(async || {
        app.post_idempotent(&path, json!({"amount": 100, "final_capture": false}), "probe-2").await
    })
    .await;
    assert_eq!(second.status, 200, "{}", second.text);

    let pi = app.authorized_intent(800).await;
    let path = format!("/v1/payment_intents/{}/capture", json_of(&pi, "id"));
    racing_captures_all_go_through_on_retry(
        async |key| app.post_idempotent(&path, json!({"amount": 100, "final_capture": false}), key).await,
        async || {
            let now = app.get(&format!("/v1/payment_intents/{}", json_of(&pi, "id"))).await;
            now.body["amount_captured"].as_i64().unwrap()
        },
    )
    .await;
}

#[tokio::test]
async fn smartpay_captures_refused_while_another_runs_go_through_when_retried_with_their_keys() {
    let app = slow_processor().await;
    let order = authorized_order(&app, "manual").await;
    let id = order["id"].as_str().unwrap().to_owned();
    let body = json!({"order": id, "amount": 75, "currency": "JPY", "cancelRemainder": "manual"});
    racing_captures_all_go_through_on_retry(
        async |key| call_once(&app, "POST", "/payments", Some(body.clone()), None, key).await,
        async || ok(&app, "GET", &format!("/orders/{id}"), None).await["capturedAmount"].as_i64().unwrap() / 75 * 100,
    )
    .await;
}

/// A Vipps payment of `value` NOK øre, approved by the customer on the hosted page.
async fn approved_vipps_payment(unit: &Unit<'_>, reference: &str, value: i64) {
    let created = unit.create(reference, value, &format!("create-{reference}")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let redirect = created.body["redirectUrl"].as_str().unwrap().to_owned();
    let browser = Browser::new();
    assert_eq!(browser.pay(&redirect, "4242424242424242").await.status, 303);
    browser.settle(&redirect).await;
}

#[tokio::test]
async fn vipps_captures_refused_while_another_runs_go_through_when_retried_with_their_keys() {
    let app = slow_processor().await;
    let unit = Unit::sign_in(&app).await;
    approved_vipps_payment(&unit, "order-race-1", 800).await;
    racing_captures_all_go_through_on_retry(
        async |key| unit.modify("order-race-1", "capture", 100, key).await,
        async || unit.get("order-race-1").await["aggregate"]["capturedAmount"]["value"].as_i64().unwrap(),
    )
    .await;
}

fn same_answer(first: &TestResponse, replay: &TestResponse) {
    assert_eq!(replay.header("idempotent-replayed"), Some("true"), "{}", replay.text);
    assert_eq!((replay.status, replay.text.as_str()), (first.status, first.text.as_str()), "byte for byte");
    assert_eq!(replay.header("content-type"), first.header("content-type"));
}

#[tokio::test]
async fn a_v1_replay_is_the_first_answer_though_the_payment_moved_on() {
    let app = spawn_app().await;
    let pi = app.authorized_intent(900).await;
    let path = format!("/v1/payment_intents/{}/capture", json_of(&pi, "id"));
    let first = app.post_idempotent(&path, json!({"amount": 300, "final_capture": false}), "cap-a").await;
    assert_eq!(first.status, 200, "{}", first.text);
    let rest = app.post_idempotent(&path, json!({"amount": 600}), "cap-b").await;
    assert_eq!(rest.body["amount_captured"], 900, "{}", rest.text);
    let refund = app.post("/v1/refunds", json!({"payment_intent": json_of(&pi, "id"), "amount": 100})).await;
    assert_eq!(refund.status, 200, "{}", refund.text);
    same_answer(&first, &app.post_idempotent(&path, json!({"amount": 300, "final_capture": false}), "cap-a").await);
}

#[tokio::test]
async fn a_vipps_replay_is_the_first_answer_though_the_payment_moved_on() {
    let app = spawn_app().await;
    let unit = Unit::sign_in(&app).await;
    approved_vipps_payment(&unit, "order-replay-1", 1000).await;
    let first = unit.modify("order-replay-1", "capture", 100, "cap-1").await;
    assert_eq!(first.body["aggregate"]["capturedAmount"]["value"], 100, "{}", first.text);
    let second = unit.modify("order-replay-1", "capture", 100, "cap-2").await;
    assert_eq!(second.body["aggregate"]["capturedAmount"]["value"], 200, "{}", second.text);
    same_answer(&first, &unit.modify("order-replay-1", "capture", 100, "cap-1").await);
    // A refusal a retry would meet again is the key's answer too.
    let over = unit.modify("order-replay-1", "refund", 201, "ref-1").await;
    assert_eq!(over.status, 400, "{}", over.text);
    unit.modify("order-replay-1", "capture", 100, "cap-3").await;
    same_answer(&over, &unit.modify("order-replay-1", "refund", 201, "ref-1").await);
}

#[tokio::test]
async fn a_smartpay_replay_is_the_first_answer_though_the_payment_was_refunded_since() {
    let app = spawn_app().await;
    let order = authorized_order(&app, "manual").await;
    let id = order["id"].as_str().unwrap();
    let body = json!({"order": id, "amount": 200, "currency": "JPY", "cancelRemainder": "manual"});
    let first = call_once(&app, "POST", "/payments", Some(body.clone()), None, "pay-1").await;
    assert_eq!(first.status, 200, "{}", first.text);
    let payment = first.body["id"].as_str().unwrap();
    let refund = json!({"payment": payment, "amount": 50, "currency": "JPY", "reason": "requested_by_customer"});
    ok(&app, "POST", "/refunds", Some(refund)).await;
    let order_now = ok(&app, "GET", &format!("/orders/{id}"), None).await;
    assert_eq!(order_now["refundedAmount"], 50);
    same_answer(&first, &call_once(&app, "POST", "/payments", Some(body), None, "pay-1").await);
}

#[tokio::test]
async fn a_seed_replay_is_the_first_answer_though_the_payment_moved_on() {
    let app = spawn_app().await;
    let key = Some(app.merchant.secret_key.as_str());
    let order = json!({"amount": 1200, "currency": "USD", "customer_id": "cus_1", "payment_method_id": "pm_fake_visa"});
    let create = async || app.request("POST", "/payment_intents", Some(order.clone()), key, Some("seed-1")).await;
    let created = create().await;
    assert_eq!(created.status, 201, "{}", created.text);
    let confirm_path = format!("/payment_intents/{}/confirm", json_of(&created.body, "id"));
    let confirm = async || app.request("PATCH", &confirm_path, None, key, Some("seed-2")).await;
    let confirmed = confirm().await;
    assert_eq!(confirmed.status, 202, "{}", confirmed.text);
    let settled = app.wait_until_settled(json_of(&created.body, "id")).await;
    assert_eq!(settled["status"], "succeeded");
    same_answer(&created, &create().await);
    same_answer(&confirmed, &confirm().await);
}

#[tokio::test]
async fn a_probuy_replay_is_the_first_answer_though_the_session_expired_since() {
    let app = spawn_app().await;
    let order = crate::probuy::order();
    let create = async || app.post_idempotent("/probuy/api/checkouts/session", order.clone(), "probuy-1").await;
    let created = create().await;
    assert_eq!((created.status, created.body["status"].as_str()), (201, Some("new")), "{}", created.text);
    let expired =
        app.post(&format!("/v1/checkout_sessions/{}/expire", json_of(&created.body, "checkout_id")), json!({})).await;
    assert_eq!(expired.body["status"], "expired", "{}", expired.text);
    same_answer(&created, &create().await);
}

#[tokio::test]
async fn the_first_answer_is_kept_in_the_database_for_replays_after_a_restart() {
    let app = spawn_app().await;
    let order = authorized_order(&app, "manual").await;
    let id = order["id"].as_str().unwrap().to_owned();
    let body = json!({"order": id, "amount": 100, "currency": "JPY", "cancelRemainder": "manual"});
    let first = call_once(&app, "POST", "/payments", Some(body.clone()), None, "pay-restart").await;
    assert_eq!(first.status, 200, "{}", first.text);
    let refund = json!({"payment": first.body["id"], "amount": 40, "currency": "JPY", "reason": "fraudulent"});
    ok(&app, "POST", "/refunds", Some(refund)).await;
    // A new process: nothing of the first request's is left in memory.
    let merchant = app.merchant.clone();
    let mut app = TestApp::restart_on(app.stop().await, |_| {}).await;
    app.merchant = merchant;
    same_answer(&first, &call_once(&app, "POST", "/payments", Some(body), None, "pay-restart").await);
}

#[tokio::test]
async fn an_answer_that_shows_a_signing_secret_is_never_stored_its_replay_reads_the_secret_back() {
    let app = spawn_app().await;
    let body = json!({"url": "https://shop.example/hooks", "enabled_events": ["*"]});
    let created = app.post_idempotent("/v1/webhook_endpoints", body.clone(), "hook-1").await;
    assert_eq!(created.status, 200, "{}", created.text);
    let first_secret = created.body["secret"].as_str().unwrap().to_owned();
    let id = json_of(&created.body, "id");
    let rotated = app.post(&format!("/v1/webhook_endpoints/{id}/rotate_secret"), json!({"expires_in": 0})).await;
    let new_secret = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, first_secret);
    let replay = app.post_idempotent("/v1/webhook_endpoints", body, "hook-1").await;
    assert_eq!((replay.status, replay.header("idempotent-replayed")), (200, Some("true")));
    // Had the first answer been kept, it would hold the first secret in plain text.
    assert_eq!(replay.body["secret"], new_secret.as_str(), "{}", replay.text);
    assert_eq!(replay.body["id"], created.body["id"]);
}
