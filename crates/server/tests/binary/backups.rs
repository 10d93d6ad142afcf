//! `kassa backup` and `kassa restore`, as an operator runs them beside a gateway under load:
//! every payment answered before a backup began is in it, after a restore the gateway serves
//! it with its events, and a torn, foreign or wrongly keyed file is refused.

use crate::{Gateway, kassa};
use kassa_testkit::TestDatabase;
use serde_json::json;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Creates and confirms payments from `clients` tasks until `stop`; the ids of those answered.
fn load(
    gw: &Gateway,
    key: &str,
    clients: usize,
    stop: Arc<AtomicBool>,
) -> (Arc<Mutex<Vec<String>>>, Vec<tokio::task::JoinHandle<()>>) {
    let answered = Arc::new(Mutex::new(Vec::new()));
    let tasks = (0..clients)
        .map(|n| {
            let (base, key, stop, answered) = (gw.base.clone(), key.to_owned(), stop.clone(), answered.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let body = json!({"amount": 1000 + i, "currency": "EUR", "payment_method": "pm_card_visa", "confirm": true});
                    let sent = http
                        .post(format!("{base}/v1/payment_intents"))
                        .bearer_auth(&key)
                        .header("Idempotency-Key", format!("load-{n}-{i}"))
                        .json(&body)
                        .send()
                        .await;
                    // The gateway may be killed mid-request: only answers count.
                    let Ok(res) = sent else { continue };
                    if res.status() == 200 {
                        let Ok(pi) = res.json::<serde_json::Value>().await else { continue };
                        answered.lock().unwrap().push(pi["id"].as_str().unwrap().to_owned());
                    }
                }
            })
        })
        .collect();
    (answered, tasks)
}

async fn run(cmd: &mut tokio::process::Command) -> (bool, String) {
    let out = cmd.output().await.expect("kassa runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// `kassa restore` of `backup` into a new data directory, a gateway on it, and every one of
/// `answered` served with its events.
async fn restore_and_check(backup: &Path, answered: &[String]) {
    let restored = TestDatabase::fresh().await;
    let (ok, said) = run(kassa(&restored).args(["restore", "--from"]).arg(backup)).await;
    assert!(ok, "{said}");
    assert!(said.contains("Restored"), "{said}");
    let gw = Gateway::start(&restored, &[("KASSA_RATE_LIMIT", "0")]).await;
    // The demo merchant is in the backup: its key is the first gateway's, not printed again.
    assert!(gw.printed("secret key").is_none(), "the restored database has its merchant");
    let merchants = run(kassa(&restored).args(["merchants", "list", "--json"])).await.1;
    let merchant: serde_json::Value = serde_json::from_str(merchants.trim()).unwrap();
    let merchant = merchant[0]["merchant_id"].as_str().unwrap().to_owned();
    let key = run(kassa(&restored).args(["keys", "create", "--merchant", &merchant, "--json"])).await.1;
    let key: serde_json::Value = serde_json::from_str(key.trim()).unwrap();
    let key = key["key"].as_str().unwrap();
    for id in answered {
        let pi = gw.send("GET", &format!("/v1/payment_intents/{id}"), key, None, None).await;
        assert_eq!(pi.status, 200, "{id} was answered before the backup began: {}", pi.text);
        let events = gw.send("GET", &format!("/v1/events?related_object={id}"), key, None, None).await;
        let events = events.body["data"].as_array().cloned().unwrap_or_default();
        assert!(
            events.iter().any(|e| e["type"] == "payment_intent.created"),
            "{id}'s events render after the restore: {events:?}"
        );
    }
    gw.kill().await;
}

#[tokio::test]
async fn backups_taken_under_load_and_in_a_kill_round_restore_every_answered_payment() {
    let db = TestDatabase::fresh().await;
    let Some(dir) = db.sqlite_dir().map(Path::to_owned) else {
        let (ok, said) = run(kassa(&db).args(["backup", "--to", "/tmp/never.db"])).await;
        assert!(!ok && said.contains("docs/backups.md"), "PostgreSQL is backed up with its own tools: {said}");
        return;
    };
    let gw = Gateway::start(&db, &[("KASSA_RATE_LIMIT", "0")]).await;
    let key = gw.printed("secret key").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (answered, tasks) = load(&gw, &key, 8, stop.clone());
    let backups = tempfile::tempdir().unwrap();

    // A backup while the gateway takes payments.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let before_first: Vec<String> = answered.lock().unwrap().clone();
    let first = backups.path().join("first.db");
    let (ok, said) = run(kassa(&db).args(["backup", "--to"]).arg(&first)).await;
    assert!(ok, "{said}");
    assert!(said.contains("integrity checked") && said.contains("schema version"), "{said}");
    let during = answered.lock().unwrap().len();
    assert!(during > before_first.len(), "payments were answered while the backup ran");

    // A backup the gateway is killed during (kill -9, mid-load).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before_second: Vec<String> = answered.lock().unwrap().clone();
    let second = backups.path().join("second.db");
    let mut backing_up =
        kassa(&db).args(["backup", "--to"]).arg(&second).stdout(std::process::Stdio::null()).spawn().unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    gw.kill().await;
    assert!(backing_up.wait().await.unwrap().success(), "the backup completes although the gateway died");
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    // And one of what the killed gateway left (its WAL not checkpointed).
    let after_kill: Vec<String> = answered.lock().unwrap().clone();
    let third = backups.path().join("third.db");
    let (ok, said) = run(kassa(&db).args(["backup", "--to"]).arg(&third)).await;
    assert!(ok, "{said}");

    assert!(before_first.len() >= 20, "the load answered payments: {}", before_first.len());
    restore_and_check(&first, &before_first).await;
    restore_and_check(&second, &before_second).await;
    restore_and_check(&third, &after_kill).await;

    // The master key is not in a backup.
    let bytes = std::fs::read(&first).unwrap();
    let hex_key = hex::encode(kassa_testkit::TEST_MASTER_KEY);
    assert!(!bytes.windows(hex_key.len()).any(|w| w == hex_key.as_bytes()));
    assert!(!bytes.windows(kassa_testkit::TEST_MASTER_KEY.len()).any(|w| w == kassa_testkit::TEST_MASTER_KEY));
    drop(dir);
}

#[tokio::test]
async fn restores_are_refused_into_a_served_or_used_directory_and_from_torn_foreign_or_other_keys_files() {
    let db = TestDatabase::fresh().await;
    let Some(data_dir) = db.sqlite_dir().map(Path::to_owned) else { return };
    let gw = Gateway::start(&db, &[]).await;
    let files = tempfile::tempdir().unwrap();
    let good = files.path().join("good.db");
    assert!(run(kassa(&db).args(["backup", "--to"]).arg(&good)).await.0);
    let (ok, said) = run(kassa(&db).args(["backup", "--to"]).arg(&good)).await;
    assert!(!ok && said.contains("already exists"), "a backup never overwrites a file: {said}");

    // Into the running gateway's directory; then, stopped, into its (used) directory.
    let (ok, said) = run(kassa(&db).args(["restore", "--from"]).arg(&good)).await;
    assert!(!ok && said.contains("in use by another Kassa gateway"), "{said}");
    gw.kill().await;
    let (ok, said) = run(kassa(&db).args(["restore", "--from"]).arg(&good)).await;
    assert!(!ok && said.contains("already exists"), "{said}");

    let empty = TestDatabase::fresh().await;
    let target = empty.sqlite_dir().unwrap().join("kassa.db");
    let refused = |file: &Path, other_key: bool| {
        let mut cmd = kassa(&empty);
        cmd.args(["restore", "--from"]).arg(file);
        if other_key {
            cmd.env("KASSA_MASTER_KEY", "11".repeat(32));
        }
        async move {
            let (ok, said) = run(&mut cmd).await;
            assert!(!ok, "{said}");
            said
        }
    };
    // Under another master key.
    let said = refused(&good, true).await;
    assert!(said.contains("another master key"), "{said}");
    // Torn: the first half of the file.
    let bytes = std::fs::read(&good).unwrap();
    let torn = files.path().join("torn.db");
    std::fs::write(&torn, &bytes[..bytes.len() / 2]).unwrap();
    let said = refused(&torn, false).await;
    assert!(said.contains("integrity check") || said.contains("not a readable SQLite database"), "{said}");
    // Foreign: not a database, and a database that is not Kassa's.
    let text = files.path().join("notes.db");
    std::fs::write(&text, "not a database at all, but long enough to have a header ".repeat(20)).unwrap();
    let said = refused(&text, false).await;
    assert!(said.contains("not a readable SQLite database"), "{said}");
    let foreign = files.path().join("other-app.db");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE notes (body TEXT)").unwrap();
    let said = refused(&foreign, false).await;
    assert!(said.contains("not Kassa's"), "{said}");
    assert!(!target.exists(), "nothing was restored by a refusal");

    // A backup of a torn database is refused too.
    let torn_db = TestDatabase::fresh().await;
    std::fs::write(torn_db.sqlite_dir().unwrap().join("kassa.db"), &bytes[..bytes.len() / 2]).unwrap();
    let (ok, said) = run(kassa(&torn_db).args(["backup", "--to"]).arg(files.path().join("of-torn.db"))).await;
    assert!(!ok && (said.contains("integrity check") || said.contains("not a readable")), "{said}");
    assert!(!files.path().join("of-torn.db").exists() && !files.path().join("of-torn.db.partial").exists());

    // The good one restores.
    let (ok, said) = run(kassa(&empty).args(["restore", "--from"]).arg(&good)).await;
    assert!(ok && target.exists(), "{said}");
    drop(data_dir);
}

#[tokio::test]
async fn backups_into_a_directory_are_named_by_time_and_keep_the_newest() {
    let db = TestDatabase::fresh().await;
    if db.sqlite_dir().is_none() {
        return;
    }
    let gw = Gateway::start(&db, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    for _ in 0..3 {
        let (ok, said) = run(kassa(&db).args(["backup", "--keep", "2", "--to"]).arg(dir.path())).await;
        assert!(ok, "{said}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.len(), 3, "two backups and the operator's own file: {names:?}");
    assert!(names[..2].iter().all(|n| n.starts_with("kassa-") && n.ends_with("Z.db")), "{names:?}");
    assert_eq!(names[2], "notes.txt");
    gw.kill().await;
}
