//! Webhooks against real receivers on random ports: signed, at least once, retried on a
//! schedule, logged, never sent into the gateway's own network in live mode.

use hmac::{Hmac, Mac};
use kassa_domain::webhook::RetrySchedule;
use kassa_domain::{KeyKind, Mode};
use kassa_testkit::{Receiver, Reply, TestApp, json_of, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

/// A schedule of a few quick attempts.
fn quick(waits_ms: &[u64]) -> RetrySchedule {
    RetrySchedule::new(waits_ms.iter().map(|ms| Duration::from_millis(*ms)).collect())
}

async fn endpoint(app: &TestApp, url: &str, events: Value) -> Value {
    let res = app.post("/v1/webhook_endpoints", json!({"url": url, "enabled_events": events})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

/// Every event of the merchant, oldest first.
async fn all_event_ids(app: &TestApp) -> Vec<String> {
    let list = app.get("/v1/events?limit=100").await.body;
    let mut ids: Vec<String> = list["data"].as_array().unwrap().iter().map(|e| json_of(e, "id").to_owned()).collect();
    ids.reverse();
    ids
}

/// The attempts at `path` once there are `n` (a sender records an attempt just after the
/// receiver has answered it).
async fn attempts_logged(app: &TestApp, path: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let log = app.get(path).await.body;
        let attempts = log["data"].as_array().unwrap().clone();
        if attempts.len() >= n || Instant::now() > deadline {
            return attempts;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn independent_hmac(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn every_event_of_a_payment_is_delivered_signed() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let we = endpoint(&app, &receiver.url(), json!(["*"])).await;
    let secret = json_of(&we, "secret").to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() > 30);
    let pi = app.authorized_intent(5000).await;
    let pi_id = json_of(&pi, "id");
    app.post(&format!("/v1/payment_intents/{pi_id}/capture"), json!({})).await;
    app.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 100})).await;

    let events = all_event_ids(&app).await;
    assert_eq!(events.len(), 7);
    let got = receiver.wait_for(events.len(), WAIT).await;
    let delivered: BTreeSet<_> = got.iter().map(|r| r.header("kassa-event-id").unwrap().to_owned()).collect();
    assert_eq!(delivered, events.iter().cloned().collect::<BTreeSet<_>>(), "every event, once");
    for r in &got {
        let header = r.header("kassa-signature").expect("signed");
        // The SDK verifies it…
        let event =
            kassa_sdk::webhooks::verify(&r.body, header, &secret, Duration::from_secs(300)).expect("valid signature");
        assert_eq!(Some(event.id.as_str()), r.header("kassa-event-id"));
        assert_eq!(r.header("kassa-delivery-attempt"), Some("1"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        // …and so does an HMAC computed here from the conventions alone.
        let (t, v1) = header.split_once(",v1=").unwrap();
        let t = t.strip_prefix("t=").unwrap();
        assert_eq!(v1, independent_hmac(&secret, t, &r.body));
        let age = time::OffsetDateTime::now_utc().unix_timestamp() - t.parse::<i64>().unwrap();
        assert!((0..60).contains(&age), "{age}");
        assert!(kassa_sdk::webhooks::verify(&r.body, header, "whsec_wrong", Duration::from_secs(300)).is_err());
        let mut tampered = r.body.to_vec();
        tampered[10] ^= 1;
        assert!(kassa_sdk::webhooks::verify(&tampered, header, &secret, Duration::from_secs(300)).is_err());
    }
    let refund_event = got.iter().map(|r| r.json()).find(|e| e["type"] == "refund.succeeded").unwrap();
    assert_eq!(refund_event["data"]["object"]["amount"], 100);

    // The delivery log, from both sides.
    let attempts =
        attempts_logged(&app, &format!("/v1/webhook_endpoints/{}/deliveries?limit=100", json_of(&we, "id")), 7).await;
    assert_eq!(attempts.len(), 7);
    assert!(
        attempts
            .iter()
            .all(|a| a["succeeded"] == true && a["response_status"] == 200 && a["latency_ms"].as_i64().is_some())
    );
    assert_eq!(attempts[0]["response_body"], "answer 200");
    let by_event = app.get(&format!("/v1/events/{}/deliveries", events[0])).await.body;
    assert_eq!(by_event["data"][0]["endpoint"], we["id"]);
}

#[tokio::test]
async fn endpoints_receive_only_what_they_subscribe_to() {
    let app = spawn_app().await;
    let all = Receiver::start().await;
    let some = Receiver::start().await;
    endpoint(&app, &all.url(), json!(["*"])).await;
    endpoint(&app, &some.url(), json!(["payment_intent.succeeded", "refund.created"])).await;
    let pi = app.succeeded_intent(700).await;
    app.post("/v1/refunds", json!({"payment_intent": json_of(&pi, "id")})).await;
    all.wait_for(6, WAIT).await;
    let got = some.wait_for(2, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let kinds: BTreeSet<_> = some.received().iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["payment_intent.succeeded".to_owned(), "refund.created".to_owned()].into());
    assert_eq!(got.len(), 2);
    // Another merchant's endpoint hears nothing of this one.
    let other = app.create_merchant("Other").await;
    let theirs = Receiver::start().await;
    app.request(
        "POST",
        "/v1/webhook_endpoints",
        Some(json!({"url": theirs.url(), "enabled_events": ["*"]})),
        Some(&other.secret_key),
        None,
    )
    .await;
    app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    all.wait_for(7, WAIT).await;
    assert!(theirs.received().is_empty());
}

#[tokio::test]
async fn a_receiver_that_is_down_for_a_while_gets_every_event_when_it_is_back() {
    let app =
        spawn_app_with(|c| c.webhooks.schedule = quick(&[0, 300, 300, 500, 500, 1000, 1000, 2000, 2000, 3000])).await;
    let receiver = Receiver::start().await;
    let we = endpoint(&app, &receiver.url(), json!(["payment_intent.created"])).await;
    receiver.down().await;
    for i in 0..5 {
        app.create_payment_intent(json!({"amount": 100 + i, "currency": "USD"})).await;
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let failed =
        attempts_logged(&app, &format!("/v1/webhook_endpoints/{}/deliveries?limit=100", json_of(&we, "id")), 5).await;
    assert!(
        failed.len() >= 5 && failed.iter().all(|a| a["succeeded"] == false && a["error"].as_str().is_some()),
        "{failed:?}"
    );
    receiver.up().await;
    let got = receiver.wait_for(5, WAIT).await;
    let delivered: BTreeSet<_> = got.iter().map(|r| r.header("kassa-event-id").unwrap().to_owned()).collect();
    assert_eq!(delivered.len(), 5, "none lost");
    assert!(got.iter().all(|r| r.header("kassa-delivery-attempt").unwrap().parse::<u32>().unwrap() >= 2));
    let endpoint_now = app.get(&format!("/v1/webhook_endpoints/{}", json_of(&we, "id"))).await.body;
    assert_eq!(endpoint_now["status"], "enabled");
}

#[tokio::test]
async fn a_500_is_retried_until_a_200() {
    let app = spawn_app_with(|c| c.webhooks.schedule = quick(&[0, 100, 100, 100])).await;
    let receiver = Receiver::start().await;
    receiver.reply_next([Reply::status(500), Reply::status(500)]);
    endpoint(&app, &receiver.url(), json!(["payment_intent.created"])).await;
    app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    let got = receiver.wait_for(3, WAIT).await;
    let attempts: Vec<_> = got.iter().map(|r| r.header("kassa-delivery-attempt").unwrap().to_owned()).collect();
    assert_eq!(attempts, ["1", "2", "3"]);
    assert!(got.windows(2).all(|w| w[0].header("kassa-event-id") == w[1].header("kassa-event-id")));
    let event = got[0].header("kassa-event-id").unwrap();
    let log = attempts_logged(&app, &format!("/v1/events/{event}/deliveries"), 3).await;
    let statuses: Vec<_> = log.iter().map(|a| a["response_status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [200, 500, 500], "newest first");
    assert_eq!(log[2]["response_body"], "answer 500");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.received().len(), 3, "nothing after the 200");
}

#[tokio::test]
async fn a_410_disables_the_endpoint_with_an_event() {
    let app = spawn_app().await;
    let gone = Receiver::start().await;
    let watcher = Receiver::start().await;
    gone.reply_always(Reply::status(410));
    let we = endpoint(&app, &gone.url(), json!(["*"])).await;
    endpoint(&app, &watcher.url(), json!(["webhook_endpoint.disabled"])).await;
    app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    gone.wait_for(1, WAIT).await;
    let notice = watcher.wait_for(1, WAIT).await[0].json();
    assert_eq!(notice["type"], "webhook_endpoint.disabled");
    assert_eq!(notice["data"]["object"]["id"], we["id"]);
    assert!(notice["data"]["object"].get("secret").is_none(), "secrets never travel in events");
    let now = app.get(&format!("/v1/webhook_endpoints/{}", json_of(&we, "id"))).await.body;
    assert_eq!(now["status"], "disabled");
    assert!(now["disabled_reason"].as_str().unwrap().contains("410"));
    app.create_payment_intent(json!({"amount": 200, "currency": "USD"})).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(gone.received().len(), 1, "nothing more to a disabled endpoint");
}

#[tokio::test]
async fn an_endpoint_failing_for_the_whole_schedule_is_disabled() {
    let app = spawn_app_with(|c| c.webhooks.schedule = quick(&[0, 100, 100])).await;
    let receiver = Receiver::start().await;
    receiver.reply_always(Reply::status(500));
    let we = endpoint(&app, &receiver.url(), json!(["payment_intent.created"])).await;
    app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    receiver.wait_for(3, WAIT).await;
    let deadline = Instant::now() + WAIT;
    loop {
        let now = app.get(&format!("/v1/webhook_endpoints/{}", json_of(&we, "id"))).await.body;
        if now["status"] == "disabled" {
            assert!(now["disabled_reason"].as_str().unwrap().contains("whole retry schedule"));
            break;
        }
        assert!(Instant::now() < deadline, "not disabled: {now}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events = app.get("/v1/events?type=webhook_endpoint.disabled").await.body;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    assert_eq!(receiver.received().len(), 3);
    // Enabling it again resumes its pending deliveries (none are left here) and new ones.
    let res = app.post(&format!("/v1/webhook_endpoints/{}", json_of(&we, "id")), json!({"active": true})).await;
    assert_eq!((res.body["status"].as_str(), res.body["disabled_reason"].clone()), (Some("enabled"), Value::Null));
    receiver.reply_always(Reply::status(200));
    app.create_payment_intent(json!({"amount": 300, "currency": "USD"})).await;
    receiver.wait_for(4, WAIT).await;
}

#[tokio::test]
async fn a_slow_receiver_does_not_hold_up_the_others() {
    let app = spawn_app_with(|c| {
        c.webhooks.per_endpoint = 2;
        c.webhooks.concurrency = 8;
    })
    .await;
    let slow = Receiver::start().await;
    let fast = Receiver::start().await;
    slow.reply_always(Reply::status(200).after(Duration::from_secs(2)));
    endpoint(&app, &slow.url(), json!(["payment_intent.created"])).await;
    endpoint(&app, &fast.url(), json!(["payment_intent.created"])).await;
    let started = Instant::now();
    for i in 0..12 {
        app.create_payment_intent(json!({"amount": 100 + i, "currency": "USD"})).await;
    }
    fast.wait_for(12, WAIT).await;
    let fast_done = started.elapsed();
    assert!(fast_done < Duration::from_secs(2), "the fast receiver waited {fast_done:?}");
    assert!(slow.received().len() <= 4, "the slow one is served two at a time");
    slow.wait_for(12, Duration::from_secs(30)).await;
}

#[tokio::test]
async fn an_endpoint_never_gets_more_than_its_share_at_once() {
    // Twice the share is claimed ahead; the rest must wait on the node for a slot.
    let app = spawn_app_with(|c| c.webhooks.per_endpoint = 2).await;
    let receiver = Receiver::start().await;
    let answer_after = Duration::from_millis(500);
    receiver.reply_always(Reply::status(200).after(answer_after));
    endpoint(&app, &receiver.url(), json!(["payment_intent.created"])).await;
    for i in 0..8 {
        app.create_payment_intent(json!({"amount": 100 + i, "currency": "USD"})).await;
    }
    receiver.wait_for(8, WAIT).await;
    let mut arrivals: Vec<Instant> = receiver.received().iter().map(|r| r.at).collect();
    arrivals.sort();
    // A third request can start only once one of the two before it has been answered.
    for window in arrivals.windows(3) {
        let apart = window[2] - window[0];
        assert!(apart >= answer_after - Duration::from_millis(50), "three requests within {apart:?}");
    }
}

#[tokio::test]
async fn events_can_be_redelivered() {
    let app = spawn_app().await;
    let a = Receiver::start().await;
    let b = Receiver::start().await;
    let we_a = endpoint(&app, &a.url(), json!(["payment_intent.created"])).await;
    let we_b = endpoint(&app, &b.url(), json!(["refund.created"])).await;
    let pi = app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    a.wait_for(1, WAIT).await;
    let event_id = all_event_ids(&app).await[0].clone();
    assert_eq!(a.received()[0].header("kassa-event-id"), Some(event_id.as_str()));
    assert_eq!(a.received()[0].json()["data"]["object"]["id"], pi["id"]);

    let again = app.post(&format!("/v1/events/{event_id}/redeliver"), json!({})).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let queued = again.body["data"].as_array().unwrap();
    assert_eq!(queued.len(), 1, "to the subscribed endpoint only");
    assert_eq!((queued[0]["endpoint"].as_str(), queued[0]["status"].as_str()), (we_a["id"].as_str(), Some("pending")));
    let got = a.wait_for(2, WAIT).await;
    assert_eq!(got[1].header("kassa-event-id"), Some(event_id.as_str()));

    let to_b = app.post(&format!("/v1/events/{event_id}/redeliver"), json!({"endpoint": json_of(&we_b, "id")})).await;
    assert_eq!(to_b.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(b.wait_for(1, WAIT).await[0].header("kassa-event-id"), Some(event_id.as_str()));

    app.post(&format!("/v1/webhook_endpoints/{}", json_of(&we_b, "id")), json!({"active": false})).await;
    let disabled =
        app.post(&format!("/v1/events/{event_id}/redeliver"), json!({"endpoint": json_of(&we_b, "id")})).await;
    assert_eq!(disabled.status, 409);
    let unknown =
        app.post(&format!("/v1/events/{event_id}/redeliver"), json!({"endpoint": "we_000000000000000000000000"})).await;
    assert_eq!((unknown.status, unknown.error()["param"].as_str()), (404, Some("endpoint")));
    let no_event = app.post("/v1/events/evt_000000000000000000000000/redeliver", json!({})).await;
    assert_eq!(no_event.status, 404);
}

#[tokio::test]
async fn during_a_secret_rotation_deliveries_carry_both_signatures() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let we = endpoint(&app, &receiver.url(), json!(["payment_intent.created"])).await;
    let old = json_of(&we, "secret").to_owned();
    let rotated = app
        .post(&format!("/v1/webhook_endpoints/{}/rotate_secret", json_of(&we, "id")), json!({"expires_in": 3600}))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new = json_of(&rotated.body, "secret").to_owned();
    assert_ne!(new, old);
    assert!(app.get(&format!("/v1/webhook_endpoints/{}", json_of(&we, "id"))).await.body.get("secret").is_none());
    app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    let got = receiver.wait_for(1, WAIT).await;
    let header = got[0].header("kassa-signature").unwrap();
    assert_eq!(header.matches("v1=").count(), 2, "{header}");
    for secret in [&new, &old] {
        kassa_sdk::webhooks::verify(&got[0].body, header, secret, Duration::from_secs(300))
            .expect("both secrets verify");
    }
    app.post(&format!("/v1/webhook_endpoints/{}/rotate_secret", json_of(&we, "id")), json!({"expires_in": 0})).await;
    app.create_payment_intent(json!({"amount": 200, "currency": "USD"})).await;
    let got = receiver.wait_for(2, WAIT).await;
    let header = got[1].header("kassa-signature").unwrap();
    assert_eq!(header.matches("v1=").count(), 1);
    assert!(
        kassa_sdk::webhooks::verify(&got[1].body, header, &new, Duration::from_secs(300)).is_err(),
        "the previous secret is retired"
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = spawn_app_with(|c| c.webhooks.schedule = quick(&[0, 50, 50, 50])).await;
    let receiver = Receiver::start().await;
    receiver.reply_next([Reply::status(503).header("retry-after", "2")]);
    endpoint(&app, &receiver.url(), json!(["payment_intent.created"])).await;
    app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    let got = receiver.wait_for(2, WAIT).await;
    let gap = got[1].at - got[0].at;
    assert!(gap >= Duration::from_millis(1900), "retried after {gap:?}");
}

#[tokio::test]
async fn endpoints_can_be_managed_and_are_validated() {
    let app = spawn_app().await;
    let created = endpoint(&app, "http://localhost:9/hooks", json!(["payment_intent.succeeded"])).await;
    let id = json_of(&created, "id");
    assert!(id.starts_with("we_"));
    assert_eq!(
        (created["object"].as_str(), created["status"].as_str(), created["livemode"].as_bool()),
        (Some("webhook_endpoint"), Some("enabled"), Some(false))
    );
    let updated = app
        .post(
            &format!("/v1/webhook_endpoints/{id}"),
            json!({"url": "https://example.com/new", "enabled_events": ["*"], "description": "prod", "metadata": {"team": "pay"}}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(
        (updated.body["url"].as_str(), updated.body["enabled_events"][0].as_str()),
        (Some("https://example.com/new"), Some("*"))
    );
    let list = app.get("/v1/webhook_endpoints").await.body;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert!(list["data"][0].get("secret").is_none());
    let bad = app
        .post(
            "/v1/webhook_endpoints",
            json!({"url": "ftp://x", "enabled_events": ["payment_intent.exploded", "nope"], "colour": "red"}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let mut params = bad.error_params();
    params.sort();
    assert_eq!(params, ["colour", "enabled_events", "url"]);
    let missing = app.post("/v1/webhook_endpoints", json!({})).await;
    assert_eq!(missing.error_params().len(), 2);
    let deleted =
        app.request("DELETE", &format!("/v1/webhook_endpoints/{id}"), None, Some(&app.merchant.secret_key), None).await;
    assert_eq!((deleted.status, deleted.body["deleted"].as_bool()), (200, Some(true)));
    assert_eq!(app.get(&format!("/v1/webhook_endpoints/{id}")).await.status, 404);
    let again =
        app.request("DELETE", &format!("/v1/webhook_endpoints/{id}"), None, Some(&app.merchant.secret_key), None).await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn live_endpoints_must_be_public_https() {
    let app = spawn_app().await;
    let (_, live) = app.create_key(KeyKind::Secret, Mode::Live).await;
    for url in [
        "http://example.com/hooks",
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.0.0.8/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest",
    ] {
        let res = app
            .request(
                "POST",
                "/v1/webhook_endpoints",
                Some(json!({"url": url, "enabled_events": ["*"]})),
                Some(&live),
                None,
            )
            .await;
        assert_eq!((res.status, res.error()["param"].as_str()), (422, Some("url")), "{url}: {}", res.text);
    }
    // Test mode is for development: localhost is fine there.
    assert_eq!(
        app.post("/v1/webhook_endpoints", json!({"url": "http://localhost:3000/hooks", "enabled_events": ["*"]}))
            .await
            .status,
        200
    );

    // An operator can allow an internal host explicitly.
    let allowed = spawn_app_with(|c| c.webhooks.allowed_hosts = vec!["localhost".into()]).await;
    let (_, live) = allowed.create_key(KeyKind::Secret, Mode::Live).await;
    let res = allowed
        .request(
            "POST",
            "/v1/webhook_endpoints",
            Some(json!({"url": "https://localhost:8443/hooks", "enabled_events": ["*"]})),
            Some(&live),
            None,
        )
        .await;
    assert_eq!((res.status, res.body["livemode"].as_bool()), (200, Some(true)), "{}", res.text);
    let res = allowed
        .request(
            "POST",
            "/v1/webhook_endpoints",
            Some(json!({"url": "https://127.0.0.1/hooks", "enabled_events": ["*"]})),
            Some(&live),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "only the named host is allowed");
}
