//! Where the operator's master key comes from: `KASSA_MASTER_KEY` (64 hex characters), or a
//! key file (`KASSA_MASTER_KEY_FILE`, by default `~/.config/kassa/master.key`) that the first
//! start creates with mode 0600. The file must not be inside the data directory: a key kept
//! with the data protects nothing.

use crate::secrets::MasterKey;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The key, and where it came from (for the banner).
#[derive(Debug)]
pub struct Resolved {
    /// The key.
    pub key: MasterKey,
    /// `KASSA_MASTER_KEY`, or the file's path (and whether this start created it).
    pub source: String,
}

/// The default key file: `$XDG_CONFIG_HOME/kassa/master.key` or `~/.config/kassa/master.key`.
fn default_file() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("kassa").join("master.key"))
}

/// Resolves the key: the given value, else the file (created if missing). `data_dir` is the
/// SQLite data directory, which the file must not be in.
pub fn resolve(value: Option<&str>, file: Option<&Path>, data_dir: Option<&Path>) -> anyhow::Result<Resolved> {
    if let Some(value) = value {
        let key = MasterKey::parse_hex(value).map_err(|e| anyhow::anyhow!("KASSA_MASTER_KEY: {e}"))?;
        return Ok(Resolved { key, source: "KASSA_MASTER_KEY".to_owned() });
    }
    let path = key_file(file)?;
    if let Some(data) = data_dir {
        let inside = |p: &Path, dir: &Path| match (absolute(p), absolute(dir)) {
            (Some(p), Some(dir)) => p.starts_with(dir),
            _ => false,
        };
        anyhow::ensure!(
            !inside(&path, data),
            "the master key file {} is inside the data directory {}: keep it elsewhere (a key stored with the data \
             protects nothing)",
            path.display(),
            data.display()
        );
    }
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let key = MasterKey::parse_hex(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            Ok(Resolved { key, source: path.display().to_string() })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(e) => Err(e).with_context(|| format!("cannot read the master key file {}", path.display())),
    }
}

/// As [`resolve`], but a missing key file is an error rather than a new key: for commands that
/// read what an existing key sealed (a restore), where a new key could only be the wrong one.
pub fn resolve_existing(value: Option<&str>, file: Option<&Path>, data_dir: Option<&Path>) -> anyhow::Result<Resolved> {
    if value.is_none() {
        let path = key_file(file)?;
        anyhow::ensure!(
            path.exists(),
            "there is no master key file at {}: give the key the gateway ran with (KASSA_MASTER_KEY or \
             KASSA_MASTER_KEY_FILE)",
            path.display()
        );
    }
    resolve(value, file, data_dir)
}

/// The key file: the one given, else the default.
fn key_file(file: Option<&Path>) -> anyhow::Result<PathBuf> {
    match file {
        Some(f) => Ok(f.to_path_buf()),
        None => {
            default_file().context("no HOME to keep the master key in: set KASSA_MASTER_KEY_FILE or KASSA_MASTER_KEY")
        }
    }
}

/// A path made absolute against the working directory, with `..` and symlinks resolved where
/// it exists.
fn absolute(p: &Path) -> Option<PathBuf> {
    let p = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().ok()?.join(p) };
    match (p.parent().and_then(|d| d.canonicalize().ok()), p.file_name()) {
        (Some(dir), Some(name)) => Some(dir.join(name)),
        _ => p.canonicalize().ok().or(Some(p)),
    }
}

fn create(path: &Path) -> anyhow::Result<Resolved> {
    if let Some(dir) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let key = MasterKey::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            writeln!(file, "{}", key.to_hex())?;
            file.sync_all()?;
            Ok(Resolved { key, source: format!("{} (created now: back it up)", path.display()) })
        }
        // Another first start made it a moment ago: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => resolve(None, Some(path), None),
        Err(e) => Err(e).with_context(|| format!("cannot create the master key file {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_start_creates_a_private_key_file_and_later_ones_read_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("conf/kassa/master.key");
        let first = resolve(None, Some(&path), None).unwrap();
        assert!(first.source.contains("created now"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let again = resolve(None, Some(&path), None).unwrap();
        assert_eq!(again.key.to_hex(), first.key.to_hex());
        assert!(!again.source.contains("created"));
    }

    #[test]
    fn a_key_file_inside_the_data_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let refused = resolve(None, Some(&dir.path().join("data/master.key")), Some(&dir.path().join("data")));
        assert!(refused.unwrap_err().to_string().contains("inside the data directory"));
    }

    #[test]
    fn a_given_key_must_be_64_hex_characters() {
        assert!(resolve(Some("abc"), None, None).is_err());
        let key = MasterKey::generate().to_hex();
        assert_eq!(resolve(Some(&key), None, None).unwrap().source, "KASSA_MASTER_KEY");
    }
}
