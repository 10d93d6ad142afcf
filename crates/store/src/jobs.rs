//! The `jobs` table: durable work, claimed with leases.
//!
//! A job is `pending` until its owner finishes it. Claiming sets `lock_token` and
//! `locked_until`; a job whose lease has run out (its worker crashed) is claimable again.
//! Finishing or rescheduling checks the token, so a worker that lost its lease cannot
//! overwrite the work of the one that took over.

use crate::Db;
use crate::codec::{RowExt, corrupt};
use crate::db::Row;
use crate::db::query;
use crate::{Backend, Result, Scope, WriteTx, live_flag, mode_from_flag};
pub use kassa_domain::job::{JobRecord, JobState};
use kassa_domain::{JobId, MerchantId, Mode, Timestamp};

/// A job to store.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// `job_…`
    pub id: JobId,
    /// What to do (`authorize`, `capture` …).
    pub kind: String,
    /// Whose.
    pub scope: Scope,
    /// The object it works on.
    pub target_id: String,
    /// Extra input, JSON.
    pub payload: Option<String>,
    /// Not before (µs).
    pub run_at: i64,
    /// Created claimed by the caller, who runs it at once: `(token, locked_until)`.
    pub claimed: Option<(String, i64)>,
    /// Now (µs).
    pub now: i64,
}

/// A claimed job, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// `job_…`
    pub id: JobId,
    /// What to do.
    pub kind: String,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// The object it works on.
    pub target_id: String,
    /// Extra input, JSON.
    pub payload: Option<String>,
    /// Claims so far, this one included.
    pub attempts: i64,
    /// Our claim.
    pub lock_token: String,
}

impl Job {
    /// Merchant and mode of the job.
    pub fn scope(&self) -> Scope {
        Scope { merchant_id: self.merchant_id.clone(), mode: self.mode }
    }
}

/// Stores a job; returns it claimed if it was created claimed.
pub async fn insert(tx: &mut WriteTx, job: &NewJob) -> Result<Option<Job>> {
    let (token, locked_until, attempts) = match &job.claimed {
        Some((t, until)) => (Some(t.clone()), Some(*until), 1),
        None => (None, None, 0),
    };
    query(
        "INSERT INTO jobs (id, kind, merchant_id, livemode, target_id, payload, state, run_at, locked_until, \
         lock_token, attempts, created_at, started_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10, $11, $12)",
    )
    .bind(job.id.as_str().to_owned())
    .bind(job.kind.clone())
    .bind(job.scope.merchant_id.as_str().to_owned())
    .bind(live_flag(job.scope.mode))
    .bind(job.target_id.clone())
    .bind(job.payload.clone())
    .bind(job.run_at)
    .bind(locked_until)
    .bind(token.clone())
    .bind(attempts)
    .bind(job.now)
    .bind(job.claimed.as_ref().map(|_| job.now))
    .execute(tx.conn())
    .await?;
    // A claimed job is run by its caller; any other is for the workers.
    tx.queue(crate::Queued { jobs: token.is_none(), deliveries: false });
    Ok(token.map(|lock_token| Job {
        id: job.id.clone(),
        kind: job.kind.clone(),
        merchant_id: job.scope.merchant_id.clone(),
        mode: job.scope.mode,
        target_id: job.target_id.clone(),
        payload: job.payload.clone(),
        attempts,
        lock_token,
    }))
}

/// Claims up to `limit` due jobs for `locked_until`, oldest due first.
///
/// On PostgreSQL the outer condition, re-checked on each locked row, keeps two claimers from
/// taking one job. SQLite's one writer needs no re-check, and without statistics its planner
/// would use the condition to scan every pending job instead of looking up the chosen ids.
pub async fn claim_due(tx: &mut WriteTx, now: i64, locked_until: i64, token: &str, limit: u32) -> Result<Vec<Job>> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "UPDATE jobs SET locked_until = $1, lock_token = $2, attempts = attempts + 1, started_at = COALESCE(started_at, $3) \
             WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND run_at <= $3 \
                          AND (locked_until IS NULL OR locked_until < $3) ORDER BY run_at LIMIT $4) \
             RETURNING id, kind, merchant_id, livemode, target_id, payload, attempts, lock_token"
        }
        Backend::Postgres => {
            "UPDATE jobs SET locked_until = $1, lock_token = $2, attempts = attempts + 1, started_at = COALESCE(started_at, $3) \
             WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND run_at <= $3 \
                          AND (locked_until IS NULL OR locked_until < $3) ORDER BY run_at LIMIT $4 \
                          FOR UPDATE SKIP LOCKED) \
             AND state = 'pending' AND (locked_until IS NULL OR locked_until < $3) \
             RETURNING id, kind, merchant_id, livemode, target_id, payload, attempts, lock_token"
        }
    };
    let rows = query(sql)
        .bind(locked_until)
        .bind(token.to_owned())
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(tx.conn())
        .await?;
    rows.iter().map(job_from_row).collect()
}

/// Marks a job we hold as finished. Returns `false` if we no longer hold it.
pub async fn finish(tx: &mut WriteTx, job: &Job, state: JobState, error: Option<&str>, now: i64) -> Result<bool> {
    let n = query(
        "UPDATE jobs SET state = $3, last_error = $4, finished_at = $5, locked_until = NULL \
         WHERE id = $1 AND lock_token = $2 AND state = 'pending'",
    )
    .bind(job.id.as_str().to_owned())
    .bind(job.lock_token.clone())
    .bind(state.as_str())
    .bind(error.map(str::to_owned))
    .bind(now)
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Releases a job we hold, to run again at `run_at`. Returns `false` if we no longer hold it.
pub async fn retry_at(tx: &mut WriteTx, job: &Job, run_at: i64, error: &str) -> Result<bool> {
    let n = query(
        "UPDATE jobs SET run_at = $3, locked_until = NULL, last_error = $4 \
         WHERE id = $1 AND lock_token = $2 AND state = 'pending'",
    )
    .bind(job.id.as_str().to_owned())
    .bind(job.lock_token.clone())
    .bind(run_at)
    .bind(error.to_owned())
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// When the next pending job becomes due or claimable (µs), if any is pending.
pub async fn next_wakeup<'e, E: Into<Db<'e>>>(exec: E) -> Result<Option<i64>> {
    let row = query(
        "SELECT MIN(CASE WHEN locked_until IS NOT NULL AND locked_until > run_at THEN locked_until ELSE run_at END) \
         AS wake FROM jobs WHERE state = 'pending'",
    )
    .fetch_one(exec)
    .await?;
    row.opt_int("wake")
}

/// Every job that worked on `target_id`, oldest first.
pub async fn for_target<'e, E: Into<Db<'e>>>(exec: E, target_id: &str) -> Result<Vec<JobRecord>> {
    let rows = query(
        "SELECT id, kind, state, attempts, last_error, created_at, started_at, finished_at FROM jobs \
         WHERE target_id = $1 ORDER BY created_at, id",
    )
    .bind(target_id.to_owned())
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(JobRecord {
                id: JobId::from_trusted(r.text("id")?),
                kind: r.text("kind")?,
                state: JobState::parse(&r.text("state")?).ok_or_else(|| corrupt("state", "unknown"))?,
                attempts: r.int("attempts")?,
                last_error: r.opt_text("last_error")?,
                created_at: Timestamp(r.int("created_at")?),
                started_at: r.opt_int("started_at")?.map(Timestamp),
                finished_at: r.opt_int("finished_at")?.map(Timestamp),
            })
        })
        .collect()
}

fn job_from_row(r: &Row) -> Result<Job> {
    Ok(Job {
        id: JobId::from_trusted(r.text("id")?),
        kind: r.text("kind")?,
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        mode: mode_from_flag(r.int("livemode")?),
        target_id: r.text("target_id")?,
        payload: r.opt_text("payload")?,
        attempts: r.int("attempts")?,
        lock_token: r.text("lock_token")?,
    })
}
