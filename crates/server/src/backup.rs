//! `kassa backup` and `kassa restore`: the embedded database copied while the gateway runs,
//! and put back into an empty data directory. PostgreSQL deployments use PostgreSQL's own
//! tools (docs/backups.md).

use anyhow::Context;
use clap::Args;
use kassa_server::secrets::MasterKey;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `kassa backup`.
#[derive(Args, Clone)]
pub struct BackupArgs {
    /// Where to write the backup: a new file, or an existing directory to write
    /// `kassa-<UTC time>.db` into.
    #[arg(long)]
    to: PathBuf,
    /// With a directory: keep this many newest backups in it (`kassa-*.db`), deleting older ones.
    #[arg(long)]
    keep: Option<usize>,
}

/// `kassa restore`.
#[derive(Args, Clone)]
pub struct RestoreArgs {
    /// The backup to restore (a file `kassa backup` wrote).
    #[arg(long)]
    from: PathBuf,
}

/// The prefix and suffix of the backups `kassa backup --to DIR` names.
const NAME_PREFIX: &str = "kassa-";
const NAME_SUFFIX: &str = ".db";

/// Takes a backup of the database `db` (a gateway may be serving it) as `args` say.
pub fn backup(db: &Path, master: &MasterKey, args: &BackupArgs) -> anyhow::Result<()> {
    let into_dir = args.to.is_dir();
    anyhow::ensure!(args.keep.is_none() || into_dir, "--keep needs --to to name a directory");
    anyhow::ensure!(args.keep != Some(0), "--keep 0 would delete the backup just taken");
    let dest = if into_dir { args.to.join(timestamped_name()) } else { args.to.clone() };
    let started = Instant::now();
    let written = kassa_server::backup::take(db, &dest, master)?;
    let c = &written.contents;
    println!(
        "Backup written to {} in {} ms: {} bytes, schema version {}, {} payments, {} events; integrity checked.",
        written.file.display(),
        started.elapsed().as_millis(),
        c.bytes,
        c.schema_version,
        c.payments,
        c.events
    );
    println!("  The master key is not in it: restoring needs the key this gateway runs with.");
    if let Some(keep) = args.keep {
        for old in prune(&args.to, keep)? {
            println!("  deleted the older backup {}", old.display());
        }
    }
    Ok(())
}

/// Restores the backup `args.from` as the database `db`, which must not exist, holding the
/// database's lock meanwhile (a gateway serving it holds it; none can start on it meanwhile).
pub fn restore(db: &Path, master: &MasterKey, args: &RestoreArgs) -> anyhow::Result<()> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        kassa_store::private_files::create_dir(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let _lock = kassa_server::data_lock::acquire(&format!("sqlite://{}", db.display()), "kassa restore")?;
    let contents = kassa_server::backup::restore(&args.from, db, master)?;
    println!(
        "Restored {} into {}: schema version {}, {} payments, {} events.",
        args.from.display(),
        db.display(),
        contents.schema_version,
        contents.payments,
        contents.events
    );
    println!("  Start the gateway on it with the same master key (a newer Kassa migrates it on start).");
    Ok(())
}

/// `kassa-20261207T231502.123Z.db`: sorts by time.
fn timestamped_name() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{NAME_PREFIX}{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z{NAME_SUFFIX}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}

/// Deletes all but the `keep` newest backups in `dir` that `kassa backup` named; returns them.
fn prune(dir: &Path, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    let mut ours: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(NAME_PREFIX) && n.ends_with(NAME_SUFFIX) && !n.contains(".partial"))
        })
        .collect();
    ours.sort();
    let old = ours.len().saturating_sub(keep);
    let deleted: Vec<PathBuf> = ours.into_iter().take(old).collect();
    for file in &deleted {
        std::fs::remove_file(file).with_context(|| format!("cannot delete {}", file.display()))?;
    }
    Ok(deleted)
}
