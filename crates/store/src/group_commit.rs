//! SQLite's one writer, committing the write units of many requests with one fsync.
//!
//! Every [`Unit`] runs inside its own savepoint of one shared `BEGIN IMMEDIATE` transaction
//! (the batch): a unit that fails or is dropped rolls back only itself. A unit's commit
//! keeps its savepoint's writes in the batch and waits until the batch is committed; nobody learns
//! that a write succeeded before the fsync that makes it durable.
//!
//! The batch is committed by a committer task that queues for the connection like any unit.
//! The connection's lock is fair (first come, first served), so the batch holds exactly the
//! units that were already waiting when the committer asked: a unit alone is committed at
//! once, and under load one fsync serves every request that arrived meanwhile.

use crate::lite::LiteConfig;
use crate::wal::{Checkpointer, WalFile};
use crate::{Result, StoreError};
use rusqlite::Connection;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};
use tokio::task::JoinHandle;

/// The writer connection and the batch it has open.
#[derive(Debug)]
pub(crate) struct GroupWriter {
    batch: Arc<Mutex<Batch>>,
    commit_wanted: Arc<Notify>,
    committer: JoinHandle<()>,
    counts: Arc<GroupCounts>,
    wal: Arc<WalFile>,
    _checkpointer: Checkpointer,
}

/// The connection with what is pending on it.
#[derive(Debug)]
struct Batch {
    conn: Connection,
    /// `BEGIN IMMEDIATE` issued, not yet committed.
    open: bool,
    /// A unit was dropped inside its savepoint: roll it back before anything else runs.
    abandoned: bool,
    /// The last unit was kept; its savepoint is released with the next statement sent.
    kept: bool,
    /// Units whose savepoint is released, each waiting for the batch's commit.
    waiting: Vec<oneshot::Sender<Result<(), String>>>,
    counts: Arc<GroupCounts>,
}

/// How well writes are grouped: units committed per batch.
#[derive(Debug, Default)]
pub struct GroupCounts {
    batches: AtomicU64,
    units: AtomicU64,
    unit_hold_micros: AtomicU64,
    commit_hold_micros: AtomicU64,
}

impl GroupCounts {
    /// Batches committed so far (one fsync each).
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Write units made durable by those batches.
    pub fn units(&self) -> u64 {
        self.units.load(Ordering::Relaxed)
    }

    /// How long units have held the writer (from their first statement to their commit or
    /// rollback), in µs: with [`GroupCounts::commit_hold_micros`], near the elapsed time when
    /// the one writer is what limits throughput.
    pub fn unit_hold_micros(&self) -> u64 {
        self.unit_hold_micros.load(Ordering::Relaxed)
    }

    /// How long commits have held the writer (without the fsync, which overlaps), in µs.
    pub fn commit_hold_micros(&self) -> u64 {
        self.commit_hold_micros.load(Ordering::Relaxed)
    }
}

/// Runs one of the batch's control statements, prepared once: at thousands of units a second
/// parsing them again each time shows in the profile.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.raw_execute().map(drop)
}

fn add_elapsed(total: &AtomicU64, since: Instant) {
    total.fetch_add(since.elapsed().as_micros() as u64, Ordering::Relaxed);
}

/// One request's writes: a savepoint in the current batch. Dropping it rolls it back.
#[derive(Debug)]
pub(crate) struct Unit {
    batch: Option<OwnedMutexGuard<Batch>>,
    held_since: Instant,
    commit_wanted: Arc<Notify>,
}

impl GroupWriter {
    /// Opens the writer connection and starts the committer.
    pub(crate) fn start(config: &LiteConfig) -> Result<GroupWriter> {
        let conn = config.open_writer()?;
        let counts = Arc::new(GroupCounts::default());
        let batch = Arc::new(Mutex::new(Batch {
            conn,
            open: false,
            abandoned: false,
            kept: false,
            waiting: Vec::new(),
            counts: counts.clone(),
        }));
        let commit_wanted = Arc::new(Notify::new());
        let wal = Arc::new(WalFile::new(config));
        let committer = tokio::spawn(commit_when_asked(Arc::downgrade(&batch), commit_wanted.clone(), wal.clone()));
        let checkpointer = Checkpointer::start(config, Arc::downgrade(&counts), wal.clone())?;
        Ok(GroupWriter { batch, commit_wanted, committer, counts, wal, _checkpointer: checkpointer })
    }

    /// Opens a unit in the current batch (the batch begins if none is open).
    pub(crate) async fn begin(&self) -> Result<Unit> {
        let mut batch = self.batch.clone().lock_owned().await;
        let held_since = Instant::now();
        batch.tidy();
        let opened = match (batch.open, std::mem::take(&mut batch.kept)) {
            (true, true) => {
                run_cached(&batch.conn, "RELEASE unit").and_then(|()| run_cached(&batch.conn, "SAVEPOINT unit"))
            }
            (true, false) => run_cached(&batch.conn, "SAVEPOINT unit"),
            (false, _) => {
                run_cached(&batch.conn, "BEGIN IMMEDIATE").and_then(|()| run_cached(&batch.conn, "SAVEPOINT unit"))
            }
        };
        match opened {
            Ok(_) => {
                batch.open = true;
                Ok(Unit { batch: Some(batch), held_since, commit_wanted: self.commit_wanted.clone() })
            }
            Err(e) => {
                // The units already in the batch are committed by the committer.
                if !batch.open {
                    let _ = batch.conn.execute_batch("ROLLBACK");
                }
                self.commit_wanted.notify_one();
                Err(e.into())
            }
        }
    }

    /// Batches and units committed so far.
    pub(crate) fn counts(&self) -> &GroupCounts {
        &self.counts
    }

    /// Commits what is pending and stops the committer.
    pub(crate) async fn close(&self) {
        commit_on_blocking_thread(self.batch.clone(), self.wal.clone()).await;
        self.committer.abort();
    }
}

impl Drop for GroupWriter {
    fn drop(&mut self) {
        self.committer.abort();
    }
}

impl Unit {
    /// The connection, inside this unit's savepoint.
    pub(crate) fn conn(&mut self) -> &mut Connection {
        &mut self.batch.as_mut().expect("a unit holds its batch until it ends").conn
    }

    /// Keeps this unit's writes and returns once the batch holding them is durable.
    ///
    /// The savepoint is released by the next unit's first round trip, or by the commit.
    pub(crate) async fn commit(self) -> Result<()> {
        let (durable, outcome) = oneshot::channel();
        self.keep(Some(durable));
        match outcome.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(StoreError::BatchFailed(reason)),
            Err(_) => Err(StoreError::BatchFailed("the writer stopped before the commit".into())),
        }
    }

    /// Keeps this unit's writes in the batch, without waiting for the batch to be committed
    /// (see [`crate::WriteTx::commit_redoable`]).
    pub(crate) fn keep_unwatched(self) {
        self.keep(None);
    }

    fn keep(mut self, durable: Option<oneshot::Sender<Result<(), String>>>) {
        let mut batch = self.batch.take().expect("a unit holds its batch until it ends");
        batch.kept = true;
        batch.waiting.extend(durable);
        add_elapsed(&batch.counts.unit_hold_micros, self.held_since);
        drop(batch);
        self.commit_wanted.notify_one();
    }
}

impl Drop for Unit {
    fn drop(&mut self) {
        if let Some(mut batch) = self.batch.take() {
            batch.abandoned = true;
            add_elapsed(&batch.counts.unit_hold_micros, self.held_since);
            drop(batch);
            self.commit_wanted.notify_one();
        }
    }
}

impl Batch {
    /// Rolls back a dropped unit. If that fails the batch's state is unknown: all of it is
    /// rolled back and its waiting units are told so.
    fn tidy(&mut self) {
        if !std::mem::take(&mut self.abandoned) {
            return;
        }
        if let Err(e) = self.conn.execute_batch("ROLLBACK TO unit; RELEASE unit") {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.open = false;
            self.kept = false;
            self.answer(Err(format!("rolling back a failed write unit failed: {e}")));
        }
    }

    /// Commits the open batch (to the WAL, not yet fsynced) and hands over the units waiting
    /// for it; `None` if no batch is open.
    fn commit(&mut self) -> Option<Committed> {
        self.tidy();
        if !self.open {
            return None;
        }
        self.open = false;
        self.kept = false;
        let outcome = match run_cached(&self.conn, "COMMIT") {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e.to_string())
            }
        };
        Some(Committed { outcome, waiting: std::mem::take(&mut self.waiting), counts: self.counts.clone() })
    }

    fn answer(&mut self, outcome: Result<(), String>) {
        for unit in self.waiting.drain(..) {
            let _ = unit.send(outcome.clone());
        }
    }
}

/// A batch committed to the WAL, with the units to answer once it is durable.
struct Committed {
    outcome: Result<(), String>,
    waiting: Vec<oneshot::Sender<Result<(), String>>>,
    counts: Arc<GroupCounts>,
}

impl Committed {
    fn answer_when_durable(self, wal: &WalFile) {
        let outcome = self.outcome.and_then(|()| {
            wal.make_durable().map_err(|e| {
                tracing::error!(error = %e, "fsync of the SQLite WAL failed: a committed batch may not be durable");
                format!("the write-ahead log could not be synced: {e}")
            })
        });
        if outcome.is_ok() {
            self.counts.batches.fetch_add(1, Ordering::Relaxed);
            self.counts.units.fetch_add(self.waiting.len() as u64, Ordering::Relaxed);
        }
        for unit in self.waiting {
            let _ = unit.send(outcome.clone());
        }
    }
}

async fn commit_when_asked(batch: Weak<Mutex<Batch>>, commit_wanted: Arc<Notify>, wal: Arc<WalFile>) {
    loop {
        commit_wanted.notified().await;
        let Some(batch) = batch.upgrade() else { return };
        commit_on_blocking_thread(batch, wal.clone()).await;
    }
}

/// Commits once the connection is free, on a blocking thread; the connection is handed to the
/// next batch before the fsync, which the batch's units wait for.
async fn commit_on_blocking_thread(batch: Arc<Mutex<Batch>>, wal: Arc<WalFile>) {
    let mut batch = batch.lock_owned().await;
    let _ = tokio::task::spawn_blocking(move || {
        let held_since = Instant::now();
        let committed = batch.commit();
        if committed.is_some() && wal.take_restart_wanted() {
            wal.restart(&batch.conn);
        }
        add_elapsed(&batch.counts.commit_hold_micros, held_since);
        drop(batch);
        if let Some(committed) = committed {
            committed.answer_when_durable(&wal);
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use crate::codec::RowExt;
    use crate::db::query;
    use crate::{Store, StoreConfig};
    use std::time::Duration;

    async fn store(dir: &tempfile::TempDir) -> Store {
        let store = Store::connect(&StoreConfig::sqlite_in(dir.path()).unwrap()).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        query("CREATE TABLE t (v BIGINT NOT NULL)").execute(tx.conn()).await.unwrap();
        let _ = tx.commit().await.unwrap();
        store
    }

    async fn insert(store: &Store, v: i64, keep: bool) -> crate::Result<()> {
        let mut tx = store.begin().await?;
        query("INSERT INTO t (v) VALUES ($1)").bind(v).execute(tx.conn()).await?;
        // Give the other units time to queue behind this one, so they share its batch.
        tokio::time::sleep(Duration::from_millis(20)).await;
        if keep {
            let _ = tx.commit().await?;
        }
        Ok(())
    }

    async fn stored(store: &Store) -> Vec<i64> {
        query("SELECT v FROM t ORDER BY v")
            .fetch_all(store.reader())
            .await
            .unwrap()
            .iter()
            .map(|r| r.int("v").unwrap())
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_unit_rolls_back_alone_and_its_batch_commits_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let units: Vec<_> = (1..=9)
            .map(|v| {
                let store = store.clone();
                tokio::spawn(async move { insert(&store, v, v % 3 != 0).await })
            })
            .collect();
        for unit in units {
            unit.await.unwrap().unwrap();
        }
        assert_eq!(stored(&store).await, vec![1, 2, 4, 5, 7, 8]);
        let counts = store.group_counts().unwrap();
        assert_eq!(counts.units(), 1 + 6, "the table, then the kept units");
        assert!(counts.batches() < counts.units(), "units queued together share a batch: {counts:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_unit_is_answered_only_once_its_writes_are_visible_to_everyone() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let units: Vec<_> = (1..=20)
            .map(|v| {
                let store = store.clone();
                tokio::spawn(async move {
                    insert(&store, v, true).await.unwrap();
                    // Another connection sees it: the batch holding it is committed.
                    let seen = query("SELECT count(*) AS n FROM t WHERE v = $1")
                        .bind(v)
                        .fetch_one(store.reader())
                        .await
                        .unwrap()
                        .int("n")
                        .unwrap();
                    assert_eq!(seen, 1, "{v} answered before its commit");
                })
            })
            .collect();
        for unit in units {
            unit.await.unwrap();
        }
        assert_eq!(stored(&store).await, (1..=20).collect::<Vec<_>>());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_checkpointer_copies_committed_writes_into_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        for v in 1..=5 {
            insert(&store, v, true).await.unwrap();
        }
        // The database file alone (as a backup that forgot the WAL would hold it) has them
        // once the background checkpoint has run; the writer itself never checkpoints.
        let copy = tempfile::tempdir().unwrap();
        let mut seen = 0;
        for _ in 0..100 {
            std::fs::copy(dir.path().join("kassa.db"), copy.path().join("kassa.db")).unwrap();
            let conn = rusqlite::Connection::open(copy.path().join("kassa.db")).unwrap();
            seen = conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)).unwrap_or(0);
            if seen == 5 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(seen, 5, "the database file has every committed row");
    }
}
