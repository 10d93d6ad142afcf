//! kill -9 rounds: clients pay, capture and refund concurrently, the gateway is killed at a
//! random moment, restarted, and the clients retry everything under the same idempotency keys
//! (as an SDK does). After every round: each answer given before the kill is the answer given
//! after it, no payment is stuck, every capture and refund happened exactly once at the network,
//! the money adds up; at the end every event has reached the merchant's endpoint.
//!
//! `KASSA_CRASH_ROUNDS` sets the number of rounds (3 by default, as in CI);
//! `scripts/crash-rounds.sh N` runs N of them, on PostgreSQL with `KASSA_TEST_DATABASE_URL`.

use crate::{Gateway, assert_every_event_delivered};
use kassa_testkit::{Receiver, TestDatabase};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 6;

/// What the clients were answered, by idempotency key: `(status, id)`.
type Answers = Arc<Mutex<BTreeMap<String, (u16, String)>>>;

/// One client's payment: create and confirm, capture part, refund part, each under its key.
#[derive(Clone)]
struct Script {
    prefix: String,
    amount: i64,
}

impl Script {
    fn capture(&self) -> i64 {
        self.amount - 100
    }

    fn refund(&self) -> i64 {
        self.amount / 4
    }
}

/// A request until it is answered for good (not 409 in flight, not 5xx), or `None` when the
/// gateway is gone.
async fn send(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    path: &str,
    idem: &str,
    body: &Value,
) -> Option<(u16, Value)> {
    // Up to 30 s: on PostgreSQL a dead node's keys are taken over within 8 s of its last beat.
    for _ in 0..1500 {
        let res =
            http.post(format!("{base}{path}")).bearer_auth(key).header("Idempotency-Key", idem).json(body).send().await;
        let Ok(res) = res else { return None };
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if status == 409 && body["error"]["type"] == "idempotency_error" || status >= 500 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        return Some((status, body));
    }
    panic!("{path} under {idem} never answered for good");
}

async fn get(http: &reqwest::Client, base: &str, key: &str, path: &str) -> Option<Value> {
    http.get(format!("{base}{path}")).bearer_auth(key).send().await.ok()?.json().await.ok()
}

/// Runs the script against `base`, recording each final answer; stops quietly when the gateway
/// dies. Answers given before are compared with the ones given now.
async fn run(base: String, key: String, script: Script, answers: Answers) -> Option<()> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let record = |idem: &str, status: u16, body: &Value| {
        let id = body["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(status, 200, "{idem}: {body}");
        let mut seen = answers.lock().unwrap();
        if let Some(before) = seen.get(idem) {
            assert_eq!(before, &(status, id.clone()), "{idem} answered differently after the crash");
        }
        seen.insert(idem.to_owned(), (status, id.clone()));
        id
    };
    let create = json!({"amount": script.amount, "currency": "USD", "capture_method": "manual",
        "payment_method": "pm_card_visa", "confirm": true});
    let idem = format!("{}-pi", script.prefix);
    let (status, body) = send(&http, &base, &key, "/v1/payment_intents", &idem, &create).await?;
    let id = record(&idem, status, &body);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pi = get(&http, &base, &key, &format!("/v1/payment_intents/{id}")).await?;
        if pi["status"] != "processing" {
            assert!(pi["status"] == "requires_capture" || pi["status"] == "succeeded", "{pi}");
            break;
        }
        assert!(Instant::now() < deadline, "{id} stuck in processing");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let idem = format!("{}-cap", script.prefix);
    let capture = json!({"amount_to_capture": script.capture()});
    let (status, body) =
        send(&http, &base, &key, &format!("/v1/payment_intents/{id}/capture"), &idem, &capture).await?;
    record(&idem, status, &body);
    // A capture replayed after the crash may still be at the network (its job taken over by
    // this node): refund once it is through, as a careful client does.
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(&http, &base, &key, &format!("/v1/payment_intents/{id}")).await?["status"] != "succeeded" {
        assert!(Instant::now() < deadline, "{id}: the capture never went through");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let idem = format!("{}-re", script.prefix);
    let refund = json!({"payment_intent": id, "amount": script.refund()});
    let (status, body) = send(&http, &base, &key, "/v1/refunds", &idem, &refund).await?;
    record(&idem, status, &body);
    Some(())
}

fn count(ops: &Value, operation: &str) -> usize {
    ops["data"].as_array().unwrap().iter().filter(|o| o["operation"] == operation).count()
}

#[tokio::test]
async fn killed_at_random_moments_the_gateway_loses_and_doubles_nothing() {
    killed_at_random_moments(TestDatabase::fresh().await).await;
}

#[tokio::test]
async fn killed_at_random_moments_behind_pgbouncer_the_gateway_loses_and_doubles_nothing() {
    let db = TestDatabase::fresh().await;
    if !db.is_postgres() {
        return; // PgBouncer pools PostgreSQL's connections.
    }
    killed_at_random_moments(db.through_pgbouncer(4).await).await;
}

async fn killed_at_random_moments(db: TestDatabase) {
    let rounds: usize = std::env::var("KASSA_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let env = |latency: &'static str| {
        vec![
            ("KASSA_SIMULATOR_LATENCY_MS", latency),
            ("KASSA_RATE_LIMIT", "0"),
            ("KASSA_WEBHOOK_SCHEDULE", "0,1s,1s,2s,2s,5s"),
        ]
    };
    let mut gw = Gateway::start(&db, &env("0")).await;
    let key = gw.printed("secret key").unwrap();
    let receiver = Receiver::start().await;
    let http = reqwest::Client::new();
    send(
        &http,
        &gw.base,
        &key,
        "/v1/webhook_endpoints",
        "endpoint",
        &json!({"url": receiver.url(), "enabled_events": ["*"]}),
    )
    .await
    .unwrap();
    let answers: Answers = Arc::default();
    let mut payments = Vec::new();
    for round in 0..rounds {
        let latency = ["0", "40", "150", "400"][fastrand::usize(..4)];
        let scripts: Vec<Script> = (0..CLIENTS)
            .map(|c| Script { prefix: format!("r{round}-c{c}"), amount: 10_000 + (round * CLIENTS + c) as i64 })
            .collect();
        gw.kill().await;
        gw = Gateway::start(&db, &env(latency)).await;
        let clients: Vec<_> = scripts
            .iter()
            .map(|s| tokio::spawn(run(gw.base.clone(), key.clone(), s.clone(), answers.clone())))
            .collect();
        let kill_after = Duration::from_millis(fastrand::u64(50..1500));
        tokio::time::sleep(kill_after).await;
        gw.kill().await;
        for c in &clients {
            c.abort();
        }
        let answered_before = answers.lock().unwrap().len();
        println!(
            "round {round}: killed after {kill_after:?} at {latency} ms per network call, {answered_before} answers so far"
        );

        // The clients retry everything with the same keys on the restarted gateway.
        gw = Gateway::start(&db, &env("0")).await;
        let retries: Vec<_> = scripts
            .iter()
            .map(|s| tokio::spawn(run(gw.base.clone(), key.clone(), s.clone(), answers.clone())))
            .collect();
        for r in retries {
            r.await.expect("a client's script").expect("the gateway stays up");
        }
        for script in &scripts {
            let id = answers.lock().unwrap()[&format!("{}-pi", script.prefix)].1.clone();
            payments.push((id, script.clone()));
        }
        for (id, script) in payments.iter().filter(|(_, s)| s.prefix.starts_with(&format!("r{round}-"))) {
            let deadline = Instant::now() + Duration::from_secs(60);
            let pi = loop {
                let pi = get(&http, &gw.base, &key, &format!("/v1/payment_intents/{id}")).await.unwrap();
                if pi["amount_refund_pending"] == 0 || Instant::now() > deadline {
                    break pi;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            assert_eq!(pi["status"], "succeeded", "{pi}");
            assert_eq!(pi["amount_captured"], script.capture(), "{pi}");
            assert_eq!(pi["amount_canceled"], 100, "the rest released: {pi}");
            assert_eq!(pi["amount_refunded"], script.refund(), "{pi}");
            let refunds = get(&http, &gw.base, &key, &format!("/v1/refunds?payment_intent={id}")).await.unwrap();
            assert_eq!(refunds["data"].as_array().unwrap().len(), 1, "one refund: {refunds}");
            let ops = get(&http, &gw.base, &key, &format!("/v1/test_helpers/simulator/operations?payment_intent={id}"))
                .await
                .unwrap();
            for (operation, n) in [("authorize", 1), ("capture", 1), ("refund", 1)] {
                assert_eq!(count(&ops, operation), n, "{id}: {operation} at the network: {ops}");
            }
        }
    }

    // Every event reached the endpoint, at least once.
    let events = assert_every_event_delivered(&gw.base, &key, &receiver).await;
    println!("{rounds} rounds, {} payments, {} events, all delivered", payments.len(), events);
    gw.kill().await;
}
