//! Command line: `kassa [serve]`, `kassa migrate`, `kassa merchants …`, `kassa keys …`,
//! `kassa users …`, `kassa listen`, `kassa trigger`, `kassa backup`, `kassa restore`.
//! Every flag has a `KASSA_*` environment variable; the database options are shared by all
//! commands, so the operator commands work on the database of a running gateway.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use kassa_domain::webhook::RetrySchedule;
use kassa_domain::{KeyKind, Mode};
use kassa_server::config::{
    CheckoutConfig, Config, IdempotencyConfig, JobConfig, RateLimitConfig, SimulatorConfig, WebhookConfig,
};
use kassa_server::{Server, open_app};
use kassa_store::{SqliteSync, StoreConfig};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "kassa",
    version,
    about = "Kassa: a self-hostable payment gateway",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Option<Command>,
    /// Options of `serve`, which runs when no command is given.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Directory of the embedded SQLite database.
    #[arg(long, env = "KASSA_DATA_DIR", default_value = "./kassa-data", global = true)]
    data_dir: PathBuf,
    /// Database URL (postgres://… for many nodes); overrides --data-dir.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Most database connections (PostgreSQL) or SQLite readers.
    #[arg(long, env = "KASSA_DB_MAX_CONNECTIONS", default_value_t = 16, global = true)]
    db_max_connections: u32,
    /// DATABASE_URL reaches PostgreSQL through a transaction pooler (PgBouncer with
    /// `pool_mode = transaction`): no statement is kept prepared across transactions.
    #[arg(long, env = "KASSA_DB_THROUGH_POOLER", default_value_t = false, global = true)]
    db_through_pooler: bool,
    /// PostgreSQL reached directly (not through the pooler), for the migrations' session lock;
    /// without it, behind a pooler, run `kassa migrate` against PostgreSQL directly first.
    #[arg(long, env = "KASSA_DB_DIRECT_URL", hide_env_values = true, global = true)]
    db_direct_url: Option<String>,
    /// SQLite durability: `full` (fsync each commit) or `normal` (fsync at checkpoints).
    #[arg(long, env = "KASSA_SQLITE_SYNCHRONOUS", default_value = "full", value_parser = ["full", "normal"], global = true)]
    sqlite_synchronous: String,
    /// The master key (64 hex characters) that protects card fingerprints and webhook secrets
    /// at rest; instead of a key file.
    #[arg(long, env = "KASSA_MASTER_KEY", hide_env_values = true, global = true)]
    master_key: Option<String>,
    /// The master key's file (created with mode 0600 on the first start; never inside the
    /// data directory). Default: ~/.config/kassa/master.key.
    #[arg(long, env = "KASSA_MASTER_KEY_FILE", global = true)]
    master_key_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway (the default command).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage merchants.
    Merchants {
        #[command(subcommand)]
        command: MerchantsCommand,
    },
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Manage the people who sign in to a merchant's dashboard.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Forward a merchant's new events to a local URL, signed, for developing a webhook receiver.
    Listen(crate::listen::ListenArgs),
    /// Make, in test mode, the objects that produce an event (`kassa trigger --list`).
    Trigger(crate::trigger::TriggerArgs),
    /// Copy the SQLite database while the gateway runs, checked whole (docs/backups.md).
    Backup(crate::backup::BackupArgs),
    /// Put a backup in place as an empty data directory's database.
    Restore(crate::backup::RestoreArgs),
}

#[derive(Subcommand)]
enum MerchantsCommand {
    /// Create a merchant with a test secret key and a test publishable key.
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// Print `{"merchant_id","secret_key","publishable_key"}`.
        #[arg(long)]
        json: bool,
    },
    /// List merchants.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create an API key (shown once).
    Create {
        /// The merchant (`mer_…`).
        #[arg(long)]
        merchant: String,
        /// A live-mode key instead of a test-mode one.
        #[arg(long)]
        live: bool,
        /// A publishable key instead of a secret one.
        #[arg(long)]
        publishable: bool,
        /// Print `{"key_id","key","merchant_id","kind","livemode"}`.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by its id (`key_…`); it stops working at once.
    Revoke {
        /// The key's id, as printed by `keys create` or `keys list`.
        key_id: String,
    },
    /// List a merchant's keys (ids and last four characters only).
    List {
        /// The merchant (`mer_…`).
        #[arg(long)]
        merchant: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a dashboard user with a generated password (shown once).
    Create {
        /// The merchant (`mer_…`).
        #[arg(long)]
        merchant: String,
        /// The email to sign in with.
        #[arg(long)]
        email: String,
        /// Print `{"user_id","email","password","merchant_id"}`.
        #[arg(long)]
        json: bool,
    },
    /// List a merchant's dashboard users.
    List {
        /// The merchant (`mer_…`).
        #[arg(long)]
        merchant: String,
    },
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KASSA_ADDR", default_value = "127.0.0.1:4242")]
    addr: SocketAddr,
    /// Where the Stripe face listens (off unless given): Stripe's official SDKs, unmodified,
    /// pointed at this host and port.
    #[arg(long, env = "KASSA_STRIPE_ADDR")]
    stripe_addr: Option<SocketAddr>,
    /// Mean latency of the card simulator, in milliseconds (±50% jitter).
    #[arg(long, env = "KASSA_SIMULATOR_LATENCY_MS", default_value_t = 0)]
    simulator_latency_ms: u64,
    /// Share of simulator calls that fail like a flaky network (0.0–1.0).
    #[arg(long, env = "KASSA_SIMULATOR_FAILURE_RATE", default_value_t = 0.0)]
    simulator_failure_rate: f64,
    /// Requests per second per API key; 0 turns rate limiting off.
    #[arg(long, env = "KASSA_RATE_LIMIT", default_value_t = 1000)]
    rate_limit: u32,
    /// Burst size per API key.
    #[arg(long, env = "KASSA_RATE_LIMIT_BURST", default_value_t = 2000)]
    rate_limit_burst: u32,
    /// Seconds a worker holds a claimed job before another may take it over.
    #[arg(long, env = "KASSA_JOB_LEASE_SECS", default_value_t = 60)]
    job_lease_secs: u64,
    /// Jobs run at once on this node; 0 runs none here (the other nodes on the database run
    /// them; requests that wait for their job still run it).
    #[arg(long, env = "KASSA_JOB_CONCURRENCY", default_value_t = 64)]
    job_concurrency: usize,
    /// How often idle workers look for due work anyway while this node hears the other nodes
    /// announce theirs (PostgreSQL's LISTEN), in milliseconds: a safety net for announcements
    /// lost while reconnecting.
    #[arg(long, env = "KASSA_LISTENING_POLL_MS", default_value_t = 10_000)]
    listening_poll_ms: u64,
    /// Attempts before a job gives up.
    #[arg(long, env = "KASSA_JOB_MAX_ATTEMPTS", default_value_t = 10)]
    job_max_attempts: i64,
    /// First retry delay of a job, in milliseconds (doubles per attempt).
    #[arg(long, env = "KASSA_JOB_BACKOFF_MS", default_value_t = 1000)]
    job_backoff_ms: u64,
    /// Milliseconds a capture or refund request waits for the processor before answering
    /// with the operation pending.
    #[arg(long, env = "KASSA_INLINE_WAIT_MS", default_value_t = 10_000)]
    inline_wait_ms: u64,
    /// Seconds an idempotency key is remembered.
    #[arg(long, env = "KASSA_IDEMPOTENCY_TTL_SECS", default_value_t = 86_400)]
    idempotency_ttl_secs: u64,
    /// Seconds a request holds its idempotency key; after a crash, a retry waits this long.
    #[arg(long, env = "KASSA_IDEMPOTENCY_LEASE_SECS", default_value_t = 60)]
    idempotency_lease_secs: u64,
    /// Seconds between deletions of expired idempotency keys.
    #[arg(long, env = "KASSA_IDEMPOTENCY_REAP_SECS", default_value_t = 60)]
    idempotency_reap_secs: u64,
    /// Webhook retry schedule: the wait before each attempt (`ms`, `s`, `m`, `h`; bare = seconds).
    #[arg(long, env = "KASSA_WEBHOOK_SCHEDULE", default_value = "0,5s,5m,30m,2h,5h,10h,14h,20h,24h", value_parser = parse_schedule)]
    webhook_schedule: RetrySchedule,
    /// Milliseconds an endpoint may take to answer.
    #[arg(long, env = "KASSA_WEBHOOK_TIMEOUT_MS", default_value_t = 10_000)]
    webhook_timeout_ms: u64,
    /// Seconds a sender holds a claimed delivery before another node may send it (at least the
    /// timeout plus 2 s).
    #[arg(long, env = "KASSA_WEBHOOK_LEASE_SECS", default_value_t = 60)]
    webhook_lease_secs: u64,
    /// Webhook deliveries in flight at once on this node.
    #[arg(long, env = "KASSA_WEBHOOK_CONCURRENCY", default_value_t = 64)]
    webhook_concurrency: usize,
    /// Webhook deliveries sent at once per endpoint by this node (twice as many may be claimed).
    #[arg(long, env = "KASSA_WEBHOOK_PER_ENDPOINT", default_value_t = 16)]
    webhook_per_endpoint: u32,
    /// Hosts live-mode endpoints may use although they resolve to private addresses (comma-separated).
    #[arg(long, env = "KASSA_WEBHOOK_ALLOWED_HOSTS", value_delimiter = ',')]
    webhook_allowed_hosts: Vec<String>,
    /// Public base URL of this gateway, for the hosted checkout pages' links (default: the
    /// listen address).
    #[arg(long, env = "KASSA_PUBLIC_URL")]
    public_url: Option<String>,
    /// Shortest `expires_in` a merchant may give a checkout session, in seconds.
    #[arg(long, env = "KASSA_CHECKOUT_MIN_EXPIRES_SECS", default_value_t = 300)]
    checkout_min_expires_secs: u64,
    /// Declined attempts before a checkout session is canceled.
    #[arg(long, env = "KASSA_CHECKOUT_MAX_ATTEMPTS", default_value_t = 3)]
    checkout_max_attempts: u32,
    /// Largest request body, in bytes.
    #[arg(long, env = "KASSA_BODY_LIMIT", default_value_t = 64 * 1024)]
    body_limit: usize,
    /// Seconds before a request is abandoned with 503 (its body is read within it).
    #[arg(long, env = "KASSA_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    request_timeout_secs: u64,
    /// Seconds a client may take to send a request's head; a kept-alive connection idle this
    /// long is closed too.
    #[arg(long, env = "KASSA_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    header_read_timeout_secs: u64,
    /// Most client connections open at once; more wait in the kernel's backlog.
    #[arg(long, env = "KASSA_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// Serve Prometheus metrics at /metrics (`on` or `off`).
    #[arg(long, env = "KASSA_METRICS", default_value = "off", value_parser = ["on", "off"])]
    metrics: String,
    /// Seconds a stop (SIGTERM, Ctrl-C) waits for in-flight requests.
    #[arg(long, env = "KASSA_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
    shutdown_grace_secs: u64,
}

impl DbArgs {
    fn store_config(&self) -> anyhow::Result<StoreConfig> {
        let mut config = match &self.database_url {
            Some(url) => StoreConfig {
                url: url.clone(),
                max_connections: self.db_max_connections,
                sqlite_sync: SqliteSync::Full,
                through_pooler: self.db_through_pooler,
                direct_url: self.db_direct_url.clone(),
            },
            None => StoreConfig::sqlite_in(&self.data_dir)
                .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?,
        };
        config.max_connections = self.db_max_connections;
        config.sqlite_sync = if self.sqlite_synchronous == "normal" { SqliteSync::Normal } else { SqliteSync::Full };
        Ok(config)
    }

    /// The SQLite database file; PostgreSQL is backed up with its own tools.
    fn sqlite_file(&self) -> anyhow::Result<PathBuf> {
        match &self.database_url {
            None => Ok(self.data_dir.join("kassa.db")),
            Some(url) => kassa_server::data_lock::sqlite_file(url).ok_or_else(|| {
                anyhow::anyhow!(
                    "kassa backup and kassa restore work on the embedded SQLite database; back up PostgreSQL with its \
                     own tools (continuous archiving with pgBackRest, or pg_dump): see docs/backups.md"
                )
            }),
        }
    }

    /// The master key as it exists: never a new one (see `master_key::resolve_existing`).
    fn existing_master_key(&self) -> anyhow::Result<kassa_server::secrets::MasterKey> {
        let data_dir = self.database_url.is_none().then_some(self.data_dir.as_path());
        kassa_server::master_key::resolve_existing(
            self.master_key.as_deref(),
            self.master_key_file.as_deref(),
            data_dir,
        )
        .map(|resolved| resolved.key)
    }

    fn master_key(&self) -> anyhow::Result<kassa_server::master_key::Resolved> {
        let data_dir = self.database_url.is_none().then_some(self.data_dir.as_path());
        kassa_server::master_key::resolve(self.master_key.as_deref(), self.master_key_file.as_deref(), data_dir)
    }

    /// What is wrong with the SQLite database's directory, if others than its owner may enter
    /// it (the database's own files are the owner's only whatever the directory).
    fn open_data_dir(&self) -> Option<String> {
        let dir = match &self.database_url {
            None => self.data_dir.clone(),
            Some(url) => kassa_server::data_lock::sqlite_file(url)?.parent()?.to_owned(),
        };
        let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
        let mode = kassa_store::private_files::open_to_others(&dir).ok()??;
        Some(format!(
            "the data directory {} can be entered by other users (mode {mode:o}); `chmod 700 {}` makes it the owner's only",
            dir.display(),
            dir.display()
        ))
    }

    fn describe(&self) -> String {
        match &self.database_url {
            Some(url) if url.starts_with("postgres") => "PostgreSQL".to_owned(),
            Some(url) => url.clone(),
            None => format!("SQLite, {}", self.data_dir.join("kassa.db").display()),
        }
    }
}

impl ServeArgs {
    fn config(&self, store: StoreConfig, master_key: kassa_server::secrets::MasterKey) -> Config {
        Config {
            addr: self.addr,
            stripe_addr: self.stripe_addr,
            master_key,
            store,
            simulator: SimulatorConfig {
                latency: Duration::from_millis(self.simulator_latency_ms),
                failure_rate: self.simulator_failure_rate,
            },
            rate_limit: RateLimitConfig { per_second: self.rate_limit, burst: self.rate_limit_burst },
            jobs: JobConfig {
                lease: Duration::from_secs(self.job_lease_secs.max(1)),
                concurrency: self.job_concurrency,
                max_attempts: self.job_max_attempts.max(1),
                base_backoff: Duration::from_millis(self.job_backoff_ms),
                inline_wait: Duration::from_millis(self.inline_wait_ms),
                ..JobConfig::default()
            },
            listening_poll: Duration::from_millis(self.listening_poll_ms.max(100)),
            idempotency: IdempotencyConfig {
                ttl: Duration::from_secs(self.idempotency_ttl_secs),
                lease: Duration::from_secs(self.idempotency_lease_secs.max(1)),
                reap_interval: Duration::from_secs(self.idempotency_reap_secs.max(1)),
            },
            webhooks: WebhookConfig {
                schedule: self.webhook_schedule.clone(),
                timeout: Duration::from_millis(self.webhook_timeout_ms.max(1)),
                concurrency: self.webhook_concurrency.max(1),
                per_endpoint: self.webhook_per_endpoint.max(1),
                lease: Duration::from_secs(self.webhook_lease_secs)
                    .max(Duration::from_millis(self.webhook_timeout_ms) + Duration::from_secs(2)),
                allowed_hosts: self
                    .webhook_allowed_hosts
                    .iter()
                    .map(|h| h.trim().to_owned())
                    .filter(|h| !h.is_empty())
                    .collect(),
                ..WebhookConfig::default()
            },
            checkout: CheckoutConfig {
                public_url: self.public_url.clone(),
                min_expires_in: Duration::from_secs(self.checkout_min_expires_secs),
                max_attempts: self.checkout_max_attempts.max(1),
                ..CheckoutConfig::default()
            },
            body_limit: self.body_limit,
            request_timeout: Duration::from_secs(self.request_timeout_secs.max(1)),
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs.max(1)),
            max_connections: self.max_connections.max(1),
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
            metrics: self.metrics == "on",
            clock_skew_micros: 0,
        }
    }
}

/// `0,5s,5m,2h,250ms` → waits before each attempt.
fn parse_schedule(raw: &str) -> Result<RetrySchedule, String> {
    let waits = raw
        .split(',')
        .map(|part| {
            let part = part.trim();
            let (number, unit) = match part.find(|c: char| !c.is_ascii_digit()) {
                Some(i) => part.split_at(i),
                None => (part, "s"),
            };
            let n: u64 = number.parse().map_err(|_| format!("`{part}` is not a number with an optional unit"))?;
            match unit {
                "ms" => Ok(Duration::from_millis(n)),
                "s" => Ok(Duration::from_secs(n)),
                "m" => Ok(Duration::from_secs(n * 60)),
                "h" => Ok(Duration::from_secs(n * 3600)),
                other => Err(format!("unknown unit `{other}`: use ms, s, m or h")),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RetrySchedule::new(waits))
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("KASSA_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("KASSA_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging();
    match cli.command {
        None => serve(&cli.db, &cli.serve).await,
        Some(Command::Serve(args)) => serve(&cli.db, &args).await,
        Some(Command::Migrate) => {
            kassa_store::Store::connect(&cli.db.store_config()?).await?;
            println!("Migrations applied ({}).", cli.db.describe());
            Ok(())
        }
        Some(Command::Merchants { command }) => merchants(&cli.db, command).await,
        Some(Command::Keys { command }) => keys(&cli.db, command).await,
        Some(Command::Users { command }) => users(&cli.db, command).await,
        Some(Command::Listen(args)) => crate::listen::run(args).await,
        Some(Command::Trigger(args)) => crate::trigger::run(args).await,
        Some(Command::Backup(args)) => {
            crate::backup::backup(&cli.db.sqlite_file()?, &cli.db.existing_master_key()?, &args)
        }
        Some(Command::Restore(args)) => {
            crate::backup::restore(&cli.db.sqlite_file()?, &cli.db.existing_master_key()?, &args)
        }
    }
}

async fn serve(db: &DbArgs, args: &ServeArgs) -> anyhow::Result<()> {
    let master = db.master_key()?;
    let server = Server::build(args.config(db.store_config()?, master.key.clone())).await?;
    let base = format!("http://{}", server.local_addr());
    println!("Kassa gateway listening on {base}");
    println!("  database:  {}", db.describe());
    println!("  master key: {}", master.source);
    if let Some(warning) = db.open_data_dir() {
        println!("  warning:   {warning}");
        tracing::warn!("{warning}");
    }
    if let Some(demo) = server.app().ensure_demo_merchant().await? {
        println!("Demo merchant created (keys are stored hashed and shown only now):");
        println!("  merchant id:      {}", demo.merchant.id);
        println!("  serial number:    {}", demo.merchant.serial_number);
        println!("  secret key:       {}", demo.secret_key);
        println!("  publishable key:  {}", demo.publishable_key);
        if let Some(user) = &demo.dashboard_user {
            println!("  dashboard user:   {}", user.user.email);
            println!("  password:         {}", user.password);
        }
    }
    println!("  API:       {base}/v1   (reference: {base}/docs, OpenAPI: {base}/v1/openapi.json)");
    println!("  dashboard: {base}/dashboard   (more users: kassa users create --merchant mer_… --email …)");
    if let Some(stripe) = server.stripe_addr() {
        println!(
            "  Stripe:    http://{stripe}   (Stripe's SDKs: new Stripe(sk_test_…, {{host: '{}', port: {}, protocol: 'http'}}))",
            stripe.ip(),
            stripe.port()
        );
    }
    println!(
        "Try: curl {base}/v1/payment_intents -H \"Authorization: Bearer sk_test_…\" -d '{{\"amount\":2599,\"currency\":\"USD\"}}' -H 'Content-Type: application/json'"
    );
    server.run(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

async fn cli_app(db: &DbArgs) -> anyhow::Result<kassa_server::app::App> {
    let mut config = Config::new("127.0.0.1:0".parse()?, db.store_config()?);
    config.master_key = db.master_key()?.key;
    open_app(&config).await
}

async fn merchants(db: &DbArgs, command: MerchantsCommand) -> anyhow::Result<()> {
    let app = cli_app(db).await?;
    match command {
        MerchantsCommand::Create { name, json } => {
            let created = app.create_merchant(&name).await?;
            if json {
                println!(
                    "{}",
                    json!({
                        "merchant_id": created.merchant.id.to_string(),
                        "serial_number": created.merchant.serial_number.get(),
                        "secret_key": created.secret_key,
                        "publishable_key": created.publishable_key,
                    })
                );
            } else {
                println!("Merchant created (keys are shown only now):");
                println!("  merchant id:      {}", created.merchant.id);
                println!("  serial number:    {}", created.merchant.serial_number);
                println!("  secret key:       {}", created.secret_key);
                println!("  publishable key:  {}", created.publishable_key);
            }
        }
        MerchantsCommand::List { json } => {
            let all = app.list_merchants().await?;
            if json {
                let rows: Vec<_> =
                    all.iter()
                        .map(|m| {
                            json!({"merchant_id": m.id.to_string(), "serial_number": m.serial_number.get(), "name": m.name})
                        })
                        .collect();
                println!("{}", serde_json::Value::Array(rows));
            } else {
                for m in all {
                    println!("{}  {:>6}  {}", m.id, m.serial_number, m.name);
                }
            }
        }
    }
    app.close().await;
    Ok(())
}

async fn keys(db: &DbArgs, command: KeysCommand) -> anyhow::Result<()> {
    let app = cli_app(db).await?;
    match command {
        KeysCommand::Create { merchant, live, publishable, json } => {
            let kind = if publishable { KeyKind::Publishable } else { KeyKind::Secret };
            let mode = if live { Mode::Live } else { Mode::Test };
            let created = app.create_api_key(&merchant, kind, mode).await?;
            if json {
                println!(
                    "{}",
                    json!({
                        "key_id": created.record.id.to_string(),
                        "key": created.key,
                        "merchant_id": created.record.merchant_id.to_string(),
                        "kind": kind.as_str(),
                        "livemode": mode.is_live(),
                    })
                );
            } else {
                println!("Key {} created (shown only now):", created.record.id);
                println!("  {}", created.key);
            }
        }
        KeysCommand::Revoke { key_id } => {
            app.revoke_api_key(&key_id).await?;
            println!("Key {key_id} revoked.");
        }
        KeysCommand::List { merchant, json } => {
            let all = app.list_api_keys(&merchant).await?;
            let rows: Vec<_> = all
                .iter()
                .map(|k| {
                    json!({
                        "key_id": k.id.to_string(),
                        "kind": k.kind.as_str(),
                        "livemode": k.mode.is_live(),
                        "last4": k.last4,
                        "revoked": k.revoked_at.is_some(),
                    })
                })
                .collect();
            if json {
                println!("{}", serde_json::Value::Array(rows));
            } else {
                for k in all {
                    let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                    println!("{}  {}_{}_…{}  {state}", k.id, k.kind.prefix(), k.mode.as_str(), k.last4);
                }
            }
        }
    }
    app.close().await;
    Ok(())
}

async fn users(db: &DbArgs, command: UsersCommand) -> anyhow::Result<()> {
    let app = cli_app(db).await?;
    match command {
        UsersCommand::Create { merchant, email, json } => {
            let created = app.create_dashboard_user(&merchant, &email).await?;
            if json {
                println!(
                    "{}",
                    json!({
                        "user_id": created.user.id.to_string(),
                        "email": created.user.email,
                        "password": created.password,
                        "merchant_id": created.user.merchant_id.to_string(),
                    })
                );
            } else {
                println!("Dashboard user {} created (the password is shown only now):", created.user.id);
                println!("  email:     {}", created.user.email);
                println!("  password:  {}", created.password);
            }
        }
        UsersCommand::List { merchant } => {
            let id = kassa_domain::MerchantId::parse(&merchant)
                .ok_or_else(|| anyhow::anyhow!("no such merchant: '{merchant}'"))?;
            for user in app.list_dashboard_users(&id).await? {
                println!("{}  {}", user.id, user.email);
            }
        }
    }
    app.close().await;
    Ok(())
}
