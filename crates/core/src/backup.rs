//! Backups of the embedded database and their restoring: a copy is checked whole before it is
//! called a backup, and only a copy sealed under the operator's master key is put back (the
//! key itself is never in the database, so never in a backup: keep it apart, as before).

use crate::secrets::{MasterKey, Secrets};
use kassa_store::backup::{self as files, BackupError, Contents};
use std::path::{Path, PathBuf};

/// Why a backup or a restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The file is not a sound copy of a Kassa database.
    #[error(transparent)]
    File(#[from] BackupError),
    /// The database is sealed under another master key than the one given.
    #[error(
        "{0} is sealed under another master key than this one: give the key the gateway that wrote it runs with \
         (KASSA_MASTER_KEY or KASSA_MASTER_KEY_FILE)"
    )]
    OtherMasterKey(String),
    /// The place to restore into already has a database.
    #[error("{0} already exists: restore into an empty data directory (move the old database aside first)")]
    Occupied(String),
}

/// A backup written, with what it holds.
#[derive(Debug, Clone)]
pub struct Written {
    /// The backup file.
    pub file: PathBuf,
    /// What it holds, read back from it.
    pub contents: Contents,
}

/// Copies the database at `source` (a gateway may be writing to it) to `dest`, a file that
/// must not exist: written beside it as `<dest>.partial`, checked ([`files::inspect`]) and its
/// master key recognized, made durable, and only then renamed to `dest`.
pub fn take(source: &Path, dest: &Path, master: &MasterKey) -> Result<Written, Refused> {
    if dest.exists() {
        return Err(BackupError::Io(format!("{} already exists: name a new file", dest.display())).into());
    }
    let partial = with_suffix(dest, ".partial");
    let _ = std::fs::remove_file(&partial);
    let checked = files::copy(source, &partial)
        .map_err(Refused::from)
        .and_then(|()| files::inspect(&partial).map_err(Refused::from))
        .and_then(|contents| recognize(&contents, source, master).map(|()| contents));
    let contents = match checked {
        Ok(contents) => contents,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, dest)
        .map_err(|e| BackupError::Io(format!("cannot rename {} to {}: {e}", partial.display(), dest.display())))?;
    files::sync_dir_of(dest)?;
    Ok(Written { file: dest.to_owned(), contents })
}

/// Puts the backup `from` in place as the database `into`, which must not exist (the caller
/// holds the data directory's lock, so no gateway serves it meanwhile): checked whole first,
/// refused under another master key, copied to `<into>.partial`, made durable, renamed.
pub fn restore(from: &Path, into: &Path, master: &MasterKey) -> Result<Contents, Refused> {
    for existing in [into.to_owned(), with_suffix(into, "-wal")] {
        if existing.exists() {
            return Err(Refused::Occupied(existing.display().to_string()));
        }
    }
    let contents = files::inspect(from)?;
    recognize(&contents, from, master)?;
    let partial = with_suffix(into, ".partial");
    let _ = std::fs::remove_file(&partial);
    let copied = std::fs::copy(from, &partial)
        .map_err(|e| BackupError::Io(format!("cannot copy {} to {}: {e}", from.display(), partial.display())))
        .and_then(|_| {
            std::fs::set_permissions(
                &partial,
                std::os::unix::fs::PermissionsExt::from_mode(kassa_store::private_files::FILE_MODE),
            )
            .map_err(|e| BackupError::Io(format!("{}: {e}", partial.display())))
        })
        .and_then(|()| files::sync_file(&partial));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e.into());
    }
    std::fs::rename(&partial, into)
        .map_err(|e| BackupError::Io(format!("cannot rename {} to {}: {e}", partial.display(), into.display())))?;
    files::sync_dir_of(into)?;
    Ok(contents)
}

/// Reads a backup whole and says whether `master` opens it.
pub fn check(file: &Path, master: &MasterKey) -> Result<Contents, Refused> {
    let contents = files::inspect(file)?;
    recognize(&contents, file, master)?;
    Ok(contents)
}

/// A database no gateway has started yet has no key check; any other must match `master`.
fn recognize(contents: &Contents, file: &Path, master: &MasterKey) -> Result<(), Refused> {
    match &contents.master_key_check {
        Some(check) if check != Secrets::new(master).check_value() => {
            Err(Refused::OtherMasterKey(file.display().to_string()))
        }
        _ => Ok(()),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
