//! One gateway per SQLite database: `kassa serve` holds an exclusive lock on `<db>.lock` beside
//! the database file while it runs. A second one on the same file is refused with the holder
//! named; and the one that holds the lock knows no other process holds leases on the data, so
//! it releases them at start (`App::release_all_leases`). Operator commands (`kassa keys …`)
//! take no lock: they work beside a running gateway.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// The held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct DataLock {
    _file: File,
    path: PathBuf,
}

impl DataLock {
    /// The lock file's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

/// The database file of an SQLite URL (`sqlite://path?mode=rwc`); `None` for PostgreSQL or an
/// in-memory database.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

/// Takes the lock of the SQLite database at `url` (nothing to take on PostgreSQL), writing
/// who holds it (this process and `holder`, what it does) into the file.
pub fn acquire(url: &str, holder: &str) -> anyhow::Result<Option<DataLock>> {
    let Some(db) = sqlite_file(url) else { return Ok(None) };
    let mut path = db.into_os_string();
    path.push(".lock");
    let path = PathBuf::from(path);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    let mut file =
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, kassa_store::private_files::FILE_MODE).open(&path)?;
    // A lock file an earlier Kassa made for all to read is the owner's only from now on.
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(kassa_store::private_files::FILE_MODE))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            anyhow::bail!(
                "the database {} is in use by another Kassa gateway ({}). One gateway serves an SQLite \
                 database; stop it first, or use PostgreSQL (DATABASE_URL) to run several nodes.",
                path.with_extension("").display(),
                holder.trim()
            );
        }
        Err(TryLockError::Error(e)) => return Err(e.into()),
    }
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    writeln!(file, "pid {}, {holder}", std::process::id())?;
    file.flush()?;
    Ok(Some(DataLock { _file: file, path }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_database_file_of_sqlite_urls_only() {
        assert_eq!(sqlite_file("sqlite:///data/kassa.db?mode=rwc"), Some(PathBuf::from("/data/kassa.db")));
        assert_eq!(sqlite_file("sqlite://kassa.db"), Some(PathBuf::from("kassa.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://postgres@127.0.0.1/kassa"), None);
    }

    #[test]
    fn a_second_holder_is_refused_and_told_who_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("kassa.db").display());
        let held = acquire(&url, "serving http://127.0.0.1:4242").unwrap().expect("a lock for SQLite");
        let refused = acquire(&url, "kassa restore").unwrap_err().to_string();
        assert!(refused.contains(&format!("pid {}, serving http://127.0.0.1:4242", std::process::id())), "{refused}");
        drop(held);
        assert!(acquire(&url, "kassa restore").unwrap().is_some(), "free again once the holder is gone");
    }
}
