//! The operator CLI on the database of a running gateway.

use crate::{Gateway, kassa};
use kassa_testkit::TestDatabase;
use serde_json::{Value, json};

async fn run(db: &TestDatabase, args: &[&str]) -> (bool, String, String) {
    let out = kassa(db).args(args).output().await.expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn run_json(db: &TestDatabase, args: &[&str]) -> Value {
    let (ok, stdout, stderr) = run(db, args).await;
    assert!(ok, "kassa {args:?} failed: {stderr}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("kassa {args:?} printed no JSON ({e}): {stdout}"))
}

#[tokio::test]
async fn merchants_and_keys_are_managed_while_the_gateway_runs() {
    let db = TestDatabase::fresh().await;
    let (ok, stdout, _) = run(&db, &["migrate"]).await;
    assert!(ok && stdout.contains("Migrations applied"), "{stdout}");
    let gw = Gateway::start(&db, &[]).await;

    let shop = run_json(&db, &["merchants", "create", "--name", "Corner Shop", "--json"]).await;
    let merchant = shop["merchant_id"].as_str().unwrap().to_owned();
    let secret = shop["secret_key"].as_str().unwrap().to_owned();
    assert!(merchant.starts_with("mer_") && secret.starts_with("sk_test_"));
    assert!(shop["publishable_key"].as_str().unwrap().starts_with("pk_test_"));
    let created =
        gw.send("POST", "/v1/payment_intents", &secret, None, Some(json!({"amount": 100, "currency": "USD"}))).await;
    assert_eq!((created.status, created.body["livemode"].as_bool()), (200, Some(false)));

    let live = run_json(&db, &["keys", "create", "--merchant", &merchant, "--live", "--json"]).await;
    let live_key = live["key"].as_str().unwrap().to_owned();
    assert!(live_key.starts_with("sk_live_"));
    let live_list = gw.send("GET", "/v1/payment_intents", &live_key, None, None).await;
    assert_eq!((live_list.status, live_list.body["data"].as_array().map(Vec::len)), (200, Some(0)));

    let publishable = run_json(&db, &["keys", "create", "--merchant", &merchant, "--publishable", "--json"]).await;
    let pk = publishable["key"].as_str().unwrap();
    assert!(pk.starts_with("pk_test_"));
    assert_eq!(gw.send("GET", "/v1/payment_intents", pk, None, None).await.status, 403);

    // Revoked by another process: the gateway, which checked the key a moment ago, refuses it
    // within its key cache's time to live (`app::KEY_CACHE_TTL`, 2 s).
    let (ok, stdout, _) = run(&db, &["keys", "revoke", live["key_id"].as_str().unwrap()]).await;
    assert!(ok, "{stdout}");
    let revoked_at = std::time::Instant::now();
    while gw.send("GET", "/v1/payment_intents", &live_key, None, None).await.status != 401 {
        assert!(revoked_at.elapsed() < kassa_server::app::KEY_CACHE_TTL * 2, "the revoked key still works");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    println!("a key revoked by the CLI was refused by the running gateway after {:?}", revoked_at.elapsed());

    let keys = run_json(&db, &["keys", "list", "--merchant", &merchant, "--json"]).await;
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 4);
    assert_eq!(keys.iter().filter(|k| k["revoked"] == true).count(), 1);
    assert!(keys.iter().all(|k| k.get("key").is_none()), "keys are never shown again");

    let merchants = run_json(&db, &["merchants", "list", "--json"]).await;
    let names: Vec<_> = merchants.as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, ["Demo merchant", "Corner Shop"]);
    // Every merchant has its own serial number of 4 to 6 digits, the same in create and list.
    let serials: Vec<u64> =
        merchants.as_array().unwrap().iter().map(|m| m["serial_number"].as_u64().unwrap()).collect();
    assert!(serials.iter().all(|s| (1000..=999_999).contains(s)) && serials[0] != serials[1], "{serials:?}");
    assert_eq!(shop["serial_number"].as_u64(), Some(serials[1]));

    let (ok, _, stderr) = run(&db, &["keys", "create", "--merchant", "mer_000000000000000000000000"]).await;
    assert!(!ok && stderr.contains("No such merchant"), "{stderr}");
    let (ok, _, stderr) = run(&db, &["keys", "revoke", "key_nope"]).await;
    assert!(!ok && stderr.contains("No such api_key"), "{stderr}");
    gw.kill().await;
}
