//! SQLite's write-ahead log, made durable and checkpointed outside the writer.
//!
//! The writer connection commits with `synchronous = OFF`: a commit writes its frames to the
//! WAL and returns without an fsync, so the connection is free for the next batch at once.
//! The committer then fsyncs the WAL file itself ([`WalFile::make_durable`]) before it answers
//! anyone: the same guarantee as `synchronous = FULL` (every answered write survives power
//! loss), with the fsync overlapping the next batch's statements instead of stalling them.
//!
//! Checkpoints (copying the WAL back into the database file) run on a connection of their
//! own on a thread of their own ([`Checkpointer`]), with the configured durability, so the
//! database file is fsynced before SQLite may reuse the WAL. The writer never checkpoints.
//!
//! Between a commit and its fsync, readers on other connections already see the batch: a
//! crash of Kassa loses nothing (the frames are in the OS), a power cut could lose what a
//! reader saw but no request was told was written.

use crate::GroupCounts;
use crate::lite::LiteConfig;
use crate::{Result, SqliteSync};
use std::fs::File;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The WAL file, opened by us to fsync it.
#[derive(Debug)]
pub(crate) struct WalFile {
    path: PathBuf,
    fsync: bool,
    file: Mutex<Option<File>>,
    /// The checkpointer found the WAL past its limit: the writer should restart it.
    restart_wanted: AtomicBool,
    /// A reader held the WAL at the last restart: none is asked for before this.
    restart_held_off: Mutex<Option<Instant>>,
}

impl WalFile {
    pub(crate) fn new(config: &LiteConfig) -> WalFile {
        let mut path = config.path().as_os_str().to_owned();
        path.push("-wal");
        WalFile {
            path: path.into(),
            fsync: config.sync() == SqliteSync::Full,
            file: Mutex::new(None),
            restart_wanted: AtomicBool::new(false),
            restart_held_off: Mutex::new(None),
        }
    }

    /// Makes every frame written to the WAL so far durable (with `synchronous = FULL`; at
    /// `NORMAL`, checkpoints alone sync, as SQLite's own `NORMAL` does).
    pub(crate) fn make_durable(&self) -> std::io::Result<()> {
        if !self.fsync {
            return Ok(());
        }
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        // SQLite deletes the WAL when its last connection closes; ours stays open, but a
        // handle to a deleted file would sync nothing.
        let stale = match file.as_ref() {
            None => true,
            Some(f) => f.metadata().map(|m| std::os::unix::fs::MetadataExt::nlink(&m) == 0).unwrap_or(true),
        };
        if stale {
            *file = Some(File::open(&self.path)?);
        }
        file.as_ref().map_or(Ok(()), File::sync_data)
    }

    /// `true` once after the checkpointer asked for the WAL to be restarted.
    pub(crate) fn take_restart_wanted(&self) -> bool {
        self.restart_wanted.swap(false, Ordering::Relaxed)
    }

    /// Asks the writer for a restart, unless a reader held the last one off a moment ago.
    fn want_restart(&self) {
        let held_off = self.restart_held_off.lock().unwrap_or_else(|p| p.into_inner());
        if held_off.is_none_or(|until| Instant::now() >= until) {
            self.restart_wanted.store(true, Ordering::Relaxed);
        }
    }

    /// Restarts the WAL from the writer's connection, between two batches (the caller holds
    /// the writer, so no unit waits on a busy lock). Under constant writes passive checkpoints
    /// never catch up with the writer, and the WAL would grow without end. The frames are
    /// mostly copied already; the checkpoint syncs the database file before SQLite may
    /// overwrite them, hence `synchronous = FULL` for its duration.
    ///
    /// A restart waits for every reader to leave the WAL. One that stays (a `kassa backup` in
    /// progress, Litestream's standing read transaction) would hold the writer, and every write
    /// behind it, for the whole busy timeout: so it waits [`RESTART_WAIT`] at most, and after a
    /// restart a reader held off, none is asked for during [`RESTART_HOLD_OFF`] (the WAL grows
    /// meanwhile, as it must while a reader needs its frames).
    pub(crate) fn restart(&self, writer: &rusqlite::Connection) {
        let blocked = writer
            .busy_timeout(RESTART_WAIT)
            .and_then(|()| writer.execute_batch("PRAGMA synchronous = FULL"))
            .and_then(|()| writer.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0)));
        let reset = writer
            .execute_batch("PRAGMA synchronous = OFF")
            .and_then(|()| writer.busy_timeout(crate::lite::BUSY_TIMEOUT));
        let outcome = blocked.and_then(|blocked| reset.map(|()| blocked != 0));
        if !matches!(outcome, Ok(false)) {
            *self.restart_held_off.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now() + RESTART_HOLD_OFF);
        }
        match outcome {
            Ok(false) => {}
            Ok(true) => tracing::debug!("a reader held the WAL; restarting it later"),
            Err(e) => tracing::warn!(error = %e, "restarting the WAL failed; asking again later"),
        }
    }
}

/// How often the checkpointer looks for new commits.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(50);

/// Past this many frames (64 MB at 4 KiB pages) the writer restarts the WAL ([`WalFile::restart`]).
const WAL_FRAMES_LIMIT: i64 = 16_384;

/// Longest a restart waits for readers to leave the WAL.
const RESTART_WAIT: Duration = Duration::from_millis(50);

/// How long after a restart a reader held off the next may be asked for.
const RESTART_HOLD_OFF: Duration = Duration::from_secs(1);

/// Copies committed frames back into the database file, on its own thread and connection.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing whenever `commits` has moved since the last look.
    pub(crate) fn start(config: &LiteConfig, commits: Weak<GroupCounts>, wal: Arc<WalFile>) -> Result<Checkpointer> {
        let conn = config.open()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("kassa-checkpoint".into())
            .spawn(move || {
                let mut seen = 0;
                while !stopping.load(Ordering::Relaxed) {
                    std::thread::sleep(CHECKPOINT_EVERY);
                    let Some(commits) = commits.upgrade() else { return };
                    let now = commits.batches();
                    if now == seen {
                        continue;
                    }
                    seen = now;
                    if let Err(e) = checkpoint(&conn, &wal) {
                        tracing::warn!(error = %e, "WAL checkpoint failed; retrying after the next commit");
                    }
                }
            })
            .map_err(|e| crate::StoreError::Corrupt(format!("cannot start the checkpointer: {e}")))?;
        Ok(Checkpointer { stop, thread: Some(thread) })
    }
}

/// A passive checkpoint (never waits for the writer); past the limit, asks the writer to
/// restart the WAL.
fn checkpoint(conn: &rusqlite::Connection, wal: &WalFile) -> rusqlite::Result<()> {
    let frames: i64 = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))?;
    if frames > WAL_FRAMES_LIMIT {
        wal.want_restart();
    }
    Ok(())
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
