//! The `idempotency_keys` table.
//!
//! A key moves `started` (reserved, nothing done yet) → `applied` (the mutation committed,
//! follow-up work still running) → `done` (final outcome stored). `lock_token` says which
//! request owns the key; `locked_until` is how long it may hold it before another request may
//! take over a `started` key (its owner crashed before changing anything).

use crate::codec::RowExt;
use crate::db::query;
use crate::{Result, Scope, WriteTx, live_flag};

/// A key's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Reserved; the mutation has not committed.
    Started,
    /// The mutation committed; the outcome is stored but follow-up work may still run.
    Applied,
    /// Final.
    Done,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Started => "started",
            State::Applied => "applied",
            State::Done => "done",
        }
    }

    fn parse(s: &str) -> Option<State> {
        match s {
            "started" => Some(State::Started),
            "applied" => Some(State::Applied),
            "done" => Some(State::Done),
            _ => None,
        }
    }
}

/// A key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// Hash of the request that first used the key.
    pub fingerprint: String,
    /// Progress.
    pub state: State,
    /// The owner's token.
    pub lock_token: String,
    /// End of the owner's lease (µs).
    pub locked_until: i64,
    /// The stored outcome (JSON), once applied.
    pub outcome: Option<String>,
    /// The answer as the first request's face rendered it, once written.
    pub answer: Option<Answer>,
}

/// An answer as it was sent: what a replay sends again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// Its `Content-Type`, if it had one.
    pub content_type: Option<String>,
    /// The body.
    pub body: String,
}

/// What [`reserve`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// The key was free and is now ours.
    Reserved,
    /// Another request used the key first.
    Existing(KeyRecord),
}

/// A new reservation.
pub struct NewKey<'a> {
    /// Merchant and mode.
    pub scope: &'a Scope,
    /// The `Idempotency-Key` header.
    pub key: &'a str,
    /// Hash of method, path and body.
    pub fingerprint: &'a str,
    /// Our token.
    pub lock_token: &'a str,
    /// End of our lease (µs).
    pub locked_until: i64,
    /// The reserving request.
    pub request_id: &'a str,
    /// Now (µs).
    pub now: i64,
}

/// Reserves the key, or returns the record of whoever has it.
pub async fn reserve(tx: &mut WriteTx, k: &NewKey<'_>) -> Result<Reservation> {
    let inserted = query(
        "INSERT INTO idempotency_keys (merchant_id, livemode, idempotency_key, fingerprint, state, lock_token, \
         locked_until, outcome, request_id, created_at) VALUES ($1, $2, $3, $4, 'started', $5, $6, NULL, $7, $8) \
         ON CONFLICT (merchant_id, livemode, idempotency_key) DO NOTHING",
    )
    .bind(k.scope.merchant_id.as_str().to_owned())
    .bind(live_flag(k.scope.mode))
    .bind(k.key.to_owned())
    .bind(k.fingerprint.to_owned())
    .bind(k.lock_token.to_owned())
    .bind(k.locked_until)
    .bind(k.request_id.to_owned())
    .bind(k.now)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Reservation::Reserved);
    }
    let existing = find(tx, k.scope, k.key).await?;
    existing
        .map(Reservation::Existing)
        .ok_or_else(|| crate::codec::corrupt("idempotency_key", "vanished after a conflict"))
}

/// The key's record, if it has one.
pub async fn find(tx: &mut WriteTx, scope: &Scope, key: &str) -> Result<Option<KeyRecord>> {
    let row = query(
        "SELECT k.fingerprint, k.state, k.lock_token, k.locked_until, k.outcome, a.status AS answer_status, \
         a.content_type AS answer_type, a.body AS answer_body \
         FROM idempotency_keys k LEFT JOIN idempotency_answers a ON a.merchant_id = k.merchant_id \
         AND a.livemode = k.livemode AND a.idempotency_key = k.idempotency_key \
         WHERE k.merchant_id = $1 AND k.livemode = $2 AND k.idempotency_key = $3",
    )
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .bind(key.to_owned())
    .fetch_optional(tx.conn())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(KeyRecord {
        fingerprint: row.text("fingerprint")?,
        state: State::parse(&row.text("state")?).ok_or_else(|| crate::codec::corrupt("state", "unknown"))?,
        lock_token: row.text("lock_token")?,
        locked_until: row.int("locked_until")?,
        outcome: row.opt_text("outcome")?,
        answer: match (row.opt_int("answer_status")?, row.opt_text("answer_body")?) {
            (Some(status), Some(body)) => Some(Answer {
                status: u16::try_from(status).map_err(|e| crate::codec::corrupt("answer_status", e))?,
                content_type: row.opt_text("answer_type")?,
                body,
            }),
            _ => None,
        },
    }))
}

/// Stores a key together with its outcome, in the transaction that did the work: one row
/// written once, where [`reserve`] then [`record`] write it twice. `false` if another
/// transaction stored the key first (on PostgreSQL, after waiting for it to commit; on
/// SQLite's one writer, never after [`find`] found none in this transaction).
pub async fn insert_settled(
    tx: &mut WriteTx,
    k: &NewKey<'_>,
    state: State,
    outcome: &str,
    locked_until: i64,
) -> Result<bool> {
    let inserted = query(
        "INSERT INTO idempotency_keys (merchant_id, livemode, idempotency_key, fingerprint, state, lock_token, \
         locked_until, outcome, request_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (merchant_id, livemode, idempotency_key) DO NOTHING",
    )
    .bind(k.scope.merchant_id.as_str().to_owned())
    .bind(live_flag(k.scope.mode))
    .bind(k.key.to_owned())
    .bind(k.fingerprint.to_owned())
    .bind(state.as_str())
    .bind(k.lock_token.to_owned())
    .bind(locked_until)
    .bind(outcome.to_owned())
    .bind(k.request_id.to_owned())
    .bind(k.now)
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Takes over a `started` key whose owner's lease has run out (it crashed before changing
/// anything). Returns `false` if someone else got there first.
pub async fn take_over(tx: &mut WriteTx, k: &NewKey<'_>, previous_token: &str) -> Result<bool> {
    let n = query(
        "UPDATE idempotency_keys SET lock_token = $4, locked_until = $5, request_id = $6 \
         WHERE merchant_id = $1 AND livemode = $2 AND idempotency_key = $3 AND state = 'started' \
         AND lock_token = $7 AND locked_until < $8",
    )
    .bind(k.scope.merchant_id.as_str().to_owned())
    .bind(live_flag(k.scope.mode))
    .bind(k.key.to_owned())
    .bind(k.lock_token.to_owned())
    .bind(k.locked_until)
    .bind(k.request_id.to_owned())
    .bind(previous_token.to_owned())
    .bind(k.now)
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Records the outcome, if we still own the key. Called inside the mutation's transaction, so
/// the outcome commits with the change or not at all. Returns `false` if we lost the key.
pub async fn record(
    tx: &mut WriteTx,
    scope: &Scope,
    key: &str,
    lock_token: &str,
    state: State,
    outcome: &str,
    locked_until: i64,
) -> Result<bool> {
    let n = query(
        "UPDATE idempotency_keys SET state = $5, outcome = $6, locked_until = $7 \
         WHERE merchant_id = $1 AND livemode = $2 AND idempotency_key = $3 AND lock_token = $4",
    )
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .bind(key.to_owned())
    .bind(lock_token.to_owned())
    .bind(state.as_str())
    .bind(outcome.to_owned())
    .bind(locked_until)
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Keeps the answer a finished request gave, if the key is still ours and final (`done`).
/// Returns `false` if it was not kept.
pub async fn record_answer(
    tx: &mut WriteTx,
    scope: &Scope,
    key: &str,
    lock_token: &str,
    answer: &Answer,
) -> Result<bool> {
    let n = query(
        "INSERT INTO idempotency_answers (merchant_id, livemode, idempotency_key, status, content_type, body) \
         SELECT merchant_id, livemode, idempotency_key, $5, $6, $7 FROM idempotency_keys \
         WHERE merchant_id = $1 AND livemode = $2 AND idempotency_key = $3 AND lock_token = $4 AND state = 'done' \
         ON CONFLICT (merchant_id, livemode, idempotency_key) DO NOTHING",
    )
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .bind(key.to_owned())
    .bind(lock_token.to_owned())
    .bind(i64::from(answer.status))
    .bind(answer.content_type.clone())
    .bind(answer.body.clone())
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Frees a `started` key we own (our request failed before changing anything and the failure
/// should not be replayed), so a retry can run.
pub async fn release(tx: &mut WriteTx, scope: &Scope, key: &str, lock_token: &str) -> Result<()> {
    query(
        "DELETE FROM idempotency_keys WHERE merchant_id = $1 AND livemode = $2 AND idempotency_key = $3 \
         AND lock_token = $4 AND state = 'started'",
    )
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .bind(key.to_owned())
    .bind(lock_token.to_owned())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Deletes keys created before `cutoff` (µs). Returns how many.
pub async fn reap(tx: &mut WriteTx, cutoff: i64) -> Result<u64> {
    query(
        "DELETE FROM idempotency_answers WHERE (merchant_id, livemode, idempotency_key) IN \
         (SELECT merchant_id, livemode, idempotency_key FROM idempotency_keys WHERE created_at < $1)",
    )
    .bind(cutoff)
    .execute(tx.conn())
    .await?;
    let n = query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(cutoff).execute(tx.conn()).await?;
    Ok(n.rows_affected())
}
