//! The embedded database's files are the owner's only, whatever the umask: payments, keys'
//! hashes and sealed secrets are in them. The data directory is made `0700`, the database
//! file `0600` before SQLite opens it (SQLite gives its `-wal` and `-shm` files the database
//! file's mode), and those files are brought back to `0600` if an earlier run left them open.

use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Only the owner may read or write a file of the database, or enter its directory.
pub const FILE_MODE: u32 = 0o600;
/// The data directory's mode.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and any missing parent for the owner only; an existing directory is left as
/// it is (see [`open_to_others`]).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

/// Creates the database file at `db` if missing, and makes it and its WAL companions the
/// owner's only.
pub fn secure_database(db: &Path) -> io::Result<()> {
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir(parent)?;
    }
    std::os::unix::fs::OpenOptionsExt::mode(std::fs::OpenOptions::new().create(true).append(true), FILE_MODE)
        .open(db)?;
    for file in [db.to_owned(), companion(db, "-wal"), companion(db, "-shm")] {
        match std::fs::metadata(&file) {
            Ok(meta) if meta.permissions().mode() & 0o777 != FILE_MODE => {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(FILE_MODE))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The mode of `dir` when others than its owner may list or enter it.
pub fn open_to_others(dir: &Path) -> io::Result<Option<u32>> {
    let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
    Ok((mode & 0o077 != 0).then_some(mode))
}

fn companion(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_database_and_its_companions_become_the_owners_only() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let db = data.join("kassa.db");
        secure_database(&db).unwrap();
        assert_eq!((mode(&data), mode(&db)), (DIR_MODE, FILE_MODE));
        for file in [companion(&db, "-wal"), db.clone()] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).ok();
            std::fs::write(&file, b"").ok();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        secure_database(&db).unwrap();
        assert_eq!((mode(&db), mode(&companion(&db, "-wal"))), (FILE_MODE, FILE_MODE));
    }

    #[test]
    fn a_directory_others_can_enter_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(open_to_others(dir.path()).unwrap(), Some(0o755));
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(open_to_others(dir.path()).unwrap(), None);
    }
}
