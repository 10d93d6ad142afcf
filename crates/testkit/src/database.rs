//! A fresh database per test.

use crate::PgBouncer;
use kassa_store::{SqliteSync, StoreConfig};
use rand::Rng;
use sqlx::Connection;

/// A database for one test: an SQLite file in a temporary directory, or a PostgreSQL database
/// created for the test and dropped afterwards.
pub struct TestDatabase {
    /// Connection URL.
    pub url: String,
    dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
    pooler: Option<PgBouncer>,
}

/// Environment variable naming a PostgreSQL database whose server the tests may use.
pub const POSTGRES_ENV: &str = "KASSA_TEST_DATABASE_URL";

impl TestDatabase {
    /// A new, empty database of the kind the environment asks for.
    pub async fn fresh() -> TestDatabase {
        match std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty()) {
            Some(base) => Self::fresh_postgres(&base).await,
            None => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("kassa.db").display());
                TestDatabase { url, dir: Some(dir), postgres: None, pooler: None }
            }
        }
    }

    async fn fresh_postgres(base: &str) -> TestDatabase {
        let (server, base_name) = split_database(base);
        let suffix: String = (0..10).map(|_| rand::rng().random_range(b'a'..=b'z') as char).collect();
        let name = format!("{base_name}_{suffix}");
        let admin = format!("{server}/postgres");
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&admin).await.expect("the PostgreSQL server answers");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut conn)
            .await
            .expect("a test database can be created");
        let _ = conn.close().await;
        TestDatabase { url: format!("{server}/{name}"), dir: None, postgres: Some((admin, name)), pooler: None }
    }

    /// Makes this (empty) database what an earlier Kassa left: the schema of the migrations up
    /// to `schema_version`, then the rows of `script` (one statement per line; `--` comments).
    pub async fn load_earlier(&self, schema_version: i64, script: &str) {
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&self.url).await.expect("connects");
        let mut migrator = kassa_store::migrations();
        migrator.migrations =
            migrator.migrations.iter().filter(|m| m.version <= schema_version).cloned().collect::<Vec<_>>().into();
        migrator.run(&pool).await.expect("the earlier schema applies");
        for statement in script.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("--")) {
            sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{e}: {statement}"));
        }
        pool.close().await;
    }

    /// The first column of every row `sql` selects, as text: what a copy of the database shows
    /// someone who has only the copy.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.url).await.expect("connects");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(&mut conn).await.expect("a query");
        let _ = conn.close().await;
        rows.iter().map(|r| sqlx::Row::try_get::<String, _>(r, 0).unwrap_or_default()).collect()
    }

    /// A placeholder that owns nothing.
    pub(crate) fn detached() -> TestDatabase {
        TestDatabase { url: String::new(), dir: None, postgres: None, pooler: None }
    }

    /// Store settings for this database.
    pub fn store_config(&self) -> StoreConfig {
        StoreConfig {
            url: self.url.clone(),
            max_connections: 8,
            sqlite_sync: SqliteSync::Normal,
            through_pooler: false,
            direct_url: None,
        }
    }

    /// This PostgreSQL database behind PgBouncer in transaction pooling mode, with
    /// `pool_size` server connections for every gateway started on it ([`Self::pooled_url`]).
    pub async fn through_pgbouncer(mut self, pool_size: u32) -> TestDatabase {
        assert!(self.is_postgres(), "PgBouncer pools PostgreSQL connections");
        self.pooler = Some(PgBouncer::start(&self.url, pool_size).await);
        self
    }

    /// The database through its PgBouncer, if it has one.
    pub fn pooled_url(&self) -> Option<&str> {
        self.pooler.as_ref().map(|p| p.url.as_str())
    }

    /// `true` for PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The directory of an SQLite database (`--data-dir`), for starting the binary on it.
    pub fn sqlite_dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(|d| d.path())
    }
}

fn split_database(url: &str) -> (String, String) {
    let without_query = url.split('?').next().unwrap_or(url);
    match without_query.rsplit_once('/') {
        Some((server, name))
            if !name.is_empty()
                && server.contains("://")
                && server.split("://").nth(1).is_some_and(|h| !h.is_empty()) =>
        {
            (server.to_owned(), name.to_owned())
        }
        _ => (without_query.trim_end_matches('/').to_owned(), "kassa_test".to_owned()),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else { return };
        // Drop runs inside the test's runtime; use a thread with its own.
        let dropper = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin).await {
                    let _ =
                        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")))
                            .execute(&mut conn)
                            .await;
                    let _ = conn.close().await;
                }
            });
        });
        let _ = dropper.join();
    }
}
