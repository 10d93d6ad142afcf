//! `/metrics` (with metrics on): Prometheus' text format with requests by route pattern and
//! status, their latency, idempotent replays, webhook attempts by outcome, commit latency and
//! the queues' backlogs. Off by default.

use kassa_testkit::{Receiver, spawn_app, spawn_app_with};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn metrics_say_what_the_gateway_did() {
    let app = spawn_app_with(|c| c.metrics = true).await;
    let receiver = Receiver::start().await;
    app.post("/v1/webhook_endpoints", json!({"url": receiver.url(), "enabled_events": ["payment_intent.created"]}))
        .await;
    let body = json!({"amount": 1000, "currency": "USD"});
    let created = app.post_idempotent("/v1/payment_intents", body.clone(), "m-1").await;
    app.post_idempotent("/v1/payment_intents", body, "m-1").await;
    app.get(&format!("/v1/payment_intents/{}", created.body["id"].as_str().unwrap())).await;
    receiver.wait_for(1, Duration::from_secs(20)).await;

    let scrape = || async {
        let res = app.client.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        res.text().await.unwrap()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let text = loop {
        let text = scrape().await;
        if text.contains("kassa_webhook_attempts_total{outcome=\"delivered\"}") || std::time::Instant::now() > deadline
        {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for expected in [
        "kassa_http_requests_total{method=\"POST\",route=\"/v1/payment_intents\",status=\"200\"}",
        "kassa_http_requests_total{method=\"GET\",route=\"/v1/payment_intents/{id}\",status=\"200\"}",
        "kassa_http_request_seconds_bucket{method=\"POST\",route=\"/v1/payment_intents\"",
        "kassa_idempotent_replays_total",
        "kassa_webhook_attempts_total{outcome=\"delivered\"}",
        "kassa_webhook_attempt_seconds_bucket",
        "kassa_db_commit_seconds_bucket",
        "kassa_queue_pending{queue=\"jobs\"}",
        "kassa_queue_lagging{queue=\"webhook_deliveries\"}",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains("route=\"/v1/payment_intents/pi_"), "routes are patterns, never ids");
    if app.database.sqlite_dir().is_some() {
        let value = |name: &str| -> u64 {
            let line = text.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} missing:\n{text}"));
            line.rsplit(' ').next().unwrap().parse().unwrap()
        };
        let (commits, writes) = (value("kassa_sqlite_commits_total "), value("kassa_sqlite_committed_writes_total "));
        assert!(commits >= 1 && writes >= commits, "{commits} commits of {writes} writes");
        let held = value("kassa_sqlite_writer_held_microseconds_total{by=\"units\"} ");
        assert!(held > 0, "units held the writer for {held} µs");
    }
}

#[tokio::test]
async fn metrics_are_off_unless_asked_for() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 404);
}
