//! The embedded database's files are the owner's only, whatever the umask the gateway starts
//! under, and a start on a data directory that others may enter says so.

use crate::Gateway;
use kassa_testkit::TestDatabase;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use tokio::process::Command;

/// `kassa serve` on the SQLite database in `data_dir`, under `umask 000`.
fn serve_under_open_umask(data_dir: &Path) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "umask 000; exec \"$0\" serve --addr 127.0.0.1:0", env!("CARGO_BIN_EXE_kassa")])
        .env("KASSA_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .env("KASSA_LOG", "warn")
        .env("KASSA_MASTER_KEY", hex::encode(kassa_testkit::TEST_MASTER_KEY))
        .env_remove("KASSA_MASTER_KEY_FILE")
        .kill_on_drop(true);
    cmd
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[tokio::test]
async fn the_data_directory_and_every_database_file_are_the_owners_only() {
    if TestDatabase::fresh().await.sqlite_dir().is_none() {
        return; // PostgreSQL keeps no files of Kassa's.
    }
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let gateway = Gateway::spawn(serve_under_open_umask(&data)).await;
    let key = gateway.printed("secret key").expect("the demo merchant's key");
    let created = gateway
        .send("POST", "/v1/payment_intents", &key, None, Some(serde_json::json!({"amount": 100, "currency": "EUR"})))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert!(!gateway.banner.iter().any(|l| l.contains("warning:")), "{:?}", gateway.banner);
    assert_eq!(mode(&data), 0o700);
    for file in ["kassa.db", "kassa.db-wal", "kassa.db-shm", "kassa.db.lock"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    gateway.terminate().await;

    // An earlier run's files left readable are taken back; a directory others may enter is named.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    for file in ["kassa.db", "kassa.db.lock"] {
        std::fs::set_permissions(data.join(file), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let gateway = Gateway::spawn(serve_under_open_umask(&data)).await;
    let warning = gateway.banner.iter().find(|l| l.contains("warning:")).expect("a warning about the directory");
    assert!(warning.contains(&data.display().to_string()) && warning.contains("755"), "{warning}");
    for file in ["kassa.db", "kassa.db-wal", "kassa.db-shm", "kassa.db.lock"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    gateway.terminate().await;
}
