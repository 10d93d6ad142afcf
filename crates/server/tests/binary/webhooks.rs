//! Webhooks across a crash, and `kassa listen`.

use crate::Gateway;
use kassa_testkit::{Receiver, Reply, TestDatabase, json_of, spawn_app};
use serde_json::json;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn a_delivery_cut_off_by_a_crash_is_sent_again_after_restart() {
    let db = TestDatabase::fresh().await;
    let receiver = Receiver::start().await;
    // The first delivery is held by the receiver while the gateway is killed.
    receiver.reply_next([Reply::status(200).after(Duration::from_millis(2500))]);
    let env = [("KASSA_WEBHOOK_TIMEOUT_MS", "3000"), ("KASSA_WEBHOOK_LEASE_SECS", "1")];
    let gw = Gateway::start(&db, &env).await;
    let key = gw.printed("secret key").unwrap();
    let we = gw
        .send(
            "POST",
            "/v1/webhook_endpoints",
            &key,
            None,
            Some(json!({"url": receiver.url(), "enabled_events": ["payment_intent.created"]})),
        )
        .await;
    assert_eq!(we.status, 200, "{}", we.text);
    let pi = gw.send("POST", "/v1/payment_intents", &key, None, Some(json!({"amount": 100, "currency": "USD"}))).await;
    receiver.wait_for(1, Duration::from_secs(20)).await;
    gw.kill().await;

    let gw = Gateway::start(&db, &env).await;
    let got = receiver.wait_for(2, Duration::from_secs(30)).await;
    assert_eq!(got[0].header("kassa-event-id"), got[1].header("kassa-event-id"), "the same event, sent again");
    assert_eq!(got[1].json()["data"]["object"]["id"], pi.body["id"]);
    let event = got[1].header("kassa-event-id").unwrap().to_owned();
    let log =
        gw.poll(&format!("/v1/events/{event}/deliveries"), &key, |l| !l["data"].as_array().unwrap().is_empty()).await;
    assert_eq!(log["data"][0]["succeeded"], true);
    gw.kill().await;
}

#[tokio::test]
async fn listen_forwards_new_events_signed_for_the_session() {
    let app = spawn_app().await;
    // An event from before listening starts is not forwarded.
    app.create_payment_intent(json!({"amount": 1, "currency": "USD"})).await;
    let receiver = Receiver::start().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kassa"))
        .args([
            "listen",
            "--forward-to",
            &receiver.url(),
            "--events",
            "payment_intent.created,refund.created",
            "--interval-ms",
            "100",
        ])
        .env("KASSA_API_KEY", &app.merchant.secret_key)
        .env("KASSA_BASE_URL", app.url(""))
        .env("KASSA_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut secret = None;
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(s) = line.split_whitespace().find(|w| w.starts_with("whsec_")) {
            secret = Some(s.to_owned());
            break;
        }
    }
    let secret = secret.expect("listen prints the session's signing secret");
    let pi = app.succeeded_intent(500).await;
    app.post("/v1/refunds", json!({"payment_intent": json_of(&pi, "id"), "amount": 100})).await;
    let got = receiver.wait_for(2, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let kinds: Vec<_> = receiver.received().iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["payment_intent.created", "refund.created"], "only new events of the chosen types, in order");
    for r in &got {
        let event = kassa_sdk::webhooks::verify(
            &r.body,
            r.header("kassa-signature").unwrap(),
            &secret,
            Duration::from_secs(300),
        )
        .expect("signed with the session secret");
        assert_eq!(Some(event.id.as_str()), r.header("kassa-event-id"));
    }
    let mut printed = Vec::new();
    while printed.len() < 4 {
        let line = tokio::time::timeout(Duration::from_secs(5), lines.next_line()).await.unwrap().unwrap().unwrap();
        printed.push(line);
    }
    assert!(printed[0].contains("--> payment_intent.created"), "{printed:?}");
    assert!(printed[1].contains("<--  [200] POST"), "{printed:?}");
    child.start_kill().unwrap();
}
