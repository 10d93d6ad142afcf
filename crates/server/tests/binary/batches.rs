//! Killed while it commits a batch of writes, the gateway keeps exactly what it answered.
//!
//! Many clients create payment intents at once, so the writer commits them in groups (one
//! fsync for many requests on SQLite). The gateway is killed at a random moment of that load.
//! After a restart every answered create is there, as answered; every create that was sent
//! but not answered either exists whole (the intent with its event) or not at all, and its
//! retry under the same key settles it once.

use crate::{Gateway, list_all};
use kassa_testkit::TestDatabase;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CLIENTS: usize = 48;

/// Per idempotency key: the amount sent (unique) and the id answered, if one was.
type Sent = Arc<Mutex<BTreeMap<String, (i64, Option<String>)>>>;

async fn create(http: &reqwest::Client, base: &str, key: &str, idem: &str, amount: i64) -> Option<(u16, Value)> {
    let res = http
        .post(format!("{base}/v1/payment_intents"))
        .bearer_auth(key)
        .header("Idempotency-Key", idem)
        .json(&json!({"amount": amount, "currency": "EUR", "metadata": {"key": idem}}))
        .send()
        .await
        .ok()?;
    let status = res.status().as_u16();
    Some((status, res.json().await.ok()?))
}

/// Creates until the gateway is gone, recording every key before it is sent.
async fn client(base: String, key: String, n: usize, sent: Sent) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    for i in 0.. {
        let idem = format!("batch-{n}-{i}");
        let amount = 1_000 + (i * CLIENTS + n) as i64;
        sent.lock().unwrap().insert(idem.clone(), (amount, None));
        let Some((status, body)) = create(&http, &base, &key, &idem, amount).await else { return };
        assert_eq!(status, 200, "{idem}: {body}");
        sent.lock().unwrap().get_mut(&idem).unwrap().1 = Some(body["id"].as_str().unwrap().to_owned());
    }
}

#[tokio::test]
async fn killed_mid_batch_the_gateway_keeps_every_answered_write_and_nothing_half_done() {
    let db = TestDatabase::fresh().await;
    let env = [("KASSA_RATE_LIMIT", "0")];
    let gw = Gateway::start(&db, &env).await;
    let key = gw.printed("secret key").unwrap();
    let sent: Sent = Arc::default();
    let clients: Vec<_> =
        (0..CLIENTS).map(|n| tokio::spawn(client(gw.base.clone(), key.clone(), n, sent.clone()))).collect();
    // Under way first (a debug build warms up slowly), then killed at a random moment.
    let answered = || sent.lock().unwrap().values().filter(|(_, id)| id.is_some()).count();
    for _ in 0..600 {
        if answered() >= CLIENTS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(fastrand::u64(0..800))).await;
    gw.kill().await;
    for c in clients {
        c.await.expect("no client saw a wrong answer");
    }
    let sent = std::mem::take(&mut *sent.lock().unwrap());
    let answered = sent.values().filter(|(_, id)| id.is_some()).count();
    println!("killed with {} creates sent, {answered} answered", sent.len());
    assert!(answered > 0, "the load ran before the kill");

    let gw = Gateway::start(&db, &env).await;
    let http = reqwest::Client::new();
    let intents = list_all(&gw.base, &key, "/v1/payment_intents?status=requires_payment_method").await;
    let created = list_all(&gw.base, &key, "/v1/events?type=payment_intent.created").await;
    let with_event: BTreeSet<&str> = created.iter().map(|e| e["data"]["object"]["id"].as_str().unwrap()).collect();
    let by_amount: BTreeMap<i64, &str> = sent.iter().map(|(idem, (amount, _))| (*amount, idem.as_str())).collect();

    // Nothing half-exists: every stored intent is one that was sent, with its event.
    for pi in &intents {
        let id = pi["id"].as_str().unwrap();
        let idem = by_amount.get(&pi["amount"].as_i64().unwrap()).unwrap_or_else(|| panic!("{pi} was never sent"));
        assert_eq!(pi["metadata"]["key"], *idem, "{pi}");
        assert!(with_event.contains(id), "{id} exists without its payment_intent.created event");
    }
    // Every answered create is there, as answered.
    let stored: BTreeMap<&str, &str> =
        intents.iter().map(|pi| (pi["metadata"]["key"].as_str().unwrap(), pi["id"].as_str().unwrap())).collect();
    for (idem, (_, id)) in &sent {
        if let Some(id) = id {
            assert_eq!(stored.get(idem.as_str()), Some(&id.as_str()), "{idem} was answered {id} before the kill");
        }
    }
    assert_eq!(stored.len(), intents.len(), "one intent per key");

    // Retries settle the rest once: an answered or stored key replays its intent, an unstored
    // one creates it now.
    for (idem, (amount, id)) in &sent {
        let (status, body) = create(&http, &gw.base, &key, idem, *amount).await.unwrap();
        assert_eq!(status, 200, "{idem}: {body}");
        let expected = id.as_deref().or(stored.get(idem.as_str()).copied());
        if let Some(expected) = expected {
            assert_eq!(body["id"], expected, "{idem} replayed");
        }
    }
    let after = list_all(&gw.base, &key, "/v1/payment_intents?status=requires_payment_method").await;
    assert_eq!(after.len(), sent.len(), "every key sent became exactly one intent");
    gw.kill().await;
}
