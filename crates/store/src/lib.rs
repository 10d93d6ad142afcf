//! Persistence for Kassa over SQLite or PostgreSQL, with one set of SQL.
//!
//! The schema uses only types both databases share (TEXT, BIGINT), so every query is written
//! once and runs on either: through sqlx on PostgreSQL, through rusqlite on SQLite, where a
//! statement runs in place on the calling thread (`db.rs`). The few places where the dialects
//! differ (row locks) are behind [`Backend`].
//!
//! Writes go through [`WriteTx`]: on SQLite they are serialized on one writer connection
//! (`BEGIN IMMEDIATE`, so a transaction never fails to upgrade its lock), on PostgreSQL they
//! run concurrently and lock the rows they change. Reads use [`Store::reader`] and never block
//! writers (SQLite runs in WAL mode).
//!
//! Each module holds the queries of one table; functions take a [`Db`] (the read pool or a
//! transaction's connection), so the same read works in either.

pub mod access_tokens;
pub mod at_rest;
pub mod backup;
pub mod captures;
pub mod catalog;
pub mod checkout;
mod codec;
pub mod connectors;
pub mod customers;
pub mod dashboard;
pub mod day_totals;
mod db;
pub mod events;
pub mod face_notes;
mod group_commit;
pub mod idempotency;
pub mod jobs;
pub mod leases;
mod lite;
pub mod merchants;
pub mod nodes;
pub mod overview;
pub mod page;
pub mod payment_intents;
pub mod private_files;
pub mod provider_notices;
pub mod refunds;
pub mod settings;
pub mod simulator;
mod sql;
pub mod tokens;
pub mod wakeups;
mod wal;
pub mod webhooks;

pub use db::{Conn, Db, Reader};
use db::{ConnKind, Prepare, ReadPool};
pub use group_commit::GroupCounts;
use group_commit::{GroupWriter, Unit};
use lite::{LiteConfig, LitePool};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub use page::{Cursor, CursorError, Order, PageRequest, TimeRange};

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// How durable an SQLite commit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSync {
    /// fsync on every commit: a committed payment survives power loss.
    Full,
    /// fsync at checkpoints: survives a crash of Kassa, not of the machine.
    Normal,
}

/// Connection settings.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `sqlite://path?mode=rwc` or `postgres://…`.
    pub url: String,
    /// Most connections to open (PostgreSQL), or readers (SQLite).
    pub max_connections: u32,
    /// SQLite durability.
    pub sqlite_sync: SqliteSync,
    /// PostgreSQL is reached through a transaction pooler (PgBouncer in transaction mode):
    /// statements are prepared each time, never kept for a session.
    pub through_pooler: bool,
    /// PostgreSQL reached directly, for what needs a session of its own (the migrations'
    /// lock). Without it, behind a pooler, the schema must be migrated already.
    pub direct_url: Option<String>,
}

impl StoreConfig {
    /// The embedded database in `data_dir` (created if missing).
    pub fn sqlite_in(data_dir: &Path) -> std::io::Result<StoreConfig> {
        private_files::create_dir(data_dir)?;
        let path = data_dir.join("kassa.db");
        Ok(StoreConfig {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            max_connections: 8,
            sqlite_sync: SqliteSync::Full,
            through_pooler: false,
            direct_url: None,
        })
    }
}

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// SQLite refused or failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A row could not be turned back into a domain value: the data is not what Kassa wrote.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The schema is behind this Kassa and it may not migrate it here.
    #[error("{0}")]
    NotMigrated(String),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The SQLite batch holding this write could not be committed: the write did not happen.
    #[error("the batch holding this write was not committed: {0}")]
    BatchFailed(String),
    /// The embedded database's files could not be made the owner's only.
    #[error("cannot prepare the database's files: {0}")]
    Files(#[from] std::io::Error),
}

impl StoreError {
    /// `true` if a unique constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => e.is_unique_violation(),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            _ => false,
        }
    }
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database handle: a writer and a read pool.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    writer: Writer,
    reader: Reader,
    /// PostgreSQL reached directly, where a session may `LISTEN`.
    listen_url: Option<String>,
}

/// Where write transactions begin.
#[derive(Clone, Debug)]
enum Writer {
    /// SQLite's one writer, committing in groups.
    Group(Arc<GroupWriter>),
    /// PostgreSQL's pool (which also serves reads).
    Pool(AnyPool),
}

/// A write transaction. Dropping it without [`WriteTx::commit`] rolls back.
pub struct WriteTx {
    inner: Writes,
    backend: Backend,
    prepare: Prepare,
    queued: Queued,
}

/// Where a write transaction's statements go.
enum Writes {
    /// A PostgreSQL transaction of its own.
    Own(Transaction<'static, Any>),
    /// A savepoint in SQLite's current batch.
    Grouped(Unit),
}

/// What a committed transaction left for the background workers: the caller wakes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use = "wake the workers for what the transaction queued"]
pub struct Queued {
    /// Jobs that any worker may claim now.
    pub jobs: bool,
    /// Webhook deliveries.
    pub deliveries: bool,
}

impl WriteTx {
    /// The connection to run statements on.
    pub fn conn(&mut self) -> Conn<'_> {
        Conn(match &mut self.inner {
            Writes::Own(tx) => ConnKind::Any(tx, self.prepare),
            Writes::Grouped(unit) => ConnKind::Lite(unit.conn()),
        })
    }

    /// Notes work for the background workers, to report at commit.
    pub(crate) fn queue(&mut self, queued: Queued) {
        self.queued.jobs |= queued.jobs;
        self.queued.deliveries |= queued.deliveries;
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Keeps the changes without waiting until they are durable: only for records that a crash
    /// may lose because what they record is redone (a webhook delivery's attempts: a delivery
    /// whose record is lost is sent again, and deliveries are at least once). On
    /// SQLite the changes are committed with the current batch, and lost with it if it fails;
    /// PostgreSQL commits as [`WriteTx::commit`] does.
    pub async fn commit_redoable(self) -> Result<Queued> {
        match self.inner {
            Writes::Own(tx) => tx.commit().await?,
            Writes::Grouped(unit) => unit.keep_unwatched(),
        }
        Ok(self.queued)
    }

    /// Makes every change of the transaction durable, or none; says what it queued. Returns
    /// only once the changes are durable (on SQLite, with the batch that holds them).
    pub async fn commit(self) -> Result<Queued> {
        match self.inner {
            Writes::Own(tx) => tx.commit().await?,
            Writes::Grouped(unit) => unit.commit().await?,
        }
        Ok(self.queued)
    }
}

/// Refuses a schema this Kassa has migrations for that are not applied: behind a transaction
/// pooler, with no direct connection to run them on.
async fn check_migrated(pool: &AnyPool) -> Result<()> {
    let latest = migrations().iter().map(|m| m.version).max().unwrap_or(0);
    // Unnamed (not persistent), as every statement through the pooler.
    let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .persistent(false)
        .fetch_one(pool)
        .await
        .unwrap_or(None);
    if applied.unwrap_or(0) < latest {
        return Err(StoreError::NotMigrated(format!(
            "the database is at schema version {} and this Kassa needs {latest}: behind a transaction pooler, run \
             `kassa migrate` with DATABASE_URL pointing at PostgreSQL directly, or give KASSA_DB_DIRECT_URL",
            applied.unwrap_or(0)
        )));
    }
    Ok(())
}

/// The embedded migrations, every schema version (also for tests that build a database as an
/// earlier Kassa left it).
pub fn migrations() -> sqlx::migrate::Migrator {
    sqlx::migrate!("./migrations")
}

impl Store {
    /// Connects, applies the embedded migrations and returns the store.
    pub async fn connect(config: &StoreConfig) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(&config.url)?;
        if config.url.starts_with("sqlite:") {
            let lite = LiteConfig::from_url(&config.url, config.sqlite_sync)?;
            if lite.creates() || lite.path().exists() {
                private_files::secure_database(lite.path())?;
            }
            // Migrations run through sqlx, on a connection of their own; then rusqlite takes over.
            let migrator = AnyPoolOptions::new()
                .max_connections(1)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000;").await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await?;
            let migrated = migrations().run(&migrator).await;
            migrator.close().await;
            migrated?;
            let group = GroupWriter::start(&lite)?;
            let reader = Reader(ReadPool::Lite(Arc::new(LitePool::new(lite))));
            Ok(Store { backend: Backend::Sqlite, writer: Writer::Group(Arc::new(group)), reader, listen_url: None })
        } else if config.url.starts_with("postgres:") || config.url.starts_with("postgresql:") {
            let pool = AnyPoolOptions::new()
                .max_connections(config.max_connections.max(2))
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
                .await?;
            match (&config.direct_url, config.through_pooler) {
                (Some(direct), _) => {
                    // The migrator's lock is a session's: taken and released on one server
                    // connection, which a transaction pooler would not keep.
                    let session = AnyPoolOptions::new()
                        .max_connections(1)
                        .connect_with(AnyConnectOptions::from_str(direct)?)
                        .await?;
                    let migrated = migrations().run(&session).await;
                    session.close().await;
                    migrated?;
                }
                (None, true) => check_migrated(&pool).await?,
                (None, false) => migrations().run(&pool).await?,
            }
            let prepare = if config.through_pooler { Prepare::EachTime } else { Prepare::OncePerConnection };
            let reader = Reader(ReadPool::Any(pool.clone(), prepare));
            let listen_url = config.direct_url.clone().or((!config.through_pooler).then(|| config.url.clone()));
            Ok(Store { backend: Backend::Postgres, writer: Writer::Pool(pool), reader, listen_url })
        } else {
            Err(StoreError::Corrupt(format!("unsupported database URL `{}`: use sqlite:// or postgres://", config.url)))
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<WriteTx> {
        let inner = match &self.writer {
            Writer::Group(group) => Writes::Grouped(group.begin().await?),
            Writer::Pool(pool) => Writes::Own(pool.begin_with("BEGIN ISOLATION LEVEL READ COMMITTED").await?),
        };
        let prepare = match &self.reader.0 {
            ReadPool::Any(_, prepare) => *prepare,
            ReadPool::Lite(_) => Prepare::OncePerConnection,
        };
        Ok(WriteTx { inner, backend: self.backend, prepare, queued: Queued::default() })
    }

    /// How SQLite's writes are grouped into commits (`None` on PostgreSQL).
    pub fn group_counts(&self) -> Option<&GroupCounts> {
        match &self.writer {
            Writer::Group(group) => Some(group.counts()),
            Writer::Pool(_) => None,
        }
    }

    /// The pool for reads outside a transaction.
    pub fn reader(&self) -> &Reader {
        &self.reader
    }

    /// A session listening for other nodes' announcements ([`wakeups`]): `None` on SQLite
    /// (one node) and behind a transaction pooler without a direct URL.
    pub async fn listener(&self) -> Result<Option<wakeups::Listener>> {
        match &self.listen_url {
            Some(url) => Ok(Some(wakeups::Listener::connect(url).await?)),
            None => Ok(None),
        }
    }

    /// Whether other nodes may be listening for queued work ([`wakeups::announce`]).
    pub fn announces(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// Checks the database answers (readiness).
    pub async fn ping(&self) -> Result<()> {
        db::query("SELECT 1").fetch_optional(&self.reader).await?;
        Ok(())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        if let Writer::Group(group) = &self.writer {
            group.close().await;
        }
        match &self.reader.0 {
            ReadPool::Any(pool, _) => pool.close().await,
            ReadPool::Lite(pool) => pool.close(),
        }
    }
}

/// `1` for live, `0` for test: how a mode is stored.
pub(crate) fn live_flag(mode: kassa_domain::Mode) -> i64 {
    i64::from(mode.is_live())
}

/// Reads a stored mode flag.
pub(crate) fn mode_from_flag(flag: i64) -> kassa_domain::Mode {
    if flag == 1 { kassa_domain::Mode::Live } else { kassa_domain::Mode::Test }
}

/// Which merchant and mode a query is about. Every read and write of merchant data is scoped.
pub use kassa_domain::Scope;
