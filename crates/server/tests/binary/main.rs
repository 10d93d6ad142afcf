//! Tests of the `kassa` binary as a process: crashes (kill -9) in the middle of processing,
//! and the operator CLI working on the database of a running gateway. On SQLite, or on
//! PostgreSQL with `KASSA_TEST_DATABASE_URL`.

mod backups;
mod batches;
mod cli;
mod crash;
mod files;
mod nodes;
mod operating;
mod rounds;
mod webhooks;

use kassa_testkit::{TestDatabase, TestResponse};
use serde_json::Value;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A gateway running as a child process.
pub struct Gateway {
    child: Child,
    /// `http://127.0.0.1:port`
    pub base: String,
    /// Everything it printed on stdout before serving.
    pub banner: Vec<String>,
    client: reqwest::Client,
}

/// The `kassa` binary with the database options for `db`.
pub fn kassa(db: &TestDatabase) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kassa"));
    match (db.sqlite_dir(), db.pooled_url()) {
        (Some(dir), _) => cmd.env("KASSA_DATA_DIR", dir).env_remove("DATABASE_URL"),
        (None, Some(pooled)) => {
            cmd.env("DATABASE_URL", pooled).env("KASSA_DB_THROUGH_POOLER", "true").env("KASSA_DB_DIRECT_URL", &db.url)
        }
        (None, None) => cmd.env("DATABASE_URL", &db.url),
    };
    cmd.env("KASSA_LOG", "warn")
        .env("KASSA_MASTER_KEY", hex::encode(kassa_testkit::TEST_MASTER_KEY))
        .env_remove("KASSA_MASTER_KEY_FILE")
        .kill_on_drop(true);
    cmd
}

impl Gateway {
    /// Starts `kassa serve` on a random port with extra environment, and waits until it serves.
    pub async fn start(db: &TestDatabase, env: &[(&str, &str)]) -> Gateway {
        let mut cmd = kassa(db);
        cmd.args(["serve", "--addr", "127.0.0.1:0"]).envs(env.iter().copied());
        Gateway::spawn(cmd).await
    }

    /// Runs `cmd`, a `kassa serve` on a random port, and waits until it serves.
    pub async fn spawn(mut cmd: Command) -> Gateway {
        let mut child = cmd.stdout(Stdio::piped()).spawn().expect("the binary starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut banner = Vec::new();
        let read = async {
            while let Some(line) = lines.next_line().await.expect("readable stdout") {
                let done = line.trim_start().starts_with("API:");
                banner.push(line);
                if done {
                    break;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(30), read).await.expect("the gateway prints its banner");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let base = banner
            .iter()
            .find_map(|l| l.strip_prefix("Kassa gateway listening on "))
            .expect("the banner names the address")
            .to_owned();
        Gateway { child, base, banner, client: reqwest::Client::new() }
    }

    /// The value printed after `label:` in the banner (e.g. `secret key`).
    pub fn printed(&self, label: &str) -> Option<String> {
        self.banner.iter().find_map(|l| l.trim_start().strip_prefix(&format!("{label}:")).map(|v| v.trim().to_owned()))
    }

    /// Kills the process without warning, as a crash or power loss would.
    pub async fn kill(mut self) {
        self.child.start_kill().expect("kill");
        self.child.wait().await.expect("the process ends");
    }

    /// Asks the process to stop (SIGTERM) and waits for it to exit.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().expect("running").to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().await.expect("kill runs");
        assert!(sent.success());
        tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await.expect("it stops").expect("exit status")
    }

    /// A request with a secret key and an optional idempotency key.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        key: &str,
        idem: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut req = self.client.request(method.parse().unwrap(), format!("{}{}", self.base, path)).bearer_auth(key);
        if let Some(k) = idem {
            req = req.header("Idempotency-Key", k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        TestResponse::from(req.send().await.expect("the gateway answers")).await
    }

    /// Polls `path` until `done` holds (20 s at most).
    pub async fn poll(&self, path: &str, key: &str, done: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..1000 {
            let res = self.send("GET", path, key, None, None).await;
            if res.status == 200 && done(&res.body) {
                return res.body;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{path} never reached the expected state");
    }
}

/// Every item of a v1 list (`path` may carry filters), following its pages.
pub async fn list_all(base: &str, key: &str, path: &str) -> Vec<Value> {
    let http = reqwest::Client::new();
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut page: Option<String> = None;
    loop {
        let url = match &page {
            Some(token) => format!("{base}{path}{sep}limit=100&page_token={token}"),
            None => format!("{base}{path}{sep}limit=100"),
        };
        let list: Value = http.get(url).bearer_auth(key).send().await.unwrap().json().await.unwrap();
        items.extend(list["data"].as_array().unwrap().iter().cloned());
        match list["next_page_token"].as_str() {
            Some(token) => page = Some(token.to_owned()),
            None => return items,
        }
    }
}

/// Waits (up to 60 s) until every event `base` lists for `key` has reached `receiver`, at least
/// once; answers how many events there are.
pub async fn assert_every_event_delivered(base: &str, key: &str, receiver: &kassa_testkit::Receiver) -> usize {
    let events: std::collections::BTreeSet<String> =
        list_all(base, key, "/v1/events").await.iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let got: std::collections::BTreeSet<String> = receiver.event_ids().into_iter().collect();
        let missing: Vec<_> = events.difference(&got).collect();
        if missing.is_empty() {
            return events.len();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {} events never delivered: {missing:?}",
            missing.len(),
            events.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
