//! Test support: [`spawn_app`] starts the real gateway, exactly as the binary does, on a
//! random port with a fresh database, and returns a client for it.
//!
//! The database is a new SQLite file, or, when `KASSA_TEST_DATABASE_URL` names a PostgreSQL
//! database (`postgres://user@host:port/base`), a new database `base_<random>` on that server,
//! dropped when the test ends. The same tests therefore run on both.

pub mod customer;
mod database;
mod http;
mod pgbouncer;
pub mod proxy;
mod receiver;

pub use database::TestDatabase;
pub use http::{TestResponse, json_of};
pub use pgbouncer::PgBouncer;
pub use receiver::{Received, Receiver, Reply};

use kassa_domain::{KeyKind, Mode};
use kassa_server::Server;
use kassa_server::app::App;
use kassa_server::config::Config;
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A merchant created for a test, with its keys.
#[derive(Debug, Clone)]
pub struct TestMerchant {
    /// `mer_…`
    pub id: String,
    /// Its number (4 to 6 digits).
    pub serial_number: u32,
    /// `sk_test_…`
    pub secret_key: String,
    /// `pk_test_…`
    pub publishable_key: String,
}

/// A running gateway.
pub struct TestApp {
    /// Where it listens.
    pub address: SocketAddr,
    /// Where its Stripe face listens.
    pub stripe_address: SocketAddr,
    /// The merchant every helper acts as unless told otherwise.
    pub merchant: TestMerchant,
    /// The application, to set up merchants and keys without the CLI.
    pub app: App,
    /// HTTP client.
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    /// Declared last: dropped after the server has stopped.
    pub database: TestDatabase,
}

/// The configuration tests run with: quick job retries and polling, no simulator latency.
pub fn test_config(database: &TestDatabase) -> Config {
    let mut config = Config::new(([127, 0, 0, 1], 0).into(), database.store_config());
    config.stripe_addr = Some(([127, 0, 0, 1], 0).into());
    config.jobs.poll_interval = Duration::from_millis(100);
    config.jobs.base_backoff = Duration::from_millis(50);
    config.jobs.max_backoff = Duration::from_secs(1);
    config.webhooks.poll_interval = Duration::from_millis(100);
    config.listening_poll = Duration::from_millis(100);
    config.checkout.min_expires_in = Duration::from_secs(1);
    config.checkout.sweep_interval = Duration::from_millis(100);
    // One key for every test, so a restart on the same database finds the key it was under.
    config.master_key = kassa_server::secrets::MasterKey::from_bytes(TEST_MASTER_KEY);
    config
}

/// The master key of every test gateway (`KASSA_MASTER_KEY` = its hex for the binary).
pub const TEST_MASTER_KEY: [u8; 32] = [0x5a; 32];

/// Starts a gateway with the test configuration and a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a gateway with the test configuration adjusted by `configure`.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let database = TestDatabase::fresh().await;
    let mut config = test_config(&database);
    configure(&mut config);
    start(config, database).await
}

async fn start(config: Config, database: TestDatabase) -> TestApp {
    let server = Server::build(config).await.expect("the gateway starts");
    let address = server.local_addr();
    let stripe_address = server.stripe_addr().expect("tests serve the Stripe face");
    let app = server.app().clone();
    let created = app.create_merchant("Test merchant").await.expect("a merchant can be created");
    let merchant = TestMerchant {
        id: created.merchant.id.to_string(),
        serial_number: created.merchant.serial_number.get(),
        secret_key: created.secret_key,
        publishable_key: created.publishable_key,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        let _ = server
            .run(async {
                let _ = stopped.await;
            })
            .await;
    });
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("an HTTP client");
    TestApp { address, stripe_address, merchant, app, client, stop: Some(stop), server: Some(handle), database }
}

impl TestApp {
    /// The Stripe face's `http://127.0.0.1:port` + `path`.
    pub fn stripe_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.stripe_address)
    }

    /// `http://127.0.0.1:port` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// POSTs JSON with the test merchant's secret key.
    pub async fn post(&self, path: &str, body: Value) -> TestResponse {
        self.request("POST", path, Some(body), Some(&self.merchant.secret_key), None).await
    }

    /// POSTs JSON with an idempotency key.
    pub async fn post_idempotent(&self, path: &str, body: Value, key: &str) -> TestResponse {
        self.request("POST", path, Some(body), Some(&self.merchant.secret_key), Some(key)).await
    }

    /// GETs with the test merchant's secret key.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.request("GET", path, None, Some(&self.merchant.secret_key), None).await
    }

    /// Any request, with any (or no) API key and idempotency key.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        api_key: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> TestResponse {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a valid method");
        let mut req = self.client.request(method, self.url(path));
        if let Some(key) = api_key {
            req = req.bearer_auth(key);
        }
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        TestResponse::from(req.send().await.expect("the gateway answers")).await
    }

    /// A request context for the test merchant's test-mode data, to ask the app directly what
    /// no endpoint shows (an event's fact, say).
    pub fn ctx(&self) -> kassa_server::app::Ctx {
        let merchant_id = kassa_domain::MerchantId::parse(&self.merchant.id).expect("the test merchant's id");
        let scope = kassa_store::Scope { merchant_id, mode: Mode::Test };
        kassa_server::app::Ctx::new(scope, KeyKind::Secret, kassa_domain::RequestId::generate(), None)
    }

    /// Creates another merchant with test keys.
    pub async fn create_merchant(&self, name: &str) -> TestMerchant {
        let created = self.app.create_merchant(name).await.expect("a merchant can be created");
        TestMerchant {
            id: created.merchant.id.to_string(),
            serial_number: created.merchant.serial_number.get(),
            secret_key: created.secret_key,
            publishable_key: created.publishable_key,
        }
    }

    /// Creates a key for the test merchant; returns `(key_id, key)`.
    pub async fn create_key(&self, kind: KeyKind, mode: Mode) -> (String, String) {
        let created = self.app.create_api_key(&self.merchant.id, kind, mode).await.expect("a key can be created");
        (created.record.id.to_string(), created.key)
    }

    /// Creates a payment intent (asserting success) and returns it.
    pub async fn create_payment_intent(&self, body: Value) -> Value {
        let res = self.post("/v1/payment_intents", body).await;
        assert_eq!(res.status, 200, "create payment intent: {}", res.body);
        res.body
    }

    /// Polls a payment intent until its status is no longer `processing`, and returns it.
    pub async fn wait_until_settled(&self, id: &str) -> Value {
        self.wait_for(id, |pi| pi["status"] != "processing").await
    }

    /// Polls a payment intent until `done` holds, and returns it. Panics after 20 s.
    pub async fn wait_for(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let res = self.get(&format!("/v1/payment_intents/{id}")).await;
            assert_eq!(res.status, 200, "{}", res.body);
            if done(&res.body) {
                return res.body;
            }
            assert!(Instant::now() < deadline, "payment intent {id} did not settle: {}", res.body);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// An authorized manual-capture intent of `amount` USD cents.
    pub async fn authorized_intent(&self, amount: i64) -> Value {
        let pi = self
            .create_payment_intent(serde_json::json!({
                "amount": amount, "currency": "USD", "capture_method": "manual",
                "payment_method": "pm_card_visa", "confirm": true,
            }))
            .await;
        let pi = self.wait_until_settled(pi["id"].as_str().expect("an id")).await;
        assert_eq!(pi["status"], "requires_capture", "{pi}");
        pi
    }

    /// A succeeded, automatically captured intent of `amount` USD cents.
    pub async fn succeeded_intent(&self, amount: i64) -> Value {
        let pi = self
            .create_payment_intent(serde_json::json!({
                "amount": amount, "currency": "USD", "payment_method": "pm_card_visa", "confirm": true,
            }))
            .await;
        let pi = self.wait_until_settled(pi["id"].as_str().expect("an id")).await;
        assert_eq!(pi["status"], "succeeded", "{pi}");
        pi
    }

    /// Stops the gateway gracefully and hands back its database, e.g. to start it again.
    pub async fn stop(mut self) -> TestDatabase {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(15), server).await;
        }
        let database = std::mem::replace(&mut self.database, TestDatabase::detached());
        drop(self);
        database
    }

    /// Starts a new gateway on an existing database (after [`TestApp::stop`]).
    pub async fn restart_on(database: TestDatabase, configure: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = test_config(&database);
        configure(&mut config);
        start(config, database).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}
