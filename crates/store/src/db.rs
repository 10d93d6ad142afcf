//! One statement API over the two drivers: sqlx (PostgreSQL) and rusqlite (SQLite).
//!
//! Every query is written once, with `$N` placeholders, and runs wherever [`Db`] points: the
//! read pool or a write transaction. On SQLite a statement runs synchronously on the calling
//! thread (a point read or a write inside the writer's batch takes microseconds); a thread hop
//! per statement was the writer's bottleneck. Only reads that may scan many rows go to a
//! blocking thread.

use crate::lite;
use crate::{Result, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool};
use std::borrow::Cow;
use std::sync::Arc;

/// A value bound to a placeholder. Nulls keep their type: PostgreSQL wants to know it.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
    NullInt,
    NullText,
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        v.map_or(Value::NullInt, Value::Int)
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        v.map_or(Value::NullText, Value::Text)
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Value {
        v.map_or(Value::NullText, Value::from)
    }
}

/// SQL text and the values of its placeholders.
#[derive(Debug)]
pub(crate) struct Stmt {
    pub(crate) sql: Cow<'static, str>,
    pub(crate) args: Vec<Value>,
}

/// A statement of literal SQL (never user input: values are bound).
pub(crate) fn query(sql: impl Into<Cow<'static, str>>) -> Stmt {
    Stmt { sql: sql.into(), args: Vec::new() }
}

/// What a statement is run for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// The number of rows changed.
    Changes,
    /// The first row, if any.
    First,
    /// Every row.
    All,
}

/// What running a statement gave.
pub(crate) enum Out {
    Changes(u64),
    Rows(Vec<Row>),
}

/// The outcome of a statement run for its changes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Done(u64);

impl Done {
    pub(crate) fn rows_affected(self) -> u64 {
        self.0
    }
}

impl Stmt {
    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, value: impl Into<Value>) -> Stmt {
        self.args.push(value.into());
        self
    }

    pub(crate) async fn execute<'a>(self, db: impl Into<Db<'a>>) -> Result<Done> {
        match run(db.into(), self, Want::Changes).await? {
            Out::Changes(n) => Ok(Done(n)),
            Out::Rows(_) => Ok(Done(0)),
        }
    }

    pub(crate) async fn fetch_optional<'a>(self, db: impl Into<Db<'a>>) -> Result<Option<Row>> {
        Ok(rows(run(db.into(), self, Want::First).await?).into_iter().next())
    }

    pub(crate) async fn fetch_one<'a>(self, db: impl Into<Db<'a>>) -> Result<Row> {
        self.fetch_optional(db).await?.ok_or_else(|| StoreError::Corrupt("a statement returned no row".into()))
    }

    pub(crate) async fn fetch_all<'a>(self, db: impl Into<Db<'a>>) -> Result<Vec<Row>> {
        Ok(rows(run(db.into(), self, Want::All).await?))
    }
}

fn rows(out: Out) -> Vec<Row> {
    match out {
        Out::Rows(rows) => rows,
        Out::Changes(_) => Vec::new(),
    }
}

/// How PostgreSQL statements are prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prepare {
    /// Once per connection, then reused (named prepared statements): the server keeps them
    /// for the session.
    OncePerConnection,
    /// Each time, unnamed: for a transaction pooler (PgBouncer in transaction mode, before
    /// 1.21) that hands each transaction another server session, where a named statement
    /// would be missing or taken.
    EachTime,
}

/// A row of either driver.
pub(crate) enum Row {
    Any(AnyRow),
    Lite(lite::LiteRow),
}

/// The read pool: reads outside a write transaction.
#[derive(Debug, Clone)]
pub struct Reader(pub(crate) ReadPool);

#[derive(Debug, Clone)]
pub(crate) enum ReadPool {
    Any(AnyPool, Prepare),
    Lite(Arc<lite::LitePool>),
}

/// A write transaction's connection.
pub struct Conn<'a>(pub(crate) ConnKind<'a>);

pub(crate) enum ConnKind<'a> {
    Any(&'a mut AnyConnection, Prepare),
    Lite(&'a mut rusqlite::Connection),
}

/// Where a statement runs: the read pool ([`crate::Store::reader`]) or a write transaction
/// ([`crate::WriteTx::conn`]).
pub struct Db<'a>(Target<'a>);

enum Target<'a> {
    Read(&'a Reader),
    Write(Conn<'a>),
}

impl<'a> From<&'a Reader> for Db<'a> {
    fn from(reader: &'a Reader) -> Db<'a> {
        Db(Target::Read(reader))
    }
}

impl<'a> From<Conn<'a>> for Db<'a> {
    fn from(conn: Conn<'a>) -> Db<'a> {
        Db(Target::Write(conn))
    }
}

async fn run(db: Db<'_>, stmt: Stmt, want: Want) -> Result<Out> {
    match db.0 {
        Target::Read(Reader(ReadPool::Any(pool, Prepare::EachTime))) => {
            // sqlx parses a statement and waits for the answer (a sync) before it binds: a
            // transaction pooler may hand the bind to another session between the two, unless
            // a transaction holds the session.
            let mut tx = pool.begin().await?;
            let out = run_any(&mut *tx, stmt, want, Prepare::EachTime).await?;
            tx.commit().await?;
            Ok(out)
        }
        Target::Read(Reader(ReadPool::Any(pool, prepare))) => run_any(pool, stmt, want, *prepare).await,
        Target::Write(Conn(ConnKind::Any(conn, prepare))) => run_any(conn, stmt, want, prepare).await,
        Target::Write(Conn(ConnKind::Lite(conn))) => lite::run(conn, &stmt, want),
        Target::Read(Reader(ReadPool::Lite(pool))) => {
            if want == Want::All {
                // A list may scan many rows: not on the async runtime's threads.
                let pool = pool.clone();
                tokio::task::spawn_blocking(move || pool.run(&stmt, want))
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("a read task failed: {e}")))?
            } else {
                pool.run(&stmt, want)
            }
        }
    }
}

async fn run_any<'e, E>(exec: E, stmt: Stmt, want: Want, prepare: Prepare) -> Result<Out>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let q = match stmt.sql {
        Cow::Borrowed(sql) => sqlx::query(sql),
        // Built from literal SQL only (see `query`); values are bound below.
        Cow::Owned(sql) => sqlx::query(sqlx::AssertSqlSafe(sql)),
    };
    let mut q = q.persistent(prepare == Prepare::OncePerConnection);
    for arg in stmt.args {
        q = match arg {
            Value::Int(v) => q.bind(v),
            Value::Text(v) => q.bind(v),
            Value::NullInt => q.bind(None::<i64>),
            Value::NullText => q.bind(None::<String>),
        };
    }
    Ok(match want {
        Want::Changes => Out::Changes(q.execute(exec).await?.rows_affected()),
        Want::First => Out::Rows(q.fetch_optional(exec).await?.map(Row::Any).into_iter().collect()),
        Want::All => Out::Rows(q.fetch_all(exec).await?.into_iter().map(Row::Any).collect()),
    })
}
