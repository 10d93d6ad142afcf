//! Many nodes on one PostgreSQL: three gateways take payments round-robin (a client that finds
//! a node gone retries the next one with the same idempotency key, as behind a load balancer),
//! one is killed mid-run and restarted. Nothing is lost, nothing is done twice, no payment is
//! stuck, and every event reaches the merchant's endpoint.

use crate::{Gateway, assert_every_event_delivered};
use kassa_testkit::{Receiver, TestDatabase};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Short leases: a killed node's work is taken over within seconds.
const ENV: &[(&str, &str)] = &[
    ("KASSA_JOB_LEASE_SECS", "2"),
    ("KASSA_IDEMPOTENCY_LEASE_SECS", "2"),
    ("KASSA_WEBHOOK_TIMEOUT_MS", "1000"),
    ("KASSA_WEBHOOK_LEASE_SECS", "3"),
    ("KASSA_WEBHOOK_SCHEDULE", "0,1s,1s,2s,2s,5s,5s,10s"),
    ("KASSA_SIMULATOR_LATENCY_MS", "150"),
    ("KASSA_RATE_LIMIT", "0"),
];

/// A request to the first node (from `start`) that answers for good: a node that is down, or
/// answers 5xx or 409 (its key still held), is left for the next, with the same key.
async fn send_any(
    bases: &[String],
    start: usize,
    method: &str,
    path: &str,
    key: &str,
    idem: &str,
    body: Option<Value>,
) -> Value {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut n = start;
    loop {
        let base = &bases[n % bases.len()];
        let mut req = client
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .bearer_auth(key)
            .header("Idempotency-Key", idem);
        if let Some(b) = &body {
            req = req.json(b);
        }
        if let Ok(res) = req.send().await {
            let status = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            if status < 300 {
                return serde_json::from_str(&text).unwrap();
            }
            assert!(status >= 500 || status == 409, "{method} {path} on {base}: {status} {text}");
        }
        assert!(Instant::now() < deadline, "{method} {path} never went through");
        n += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn get(base: &str, path: &str, key: &str) -> Value {
    reqwest::Client::new().get(format!("{base}{path}")).bearer_auth(key).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn three_nodes_on_one_postgres_lose_nothing_and_double_nothing_when_one_is_killed() {
    let db = TestDatabase::fresh().await;
    if !db.is_postgres() {
        return; // SQLite is one node (its data directory is locked).
    }
    three_nodes(db).await;
}

/// The same through PgBouncer in transaction pooling mode: 48 client connections (16 per
/// node) share 8 server connections.
#[tokio::test]
async fn three_nodes_behind_pgbouncer_lose_nothing_and_double_nothing_when_one_is_killed() {
    let db = TestDatabase::fresh().await;
    if !db.is_postgres() {
        return;
    }
    three_nodes(db.through_pgbouncer(8).await).await;
}

async fn three_nodes(db: TestDatabase) {
    let first = Gateway::start(&db, ENV).await;
    let key = first.printed("secret key").expect("the demo key");
    let mut nodes = vec![Some(first), Some(Gateway::start(&db, ENV).await), Some(Gateway::start(&db, ENV).await)];
    // Every address a node ever had: clients try them in turn, dead ones included.
    let mut bases: Vec<String> = nodes.iter().map(|n| n.as_ref().unwrap().base.clone()).collect();
    let receiver = Receiver::start().await;
    let endpoint = json!({"url": receiver.url(), "enabled_events": ["*"]});
    send_any(&bases, 0, "POST", "/v1/webhook_endpoints", &key, "we", Some(endpoint)).await;

    // Longer runs (`scripts/nodes-chaos.sh`): more payments, and every sixth payment a random
    // node is killed (while another lives) or, if it is down, restarted.
    let count: usize = std::env::var("KASSA_NODES_PAYMENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(18);
    let chaos = std::env::var("KASSA_NODES_CHAOS").is_ok_and(|v| v == "1");
    let mut payments = Vec::new();
    for i in 0..count {
        if chaos && i > 0 && i % 6 == 0 {
            let n = fastrand::usize(..nodes.len());
            let alive = nodes.iter().flatten().count();
            match nodes[n].take() {
                Some(node) if alive > 1 => {
                    println!("payment {i}: killing node {n}");
                    node.kill().await;
                }
                Some(node) => nodes[n] = Some(node),
                None => {
                    println!("payment {i}: restarting node {n}");
                    let node = Gateway::start(&db, ENV).await;
                    bases.push(node.base.clone());
                    nodes[n] = Some(node);
                }
            }
        } else if !chaos && i == 6 {
            // A node dies mid-run; its requests, jobs and deliveries are taken over.
            nodes[1].take().unwrap().kill().await;
        } else if !chaos && i == 12 {
            let node = Gateway::start(&db, ENV).await;
            bases.push(node.base.clone());
            nodes[1] = Some(node);
        }
        let live: Vec<String> = nodes.iter().flatten().map(|n| n.base.clone()).collect();
        let body = json!({"amount": 1000 + i, "currency": "USD", "capture_method": "manual",
            "payment_method": "pm_card_visa", "confirm": true});
        let pi = send_any(&bases, i, "POST", "/v1/payment_intents", &key, &format!("pi-{i}"), Some(body)).await;
        let id = pi["id"].as_str().unwrap().to_owned();
        let deadline = Instant::now() + Duration::from_secs(30);
        while get(&live[i % live.len()], &format!("/v1/payment_intents/{id}"), &key).await["status"]
            != "requires_capture"
        {
            assert!(Instant::now() < deadline, "{id} never authorized");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        send_any(
            &bases,
            i + 1,
            "POST",
            &format!("/v1/payment_intents/{id}/capture"),
            &key,
            &format!("cap-{i}"),
            Some(json!({})),
        )
        .await;
        let refund = json!({"payment_intent": id, "amount": 100});
        send_any(&bases, i + 2, "POST", "/v1/refunds", &key, &format!("re-{i}"), Some(refund)).await;
        payments.push((id, 1000 + i as i64));
    }

    let any = nodes.iter().flatten().next().expect("a live node").base.clone();
    for (id, amount) in &payments {
        let deadline = Instant::now() + Duration::from_secs(30);
        let pi = loop {
            let pi = get(&any, &format!("/v1/payment_intents/{id}"), &key).await;
            if pi["amount_refunded"] == 100 || Instant::now() > deadline {
                break pi;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!((pi["status"].as_str(), pi["amount_captured"].as_i64()), (Some("succeeded"), Some(*amount)), "{pi}");
        assert_eq!(pi["amount_refunded"], 100, "stuck or doubled: {pi}");
        let ops = get(&any, &format!("/v1/test_helpers/simulator/operations?payment_intent={id}"), &key).await;
        for operation in ["authorize", "capture", "refund"] {
            let n = ops["data"].as_array().unwrap().iter().filter(|o| o["operation"] == operation).count();
            assert_eq!(n, 1, "{id}: {n} × {operation} at the network");
        }
    }

    // Every event reaches the endpoint (at least once).
    assert_every_event_delivered(&any, &key, &receiver).await;
    for node in nodes.into_iter().flatten() {
        node.kill().await;
    }
}

/// Long leases: without heartbeats, a dead node's work would wait ten minutes.
const LONG_LEASES: &[(&str, &str)] = &[
    ("KASSA_JOB_LEASE_SECS", "600"),
    ("KASSA_IDEMPOTENCY_LEASE_SECS", "600"),
    ("KASSA_WEBHOOK_LEASE_SECS", "600"),
    ("KASSA_RATE_LIMIT", "0"),
];

/// `attempts lock_token` of the payment's jobs.
async fn jobs_of(db: &TestDatabase, pi: &str) -> Vec<String> {
    db.texts(&format!(
        "SELECT CAST(attempts AS TEXT) || ' ' || lock_token FROM jobs WHERE target_id = '{pi}' ORDER BY created_at"
    ))
    .await
}

/// [`jobs_of`] once the payment's job is claimed: its node's worker claims it just after the
/// create commits, which can be after the create's answer arrives.
async fn claimed_jobs_of(db: &TestDatabase, pi: &str) -> Vec<String> {
    let started = Instant::now();
    loop {
        let jobs = jobs_of(db, pi).await;
        // An unclaimed job's text is NULL (the lock token is), read as "".
        if !jobs.is_empty() && jobs.iter().all(|j| !j.is_empty()) {
            return jobs;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{pi}'s job not claimed: {jobs:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn node_ids(db: &TestDatabase) -> BTreeSet<String> {
    db.texts("SELECT id FROM nodes").await.into_iter().collect()
}

/// Creates and confirms a payment on `base`: it answers `processing` at once, and its node's
/// worker claims the authorization job and holds it while the processor takes its time.
async fn start_payment(base: &str, key: &str, idem: &str) -> String {
    let body = json!({"amount": 4200, "currency": "USD", "capture_method": "manual",
        "payment_method": "pm_card_visa", "confirm": true, "reference": idem});
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{base}/v1/payment_intents"))
        .bearer_auth(key)
        .header("Idempotency-Key", idem)
        .json(&body)
        .send()
        .await
        .unwrap();
    let pi: Value = res.json().await.unwrap();
    assert_eq!(pi["status"], "processing", "{pi}");
    pi["id"].as_str().unwrap().to_owned()
}

async fn wait_authorized(base: &str, key: &str, id: &str, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let pi = get(base, &format!("/v1/payment_intents/{id}"), key).await;
        if pi["status"] == "requires_capture" {
            return started.elapsed();
        }
        assert!(started.elapsed() < within, "{id} not authorized within {within:?}: {pi}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_dead_nodes_work_is_taken_over_within_ten_seconds_and_a_slow_node_keeps_its_own() {
    let db = TestDatabase::fresh().await;
    if !db.is_postgres() {
        return; // SQLite is one node: a start releases everything (tests/binary/crash.rs).
    }
    let with = |extra: &[(&'static str, &'static str)]| [LONG_LEASES, extra].concat();
    let steady = Gateway::start(&db, &with(&[])).await;
    let key = steady.printed("secret key").unwrap();
    let doomed = Gateway::start(&db, &with(&[("KASSA_SIMULATOR_LATENCY_MS", "60000")])).await;
    assert_eq!(node_ids(&db).await.len(), 2, "both nodes registered");

    // A node dies holding a job (its processor call in flight) and an idempotency key, both
    // leased for ten minutes.
    let id = start_payment(&doomed.base, &key, "dies-1").await;
    let held = claimed_jobs_of(&db, &id).await;
    assert_eq!(held.len(), 1, "{held:?}");
    let doomed_node = held[0].split([' ', '.']).nth(1).unwrap().to_owned();
    assert!(node_ids(&db).await.contains(&doomed_node), "the lease names its node: {held:?}");
    doomed.kill().await;
    let took = wait_authorized(&steady.base, &key, &id, Duration::from_secs(30)).await;
    println!("a dead node's payment was taken over and authorized {took:?} after the kill");
    assert!(took < Duration::from_secs(15), "taken over within the heartbeat bound, not the lease: {took:?}");
    assert!(!node_ids(&db).await.contains(&doomed_node), "the dead node is forgotten");
    let retried = steady
        .send(
            "POST",
            "/v1/payment_intents",
            &key,
            Some("dies-1"),
            Some(json!({"amount": 4200, "currency": "USD",
            "capture_method": "manual", "payment_method": "pm_card_visa", "confirm": true, "reference": "dies-1"})),
        )
        .await;
    assert_eq!((retried.status, retried.body["id"].as_str()), (200, Some(id.as_str())), "{}", retried.text);
    let ops = get(&steady.base, &format!("/v1/test_helpers/simulator/operations?payment_intent={id}"), &key).await;
    assert_eq!(ops["data"].as_array().unwrap().iter().filter(|o| o["operation"] == "authorize").count(), 1);

    // A slow node keeps its work past its (short) lease: it renews while it heartbeats.
    let short = [("KASSA_JOB_LEASE_SECS", "4"), ("KASSA_RATE_LIMIT", "0")];
    let slow = Gateway::start(&db, &[("KASSA_SIMULATOR_LATENCY_MS", "12000"), short[0], short[1]]).await;
    let id = start_payment(&slow.base, &key, "slow-1").await;
    let took = wait_authorized(&steady.base, &key, &id, Duration::from_secs(40)).await;
    // The slow node answers after 6 to 18 s (its simulator's 12 s ±50 %); another node taking
    // the job once its 4 s lease ran out would answer at once, within about 5 s.
    assert!(took > Duration::from_millis(5500), "the slow node's answer, not another node's: {took:?}");
    let jobs = jobs_of(&db, &id).await;
    assert!(jobs[0].starts_with("1 "), "claimed once, by the slow node, never taken from it: {jobs:?}");
    slow.kill().await;
    steady.kill().await;
}

/// A job queued on one node starts on another at once: an API-only node (it runs no jobs)
/// confirms a payment, and the other node, whose idle workers would look again only after a
/// minute, hears of the job (`LISTEN`/`NOTIFY`) and authorizes it.
#[tokio::test]
async fn a_job_queued_on_one_node_starts_on_another_that_hears_of_it() {
    let db = TestDatabase::fresh().await;
    if !db.is_postgres() {
        return; // SQLite is one node.
    }
    let slow_poll = [("KASSA_LISTENING_POLL_MS", "60000"), ("KASSA_RATE_LIMIT", "0")];
    let worker = Gateway::start(&db, &slow_poll).await;
    let key = worker.printed("secret key").expect("the demo key");
    let api_only = Gateway::start(&db, &[("KASSA_JOB_CONCURRENCY", "0"), ("KASSA_RATE_LIMIT", "0")]).await;
    // Let the worker's loops go idle on their long wait.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let body = json!({"amount": 2500, "currency": "USD", "capture_method": "manual",
        "payment_method": "pm_card_visa", "confirm": true});
    let pi =
        send_any(std::slice::from_ref(&api_only.base), 0, "POST", "/v1/payment_intents", &key, "heard", Some(body))
            .await;
    assert_eq!(pi["status"], "processing", "{pi}");
    let id = pi["id"].as_str().unwrap();
    let started = Instant::now();
    loop {
        let now = get(&api_only.base, &format!("/v1/payment_intents/{id}"), &key).await;
        if now["status"] == "requires_capture" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the other node never heard of the job: {now}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("authorized by the other node {:?} after the confirm", started.elapsed());
    worker.kill().await;
    api_only.kill().await;
}

/// Lists payments with `key` round-robin over `bases` from `clients` clients for `seconds`;
/// returns (answers by status, seconds it took).
async fn hammer(
    bases: &[String],
    key: &str,
    clients: usize,
    seconds: u64,
) -> (std::collections::BTreeMap<u16, u64>, f64) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (client, bases, key) = (client.clone(), bases.to_vec(), key.to_owned());
            tokio::spawn(async move {
                let mut seen = std::collections::BTreeMap::new();
                let mut n = c;
                while Instant::now() < until {
                    let base = &bases[n % bases.len()];
                    n += 1;
                    let res = client.get(format!("{base}/v1/payment_intents?limit=1")).bearer_auth(&key).send().await;
                    *seen.entry(res.map(|r| r.status().as_u16()).unwrap_or(0)).or_insert(0) += 1;
                }
                seen
            })
        })
        .collect();
    let mut all = std::collections::BTreeMap::new();
    for t in tasks {
        for (status, n) in t.await.unwrap() {
            *all.entry(status).or_insert(0) += n;
        }
    }
    (all, started.elapsed().as_secs_f64())
}

/// A key's rate limit, and the failed-authentication throttle, hold for the whole cluster:
/// three nodes behind a round-robin client allow what one node would (each its third), not
/// three times as much.
#[tokio::test]
async fn rate_limits_hold_for_the_cluster_not_per_node() {
    let db = TestDatabase::fresh().await;
    if !db.is_postgres() {
        return; // SQLite is one node.
    }
    let env = [("KASSA_RATE_LIMIT", "20"), ("KASSA_RATE_LIMIT_BURST", "30")];
    let first = Gateway::start(&db, &env).await;
    let key = first.printed("secret key").expect("the demo key");
    let nodes = [first, Gateway::start(&db, &env).await, Gateway::start(&db, &env).await];
    let bases: Vec<String> = nodes.iter().map(|n| n.base.clone()).collect();
    // Each node's heartbeat (every 2 s) counts the others.
    tokio::time::sleep(Duration::from_secs(5)).await;

    let (seen, took) = hammer(&bases, &key, 8, 3).await;
    let allowed = seen.get(&200).copied().unwrap_or(0) as f64;
    // A burst of 30 (10 per node), then 20 per second.
    let limit = 30.0 + 20.0 * took;
    println!("key: {seen:?} in {took:.2} s; the cluster's limit {limit:.0}");
    assert!(seen.get(&429).copied().unwrap_or(0) > 0, "never limited: {seen:?}");
    assert!((allowed - limit).abs() <= 0.1 * limit, "{allowed} allowed against a limit of {limit:.0}: {seen:?}");

    // Wrong keys from one address: 50 failures in a burst, then 10 per second, cluster-wide.
    // (Two clients: each failure is counted after its key was looked up, so every client in
    // flight when a node's part runs out gets one more through, whatever the node count.)
    let (seen, took) = hammer(&bases, "sk_test_not_a_key_of_anyone_at_all", 2, 3).await;
    let failures = seen.get(&401).copied().unwrap_or(0) as f64;
    let throttle = 51.0 + 10.0 * took;
    println!("wrong keys: {seen:?} in {took:.2} s; the cluster's throttle {throttle:.0}");
    assert!(seen.get(&429).copied().unwrap_or(0) > 0, "never throttled: {seen:?}");
    assert!(failures <= 1.1 * throttle, "{failures} failed authentications let through against {throttle:.0}");
    for node in nodes {
        node.kill().await;
    }
}
