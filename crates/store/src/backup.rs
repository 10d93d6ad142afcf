//! Copies of the embedded SQLite database: taken while a gateway writes to it, checked, and
//! put back.
//!
//! A copy is made with SQLite's online backup API in one step, that is inside one read
//! transaction of the source: in WAL mode a reader never blocks the writer, so the gateway
//! goes on committing while the copy is made, and the copy holds exactly the commits before
//! its transaction began. Copying the file with `cp` instead can tear it: the database file
//! and its WAL are written at different moments.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// Why a file is not a usable copy of a Kassa database.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// There is nothing at the path.
    #[error("there is no database at {0}")]
    Missing(String),
    /// SQLite cannot read it as a database: torn, truncated, or something else.
    #[error("{path} is not a readable SQLite database ({reason}): it may be torn or truncated, or not a database")]
    Unreadable {
        /// The file.
        path: String,
        /// What SQLite said.
        reason: String,
    },
    /// SQLite's integrity check found damage.
    #[error("{path} fails SQLite's integrity check: {problems}")]
    Damaged {
        /// The file.
        path: String,
        /// The first problems found.
        problems: String,
    },
    /// A database, but not one a Kassa wrote.
    #[error("{0} is an SQLite database but not Kassa's (it has no Kassa schema)")]
    Foreign(String),
    /// Its schema is newer than this Kassa's, or a migration of it failed.
    #[error("{path}: {reason}")]
    Schema {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing files.
    #[error("{0}")]
    Io(String),
}

/// What a copy holds, read from the copy itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    /// The newest migration applied.
    pub schema_version: i64,
    /// The value that recognizes the master key the database is sealed with (see
    /// `kassa_core::secrets::Secrets::check_value`); `None` for a database no gateway started.
    pub master_key_check: Option<String>,
    /// Payments in it.
    pub payments: i64,
    /// Events in it.
    pub events: i64,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Copies the database at `source` into a new file `dest` in one read transaction (see the
/// module's note), then makes the copy durable. `dest` must not exist.
pub fn copy(source: &Path, dest: &Path) -> Result<(), BackupError> {
    if !source.is_file() {
        return Err(BackupError::Missing(source.display().to_string()));
    }
    let unreadable =
        |e: rusqlite::Error| BackupError::Unreadable { path: source.display().to_string(), reason: e.to_string() };
    // Read-write without create: a WAL database's reader needs its shared-memory file, and a
    // missing database must not be made.
    let from = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(unreadable)?;
    from.busy_timeout(std::time::Duration::from_secs(10)).map_err(unreadable)?;
    let mut to = create_new(dest)?;
    let written = {
        let backup = rusqlite::backup::Backup::new(&from, &mut to).map_err(unreadable)?;
        // All pages in one step: one read transaction, so a consistent copy however much the
        // gateway writes meanwhile (stepping in parts would restart at every commit).
        backup.step(-1).map_err(unreadable)
    };
    // The copy took the source's WAL mode with its pages; a file on its own reads without one.
    let single_file = to.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()));
    drop(to);
    match written.and_then(|step| single_file.map(|()| step).map_err(unreadable)) {
        Ok(rusqlite::backup::StepResult::Done) => sync_file(dest),
        Ok(other) => {
            let _ = std::fs::remove_file(dest);
            Err(BackupError::Unreadable {
                path: source.display().to_string(),
                reason: format!("the copy stopped early ({other:?})"),
            })
        }
        Err(e) => {
            let _ = std::fs::remove_file(dest);
            Err(e)
        }
    }
}

/// Reads what the database at `file` holds after checking it whole: SQLite's integrity check,
/// Kassa's schema, and every migration it records known to this Kassa and applied.
pub fn inspect(file: &Path) -> Result<Contents, BackupError> {
    if !file.is_file() {
        return Err(BackupError::Missing(file.display().to_string()));
    }
    let path = file.display().to_string();
    let unreadable = |e: rusqlite::Error| BackupError::Unreadable { path: path.clone(), reason: e.to_string() };
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(unreadable)?;
    let problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check(5)")
        .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect())
        .map_err(unreadable)?;
    if problems != ["ok"] {
        return Err(BackupError::Damaged { path: path.clone(), problems: problems.join("; ") });
    }
    let has_table = |name: &str| {
        conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n == 1)
    };
    if !has_table("_sqlx_migrations").map_err(unreadable)? || !has_table("payment_intents").map_err(unreadable)? {
        return Err(BackupError::Foreign(path.clone()));
    }
    let known: Vec<i64> = crate::migrations().iter().map(|m| m.version).collect();
    let latest = known.iter().copied().max().unwrap_or(0);
    let applied: Vec<(i64, bool)> = conn
        .prepare("SELECT version, success FROM _sqlx_migrations ORDER BY version")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(unreadable)?;
    let schema = |reason: String| BackupError::Schema { path: path.clone(), reason };
    if let Some((version, _)) = applied.iter().find(|(_, success)| !success) {
        return Err(schema(format!("its migration {version} failed part-way; it is not a database to restore")));
    }
    if let Some((version, _)) = applied.iter().find(|(v, _)| !known.contains(v)) {
        return Err(schema(format!(
            "it has migration {version}, which this Kassa (schema {latest}) does not know: a newer Kassa wrote it; \
             use that version's `kassa`"
        )));
    }
    let schema_version = applied.last().map(|(v, _)| *v).unwrap_or(0);
    let count = |table: &str| conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get::<_, i64>(0));
    let master_key_check = conn
        .query_row("SELECT value FROM settings WHERE name = 'master_key_check'", [], |r| r.get(0))
        .map(Some)
        .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })
        .map_err(unreadable)?;
    Ok(Contents {
        schema_version,
        master_key_check,
        payments: count("payment_intents").map_err(unreadable)?,
        events: count("events").map_err(unreadable)?,
        bytes: std::fs::metadata(file).map_err(|e| BackupError::Io(format!("{path}: {e}")))?.len(),
    })
}

/// Opens a new, private database file at `dest`, refusing one that exists.
fn create_new(dest: &Path) -> Result<Connection, BackupError> {
    let io = |e: std::io::Error| BackupError::Io(format!("cannot create {}: {e}", dest.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, crate::private_files::FILE_MODE);
    options.open(dest).map_err(io)?;
    Connection::open_with_flags(dest, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(
        |e| {
            let _ = std::fs::remove_file(dest);
            BackupError::Io(format!("cannot open {}: {e}", dest.display()))
        },
    )
}

/// Makes `file` and its directory entry durable.
pub fn sync_file(file: &Path) -> Result<(), BackupError> {
    let io = |e: std::io::Error| BackupError::Io(format!("cannot sync {}: {e}", file.display()));
    std::fs::File::open(file).and_then(|f| f.sync_all()).map_err(io)?;
    sync_dir_of(file)
}

/// Makes the directory entries of `file`'s directory durable (after a create or a rename).
pub fn sync_dir_of(file: &Path) -> Result<(), BackupError> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| BackupError::Io(format!("cannot sync the directory {}: {e}", dir.display())))
}
