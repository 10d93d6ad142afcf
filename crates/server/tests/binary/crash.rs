//! A crash in the middle of processing loses nothing and doubles nothing.

use crate::Gateway;
use kassa_testkit::{TestDatabase, json_of};
use serde_json::{Value, json};

fn count(ops: &Value, operation: &str) -> usize {
    ops["data"].as_array().unwrap().iter().filter(|o| o["operation"] == operation).count()
}

/// Slow network, short leases: a killed worker's job is retried quickly after a restart.
const SLOW: &[(&str, &str)] =
    &[("KASSA_SIMULATOR_LATENCY_MS", "4000"), ("KASSA_JOB_LEASE_SECS", "2"), ("KASSA_IDEMPOTENCY_LEASE_SECS", "2")];
const FAST: &[(&str, &str)] =
    &[("KASSA_SIMULATOR_LATENCY_MS", "0"), ("KASSA_JOB_LEASE_SECS", "2"), ("KASSA_IDEMPOTENCY_LEASE_SECS", "2")];

#[tokio::test]
async fn killed_mid_authorization_and_mid_refund_the_work_completes_exactly_once_after_restart() {
    let db = TestDatabase::fresh().await;

    // First start: the demo merchant's keys are printed, once.
    let gw = Gateway::start(&db, SLOW).await;
    let key = gw.printed("secret key").expect("first start prints the demo secret key");
    assert!(key.starts_with("sk_test_"));
    assert!(gw.printed("publishable key").is_some_and(|k| k.starts_with("pk_test_")));
    let pi = gw
        .send(
            "POST",
            "/v1/payment_intents",
            &key,
            Some("order-1"),
            Some(json!({"amount": 5000, "currency": "USD", "payment_method": "pm_card_visa", "confirm": true})),
        )
        .await;
    assert_eq!((pi.status, pi.body["status"].as_str()), (200, Some("processing")));
    let pi_id = json_of(&pi.body, "id").to_owned();
    let ops_path = format!("/v1/test_helpers/simulator/operations?payment_intent={pi_id}");
    // The network has recorded the authorization; its answer is still on the way back.
    gw.poll(&ops_path, &key, |ops| count(ops, "authorize") == 1).await;
    gw.kill().await;

    // Second start: nothing printed; the job's lease runs out and it is retried with the
    // same idempotency key, so the network answers from its books instead of charging again.
    let gw = Gateway::start(&db, FAST).await;
    assert_eq!(gw.printed("secret key"), None, "keys are shown only on the first start");
    let done = gw.poll(&format!("/v1/payment_intents/{pi_id}"), &key, |p| p["status"] != "processing").await;
    assert_eq!((done["status"].as_str(), done["amount_captured"].as_i64()), (Some("succeeded"), Some(5000)));
    let ops = gw.send("GET", &ops_path, &key, None, None).await.body;
    assert_eq!(count(&ops, "authorize"), 1, "exactly one authorization at the network: {ops}");
    let events = gw.send("GET", &format!("/v1/payment_intents/{pi_id}/events"), &key, None, None).await.body;
    let types: Vec<_> =
        events["data"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        types,
        ["payment_intent.created", "payment_intent.processing", "payment_intent.captured", "payment_intent.succeeded"]
    );
    gw.kill().await;

    // Third start, slow again: crash while a refund is at the network.
    let gw = Gateway::start(&db, SLOW).await;
    let refund_body = json!({"payment_intent": pi_id, "amount": 1200});
    let refund_request = gw.send("POST", "/v1/refunds", &key, Some("refund-1"), Some(refund_body.clone()));
    let watch = async {
        gw.poll(&ops_path, &key, |ops| count(ops, "refund") == 1).await;
    };
    tokio::select! {
        _ = refund_request => panic!("the refund answered before the network did"),
        _ = watch => {}
    }
    gw.kill().await;

    // Fourth start: the client retries with the same idempotency key. It gets the refund the
    // first request created (not a second one), and the worker finishes it.
    let gw = Gateway::start(&db, FAST).await;
    let mut retry = gw.send("POST", "/v1/refunds", &key, Some("refund-1"), Some(refund_body.clone())).await;
    for _ in 0..300 {
        if retry.status != 409 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        retry = gw.send("POST", "/v1/refunds", &key, Some("refund-1"), Some(refund_body.clone())).await;
    }
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    let refund_id = json_of(&retry.body, "id").to_owned();
    let refund = gw.poll(&format!("/v1/refunds/{refund_id}"), &key, |r| r["status"] == "succeeded").await;
    assert_eq!(refund["amount"], 1200);
    let pi = gw.send("GET", &format!("/v1/payment_intents/{pi_id}"), &key, None, None).await.body;
    assert_eq!((pi["amount_refunded"].as_i64(), pi["amount_refund_pending"].as_i64()), (Some(1200), Some(0)));
    let refunds = gw.send("GET", &format!("/v1/refunds?payment_intent={pi_id}"), &key, None, None).await.body;
    assert_eq!(refunds["data"].as_array().unwrap().len(), 1, "one refund, not two");
    let ops = gw.send("GET", &ops_path, &key, None, None).await.body;
    assert_eq!(count(&ops, "refund"), 1, "exactly one refund at the network: {ops}");
    gw.kill().await;
}

/// SQLite is one node: the gateway that locks the data directory knows a crashed one holds
/// nothing, so its work resumes at once, however long the leases are.
#[tokio::test]
async fn on_sqlite_a_restart_resumes_a_crashed_runs_work_at_once_and_a_second_gateway_is_refused() {
    let db = TestDatabase::fresh().await;
    if db.is_postgres() {
        return; // Many nodes share PostgreSQL; there, leases run out instead.
    }
    let long_leases = [("KASSA_JOB_LEASE_SECS", "600"), ("KASSA_IDEMPOTENCY_LEASE_SECS", "600")];
    let slow: Vec<_> = [("KASSA_SIMULATOR_LATENCY_MS", "4000")].into_iter().chain(long_leases).collect();
    let gw = Gateway::start(&db, &slow).await;
    let key = gw.printed("secret key").expect("the demo key");

    let second = crate::kassa(&db).args(["serve", "--addr", "127.0.0.1:0"]).output().await.unwrap();
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success(), "a second gateway on one SQLite file is refused");
    assert!(said.contains("in use by another Kassa gateway") && said.contains("pid "), "{said}");

    let body = json!({"amount": 700, "currency": "USD", "payment_method": "pm_card_visa", "confirm": true});
    let pi = gw.send("POST", "/v1/payment_intents", &key, Some("resume-1"), Some(body.clone())).await;
    let pi_id = json_of(&pi.body, "id").to_owned();
    let ops_path = format!("/v1/test_helpers/simulator/operations?payment_intent={pi_id}");
    gw.poll(&ops_path, &key, |ops| count(ops, "authorize") == 1).await;
    gw.kill().await;

    let fast: Vec<_> = [("KASSA_SIMULATOR_LATENCY_MS", "0")].into_iter().chain(long_leases).collect();
    let gw = Gateway::start(&db, &fast).await;
    let started = std::time::Instant::now();
    let done = gw.poll(&format!("/v1/payment_intents/{pi_id}"), &key, |p| p["status"] != "processing").await;
    assert_eq!(done["status"], "succeeded");
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "not the 600 s lease: {:?}", started.elapsed());
    let ops = gw.send("GET", &ops_path, &key, None, None).await.body;
    assert_eq!(count(&ops, "authorize"), 1, "still one authorization: {ops}");
    gw.kill().await;
}

/// SIGTERM: no new connections, the request in flight (a capture waiting on the network)
/// still gets its answer, and the process exits 0.
#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_then_exits_cleanly() {
    let db = TestDatabase::fresh().await;
    let gw = Gateway::start(&db, &[("KASSA_SIMULATOR_LATENCY_MS", "1500")]).await;
    let key = gw.printed("secret key").expect("the demo key");
    let body = json!({"amount": 900, "currency": "USD", "capture_method": "manual", "payment_method": "pm_card_visa",
        "confirm": true});
    let pi = gw.send("POST", "/v1/payment_intents", &key, None, Some(body)).await;
    let pi_id = json_of(&pi.body, "id").to_owned();
    gw.poll(&format!("/v1/payment_intents/{pi_id}"), &key, |p| p["status"] == "requires_capture").await;

    let base = gw.base.clone();
    let capture_url = format!("{base}/v1/payment_intents/{pi_id}/capture");
    let capture = async {
        let res = reqwest::Client::new().post(&capture_url).bearer_auth(&key).header("Idempotency-Key", "cap-1");
        kassa_testkit::TestResponse::from(res.send().await.expect("answered, not cut off")).await
    };
    let stop = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        gw.terminate().await
    };
    let (captured, status) = tokio::join!(capture, stop);
    assert_eq!((captured.status, captured.body["status"].as_str()), (200, Some("succeeded")), "{}", captured.text);
    assert!(status.success(), "exit status {status:?}");
    assert!(reqwest::get(format!("{base}/health")).await.is_err(), "no longer listening");
}

/// Killed while a capture is at the network: on restart (SQLite), the client's retry with the
/// same key gets that capture's answer at once, not a 409 for the key's lease nor a second
/// capture, and the durable job finishes it.
#[tokio::test]
async fn on_sqlite_a_capture_cut_off_by_a_crash_answers_its_retry_at_once() {
    let db = TestDatabase::fresh().await;
    if db.is_postgres() {
        return;
    }
    let long_leases = [("KASSA_JOB_LEASE_SECS", "600"), ("KASSA_IDEMPOTENCY_LEASE_SECS", "600")];
    let slow: Vec<_> = [("KASSA_SIMULATOR_LATENCY_MS", "3000")].into_iter().chain(long_leases).collect();
    let gw = Gateway::start(&db, &slow).await;
    let key = gw.printed("secret key").expect("the demo key");
    let body = json!({"amount": 800, "currency": "USD", "capture_method": "manual", "payment_method": "pm_card_visa",
        "confirm": true});
    let pi_id = json_of(&gw.send("POST", "/v1/payment_intents", &key, None, Some(body)).await.body, "id").to_owned();
    gw.poll(&format!("/v1/payment_intents/{pi_id}"), &key, |p| p["status"] == "requires_capture").await;
    let ops_path = format!("/v1/test_helpers/simulator/operations?payment_intent={pi_id}");
    let capture_path = format!("/v1/payment_intents/{pi_id}/capture");
    let capture = gw.send("POST", &capture_path, &key, Some("cap-crash"), Some(json!({"amount_to_capture": 500})));
    tokio::select! {
        _ = capture => panic!("the capture answered before the network did"),
        _ = gw.poll(&ops_path, &key, |ops| count(ops, "capture") == 1) => {}
    }
    gw.kill().await;

    let fast: Vec<_> = [("KASSA_SIMULATOR_LATENCY_MS", "0")].into_iter().chain(long_leases).collect();
    let gw = Gateway::start(&db, &fast).await;
    let retry = gw.send("POST", &capture_path, &key, Some("cap-crash"), Some(json!({"amount_to_capture": 500}))).await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    let done = gw.poll(&format!("/v1/payment_intents/{pi_id}"), &key, |p| p["status"] == "succeeded").await;
    assert_eq!(done["amount_captured"], 500);
    let ops = gw.send("GET", &ops_path, &key, None, None).await.body;
    assert_eq!(count(&ops, "capture"), 1, "one capture at the network: {ops}");
    gw.kill().await;
}

/// A payment through a Vipps connector: the provider is an in-process gateway (its own
/// database) behind a proxy that holds the capture, and the merchant's gateway is this binary.
#[tokio::test]
async fn killed_mid_capture_at_vipps_the_capture_resumes_and_vipps_captures_once() {
    use kassa_testkit::proxy::{Action, Proxy};
    let provider_gateway = kassa_testkit::spawn_app().await;
    let provider = provider_gateway.create_merchant("Vipps, played by Kassa").await;
    let proxy = Proxy::start(provider_gateway.address).await;
    let db = TestDatabase::fresh().await;
    let gw = Gateway::start(&db, FAST).await;
    let key = gw.printed("secret key").expect("the demo key");
    let connector = json!({"type": "vipps", "base_url": proxy.url(), "credentials": {
        "client_id": provider.id, "client_secret": provider.secret_key,
        "subscription_key": provider.publishable_key,
        "merchant_serial_number": provider.serial_number.to_string()}});
    assert_eq!(gw.send("POST", "/v1/connectors", &key, None, Some(connector)).await.status, 200);
    let payment = json!({"amount": 10000, "currency": "NOK", "capture_method": "manual", "confirm": true,
        "return_url": "https://shop.example/back", "payment_method_data": {"type": "vipps"}});
    let pi = gw.send("POST", "/v1/payment_intents", &key, None, Some(payment)).await.body;
    assert_eq!(pi["status"], "requires_action", "{pi}");
    let pi_id = json_of(&pi, "id").to_owned();
    let page = json_of(&pi["next_action"]["redirect_to_url"], "url");
    assert_eq!(kassa_testkit::customer::pay_on_page(page, "4242424242424242").await, 303);
    gw.poll(&format!("/v1/payment_intents/{pi_id}"), &key, |p| p["status"] == "requires_capture").await;

    // The capture is held on its way to Vipps; the merchant's gateway dies meanwhile.
    proxy.plan([Action::DelayThenForward(std::time::Duration::from_secs(3))]);
    let capture_path = format!("/v1/payment_intents/{pi_id}/capture");
    let capture = gw.send("POST", &capture_path, &key, Some("cap-1"), Some(json!({"amount_to_capture": 4000})));
    let watch = async {
        for _ in 0..500 {
            if proxy.seen().iter().any(|s| s.path().ends_with("/capture")) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the capture never left");
    };
    tokio::select! {
        _ = capture => panic!("the capture answered before Vipps did"),
        _ = watch => {}
    }
    gw.kill().await;

    // Restarted: the capture job's lease runs out, it runs again with the same key, and Vipps
    // (which got the held request too) captures once.
    let gw = Gateway::start(&db, FAST).await;
    let done = gw.poll(&format!("/v1/payment_intents/{pi_id}"), &key, |p| p["status"] == "succeeded").await;
    assert_eq!(
        (done["amount_captured"].as_i64(), done["amount_canceled"].as_i64()),
        (Some(4000), Some(6000)),
        "{done}"
    );
    let reference = json_of(&pi["connector"], "reference");
    let mut books = Value::Null;
    for _ in 0..300 {
        let path = format!("/v1/payment_intents/by_reference/{reference}");
        books = provider_gateway.request("GET", &path, None, Some(&provider.secret_key), None).await.body;
        if books["amount_canceled"] == 6000 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        (books["amount_captured"].as_i64(), books["amount_canceled"].as_i64()),
        (Some(4000), Some(6000)),
        "{books}"
    );
    // The held request reaches Vipps after all: answered from its books, nothing more moves.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let path = format!("/v1/payment_intents/by_reference/{reference}");
    let books = provider_gateway.request("GET", &path, None, Some(&provider.secret_key), None).await.body;
    assert_eq!(books["amount_captured"], 4000, "{books}");
    let captures: Vec<_> = proxy.seen().into_iter().filter(|s| s.path().ends_with("/capture")).collect();
    assert!(captures.len() >= 2, "the capture was sent again after the restart: {captures:?}");
    assert!(captures.iter().all(|s| s.idempotency_key == captures[0].idempotency_key), "{captures:?}");
    gw.kill().await;
}
