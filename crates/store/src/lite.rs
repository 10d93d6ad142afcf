//! SQLite through rusqlite: connections, the read pool, and running a [`Stmt`] in place.

use crate::db::{Out, Stmt, Value, Want};
use crate::{Result, SqliteSync, StoreError};
use rusqlite::types::Value as Stored;
use rusqlite::{Connection, OpenFlags};
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a connection waits for a lock another holds: it covers other processes (the CLI)
/// writing to the same file.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes a WAL file is cut back to when it starts over: the size at which the writer restarts
/// it (`wal.rs`, 16,384 frames of 4 KiB).
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// Enough for every statement the store prepares, so none is prepared twice.
const STATEMENT_CACHE: usize = 512;

/// Where the database file is and how connections to it are set up.
#[derive(Debug, Clone)]
pub(crate) struct LiteConfig {
    path: PathBuf,
    create: bool,
    sync: SqliteSync,
}

impl LiteConfig {
    /// From `sqlite://path?mode=rwc` (or `sqlite:path`).
    pub(crate) fn from_url(url: &str, sync: SqliteSync) -> Result<LiteConfig> {
        let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path.is_empty() || path.starts_with(':') {
            return Err(StoreError::Corrupt(format!("`{url}`: Kassa needs an SQLite file, not `{path}`")));
        }
        let create = query.split('&').any(|kv| kv == "mode=rwc");
        Ok(LiteConfig { path: PathBuf::from(path), create, sync })
    }

    /// The writer's connection: it neither syncs nor checkpoints (see `wal.rs`).
    pub(crate) fn open_writer(&self) -> Result<Connection> {
        let conn = self.open()?;
        conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA wal_autocheckpoint = 0;")?;
        Ok(conn)
    }

    /// Whether a missing database file is created (`mode=rwc`).
    pub(crate) fn creates(&self) -> bool {
        self.create
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub(crate) fn sync(&self) -> SqliteSync {
        self.sync
    }

    /// A connection in WAL mode with Kassa's settings.
    pub(crate) fn open(&self) -> Result<Connection> {
        let mut flags =
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        if self.create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let sync = match self.sync {
            SqliteSync::Full => "FULL",
            SqliteSync::Normal => "NORMAL",
        };
        // A unit's savepoint journals the pages it changes: in memory, not in a temporary file.
        // A WAL that grew while a reader held it (a backup, Litestream) shrinks back to the
        // restart threshold when it starts over, instead of keeping its largest size on disk.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON; \
             PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = {WAL_SIZE_LIMIT};"
        ))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }
}

/// Connections for reads. WAL lets any number read beside the writer; a connection is taken
/// for one statement and put back, so there are never more than threads running statements.
#[derive(Debug)]
pub(crate) struct LitePool {
    config: LiteConfig,
    idle: Mutex<Vec<Connection>>,
}

impl LitePool {
    pub(crate) fn new(config: LiteConfig) -> LitePool {
        LitePool { config, idle: Mutex::new(Vec::new()) }
    }

    pub(crate) fn run(&self, stmt: &Stmt, want: Want) -> Result<Out> {
        let conn = match self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            Some(conn) => conn,
            None => self.config.open()?,
        };
        let out = run(&conn, stmt, want);
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
        out
    }

    /// Closes the idle connections.
    pub(crate) fn close(&self) {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// A row read by rusqlite.
pub(crate) struct LiteRow {
    columns: Arc<[Box<str>]>,
    values: Vec<Stored>,
}

impl LiteRow {
    pub(crate) fn get(&self, column: &str) -> Result<&Stored> {
        self.columns
            .iter()
            .position(|c| &**c == column)
            .map(|i| &self.values[i])
            .ok_or_else(|| StoreError::Corrupt(format!("no column {column}")))
    }
}

/// A statement's SQL in SQLite's form and the names of its columns.
struct Shape {
    sql: Box<str>,
    columns: OnceCell<Arc<[Box<str>]>>,
}

thread_local! {
    /// Shapes of the literal statements (`&'static str`, keyed by address and length: a
    /// literal never moves nor changes) this thread has run. Rewriting the placeholders and
    /// boxing the column names on every run showed in the profile at tens of thousands of
    /// statements a second.
    static SHAPES: RefCell<HashMap<(usize, usize), Rc<Shape>>> = RefCell::default();
}

fn shape_of(stmt: &Stmt) -> Rc<Shape> {
    let new = |text: &str| Rc::new(Shape { sql: positional(text).into(), columns: OnceCell::new() });
    match &stmt.sql {
        Cow::Borrowed(text) => SHAPES.with(|shapes| {
            shapes.borrow_mut().entry((text.as_ptr() as usize, text.len())).or_insert_with(|| new(text)).clone()
        }),
        // Built at run time (lists with filters): rare enough to shape each time.
        Cow::Owned(text) => new(text),
    }
}

/// Runs `stmt` on `conn`, here and now.
pub(crate) fn run(conn: &Connection, stmt: &Stmt, want: Want) -> Result<Out> {
    let shape = shape_of(stmt);
    let mut prepared = conn.prepare_cached(&shape.sql)?;
    for (i, arg) in stmt.args.iter().enumerate() {
        match arg {
            Value::Int(v) => prepared.raw_bind_parameter(i + 1, v)?,
            Value::Text(v) => prepared.raw_bind_parameter(i + 1, v.as_str())?,
            Value::NullInt | Value::NullText => prepared.raw_bind_parameter(i + 1, rusqlite::types::Null)?,
        }
    }
    if want == Want::Changes {
        return Ok(Out::Changes(prepared.raw_execute()? as u64));
    }
    let columns = shape.columns.get_or_init(|| prepared.column_names().into_iter().map(Box::from).collect()).clone();
    let width = columns.len();
    let mut rows = prepared.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let values = (0..width).map(|i| row.get::<_, Stored>(i)).collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(crate::db::Row::Lite(LiteRow { columns: columns.clone(), values }));
        if want == Want::First {
            break;
        }
    }
    Ok(Out::Rows(out))
}

/// `$N` (the placeholders both databases share) as SQLite's positional `?N`: `$N` would be a
/// named parameter to SQLite, numbered by first appearance rather than by `N`.
fn positional(sql: &str) -> Cow<'_, str> {
    if !sql.contains('$') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_keep_their_numbers() {
        assert_eq!(
            positional("UPDATE t SET a = $2 WHERE id = $1 AND b = '$x'"),
            "UPDATE t SET a = ?2 WHERE id = ?1 AND b = '$x'"
        );
        assert_eq!(positional("SELECT 1"), "SELECT 1");
    }
}
