//! Idempotency keys: the same key and request get the same answer, and the change behind it
//! happens exactly once, whatever crashes in between.
//!
//! 1. Reserve the key in a short transaction (or find who has it: replay a finished outcome,
//!    answer 409 while its owner still holds it, 422 if it came with a different request).
//! 2. Run the command's transaction, and record the outcome in that same transaction, only
//!    if we still own the key. The change and its outcome commit together or not at all.
//! 3. A command whose work continues after its transaction (an inline capture) records
//!    `applied` in step 2 and the final outcome afterwards; if it dies in between, a retry
//!    after the lease gets the applied outcome, and the durable job finishes the work.
//!
//! A request that crashes after step 1 leaves a `started` key that changed nothing; once its
//! lease runs out, a retry takes the key over and runs.
//!
//! Steps 1 and 2 share one transaction (one commit) unless a step outside the transaction
//! must run in between (tokenizing a card at the processor, which a replay must not repeat):
//! then the key is reserved first, in a transaction of its own. In one transaction a crash
//! leaves neither key nor change, and a duplicate arriving meanwhile waits for the first
//! (SQLite's single writer; PostgreSQL's unique index) and replays its answer. A key found
//! free is written once, with its outcome, at the end of the work, instead of reserved then
//! updated. On SQLite nobody can take it meanwhile (one writer); on PostgreSQL a duplicate
//! running at the same time finds it free too, and the second to insert it waits for the
//! first to commit, rolls its own work back and replays the first's answer (or, if its work
//! was refused because the first had changed things, replays instead of the refusal).

use super::{Answer, App, AppError, AppResult, Ctx, ErrorKind, IdempotencyKey};
use kassa_store::WriteTx;
use kassa_store::idempotency::{self as keys, KeyRecord, NewKey, Reservation, State};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// How far the idempotent part of a command goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// The transaction is the whole command.
    Done,
    /// Work continues after the transaction; call [`App::finish_idempotent`] when it ends.
    Applied,
}

/// A stored outcome.
#[derive(Serialize, Deserialize)]
enum Stored<T> {
    Ok(T),
    Err(AppError),
}

enum Claim {
    Ours,
    /// Another request's: its stored outcome, and its answer as sent when that was kept.
    Replay(Option<String>, Option<Answer>),
}

/// The result of the transactional part of a [`Stage::Applied`] command.
pub(crate) struct Applied<T> {
    /// The outcome of the transaction (or the replayed one).
    pub value: T,
    /// `true` if `value` was replayed: the follow-up work belongs to the first request.
    pub replayed: bool,
    token: Option<String>,
}

impl App {
    /// Runs `work` in a write transaction, exactly once per idempotency key of `ctx`.
    pub(crate) async fn idempotent<T, F>(&self, ctx: &Ctx, work: F) -> AppResult<T>
    where
        T: Serialize + DeserializeOwned,
        F: AsyncFnOnce(&mut WriteTx) -> AppResult<T>,
    {
        let nothing = async || Ok(());
        Ok(self.run_idempotent(ctx, Stage::Done, false, nothing, async |tx, ()| work(tx).await).await?.value)
    }

    /// Like [`App::idempotent`], with a step outside the transaction (a call to the processor,
    /// such as tokenizing a card) that runs only once the key is ours: a replay never repeats
    /// it. Its deterministic errors are recorded for replays like the work's. `outside` says
    /// whether `prepare` calls out this time; if not, it runs first and the command takes the
    /// one-transaction path.
    pub(crate) async fn idempotent_after<P, T, Prep, F>(
        &self,
        ctx: &Ctx,
        outside: bool,
        prepare: Prep,
        work: F,
    ) -> AppResult<T>
    where
        T: Serialize + DeserializeOwned,
        Prep: AsyncFnOnce() -> AppResult<P>,
        F: AsyncFnOnce(&mut WriteTx, P) -> AppResult<T>,
    {
        Ok(self.run_idempotent(ctx, Stage::Done, outside, prepare, work).await?.value)
    }

    /// Like [`App::idempotent`] for a command whose work continues after its transaction;
    /// pass the result to [`App::finish_idempotent`] when that work ends.
    pub(crate) async fn idempotent_applied<T, F>(&self, ctx: &Ctx, work: F) -> AppResult<Applied<T>>
    where
        T: Serialize + DeserializeOwned,
        F: AsyncFnOnce(&mut WriteTx) -> AppResult<T>,
    {
        let nothing = async || Ok(());
        self.run_idempotent(ctx, Stage::Applied, false, nothing, async |tx, ()| work(tx).await).await
    }

    async fn run_idempotent<P, T, Prep, F>(
        &self,
        ctx: &Ctx,
        stage: Stage,
        outside: bool,
        prepare: Prep,
        work: F,
    ) -> AppResult<Applied<T>>
    where
        T: Serialize + DeserializeOwned,
        Prep: AsyncFnOnce() -> AppResult<P>,
        F: AsyncFnOnce(&mut WriteTx, P) -> AppResult<T>,
    {
        let Some(key) = &ctx.idempotency else {
            let prepared = prepare().await?;
            let mut tx = self.store().begin().await?;
            let value = work(&mut tx, prepared).await?;
            self.commit(tx).await?;
            return Ok(Applied { value, replayed: false, token: None });
        };
        let token = self.lease_token();
        if !outside {
            return self.run_in_one_transaction(ctx, key, stage, token, prepare().await?, work).await;
        }
        if let Claim::Replay(outcome, answer) = self.claim(ctx, key, &token).await? {
            return self.replayed(ctx, outcome, answer);
        }
        let prepared = match prepare().await {
            Ok(prepared) => prepared,
            Err(error) => return self.settle_failure(ctx, key, &token, error).await,
        };
        let mut tx = self.store().begin().await?;
        match work(&mut tx, prepared).await {
            Ok(value) => {
                if !self.record_success(&mut tx, ctx, key, &token, stage, &value).await? {
                    // Our lease ran out and another request took the key: it does the work.
                    return Err(in_flight());
                }
                self.commit(tx).await?;
                Ok(self.applied_here(ctx, stage, value, token))
            }
            Err(error) => {
                drop(tx);
                self.settle_failure(ctx, key, &token, error).await
            }
        }
    }

    /// Claim, work and outcome in one transaction: one commit.
    async fn run_in_one_transaction<P, T, F>(
        &self,
        ctx: &Ctx,
        key: &IdempotencyKey,
        stage: Stage,
        token: String,
        prepared: P,
        work: F,
    ) -> AppResult<Applied<T>>
    where
        T: Serialize + DeserializeOwned,
        F: AsyncFnOnce(&mut WriteTx, P) -> AppResult<T>,
    {
        let mut tx = self.store().begin().await?;
        let new = self.new_key(ctx, key, &token);
        let (claim, fresh) = match keys::find(&mut tx, &ctx.scope, &key.key).await? {
            None => (Claim::Ours, true),
            Some(existing) => (self.judge(&mut tx, &new, key, existing).await?, false),
        };
        if let Claim::Replay(outcome, answer) = claim {
            // The outcome may be in SQLite's open batch, or committed and not yet fsynced:
            // committing this (empty) unit answers only once what it saw is durable.
            self.commit(tx).await?;
            return self.replayed(ctx, outcome, answer);
        }
        match work(&mut tx, prepared).await {
            Ok(value) => {
                if fresh {
                    let outcome = encode(&Stored::Ok(&value));
                    let written =
                        keys::insert_settled(&mut tx, &new, state_after(stage), &outcome, self.lease_end()).await?;
                    if !written {
                        // A duplicate running beside us (PostgreSQL) committed the key first.
                        drop(tx);
                        return self.answer_of_first(ctx, key, &token).await;
                    }
                } else if !self.record_success(&mut tx, ctx, key, &token, stage, &value).await? {
                    return Err(AppError::internal("an idempotency key reserved in this transaction was lost"));
                }
                self.commit(tx).await?;
                Ok(self.applied_here(ctx, stage, value, token))
            }
            Err(error) => {
                // The key went with the rollback. A final refusal is kept for replays; one that
                // invites a retry leaves the key free for it. Either way, a duplicate running
                // beside us may have taken the key first: then its answer is ours.
                drop(tx);
                let claim = if error.is_final() {
                    self.remember_refusal(ctx, key, &token, &error).await?
                } else {
                    self.look_for_another(ctx, key).await?
                };
                if let Claim::Replay(outcome, answer) = claim {
                    return self.replayed(ctx, outcome, answer);
                }
                Err(error)
            }
        }
    }

    /// The answer of the request that took `key` while ours ran: its outcome if it has one,
    /// else 409 (it is still running; a retry gets its answer).
    async fn answer_of_first<T: DeserializeOwned>(
        &self,
        ctx: &Ctx,
        key: &IdempotencyKey,
        token: &str,
    ) -> AppResult<Applied<T>> {
        let mut tx = self.store().begin().await?;
        match self.claim_in(&mut tx, ctx, key, token).await? {
            Claim::Replay(outcome, answer) => {
                self.commit(tx).await?;
                self.replayed(ctx, outcome, answer)
            }
            // Ours after all (its owner had crashed, or rolled back): our work is gone with
            // our rollback, so give the key back and let the retry this answer asks for run.
            Claim::Ours => {
                keys::release(&mut tx, &ctx.scope, &key.key, token).await?;
                self.commit(tx).await?;
                Err(in_flight())
            }
        }
    }

    fn replayed<T: DeserializeOwned>(
        &self,
        ctx: &Ctx,
        outcome: Option<String>,
        answer: Option<Answer>,
    ) -> AppResult<Applied<T>> {
        let answer = answer.or_else(|| {
            let key = ctx.idempotency.as_ref()?;
            self.inner.answers.pending(&ctx.scope, &key.key)
        });
        ctx.mark_replayed(answer);
        Ok(Applied { value: decode(outcome)?, replayed: true, token: None })
    }

    /// The result of work that ran under our key; a final outcome makes this request's
    /// answer the one to keep.
    fn applied_here<T>(&self, ctx: &Ctx, stage: Stage, value: T, token: String) -> Applied<T> {
        if stage == Stage::Done {
            ctx.mark_settled(&token);
        }
        Applied { value, replayed: false, token: Some(token) }
    }

    /// After work refused with an invitation to retry under a key we found free: the answer
    /// of a duplicate that took the key meanwhile (PostgreSQL runs them side by side), if any.
    async fn look_for_another(&self, ctx: &Ctx, key: &IdempotencyKey) -> AppResult<Claim> {
        let mut tx = self.store().begin().await?;
        let found = keys::find(&mut tx, &ctx.scope, &key.key).await?;
        self.commit(tx).await?;
        let now = self.clock().now().micros();
        match found {
            None => Ok(Claim::Ours),
            // Its owner crashed before changing anything (we had taken it over, then rolled back).
            Some(rec) if rec.state == State::Started && rec.locked_until <= now => Ok(Claim::Ours),
            Some(rec) if rec.fingerprint != key.fingerprint => Err(mismatch()),
            Some(rec) if rec.state == State::Done || (rec.state == State::Applied && rec.locked_until <= now) => {
                Ok(Claim::Replay(rec.outcome, rec.answer.map(answer_of)))
            }
            Some(_) => Err(in_flight()),
        }
    }

    /// Keeps `answer`, the answer this request's face sent, as its key's for replays, when
    /// this request gave the key its final outcome. Written after the outcome, off the
    /// request's path and without waiting for the disk (`answers.rs`): a crash that loses it
    /// leaves replays to render the stored outcome.
    pub fn keep_answer(&self, ctx: &Ctx, answer: Answer) {
        let (Some(key), Some(token)) = (&ctx.idempotency, ctx.token_of_answer_to_keep()) else { return };
        self.inner.answers.keep(self.store(), &ctx.scope, &key.key, &token, answer);
    }

    /// Records `value` as the key's outcome in `tx` (`applied` with a lease while work goes on
    /// after the transaction); `false` if the key is no longer ours.
    async fn record_success<T: Serialize>(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx,
        key: &IdempotencyKey,
        token: &str,
        stage: Stage,
        value: &T,
    ) -> AppResult<bool> {
        let outcome = encode(&Stored::Ok(value));
        Ok(keys::record(tx, &ctx.scope, &key.key, token, state_after(stage), &outcome, self.lease_end()).await?)
    }

    /// Stores a refusal as the key's outcome, unless another request has the key by now:
    /// then what that request answered, if it has ended.
    async fn remember_refusal(
        &self,
        ctx: &Ctx,
        key: &IdempotencyKey,
        token: &str,
        error: &AppError,
    ) -> AppResult<Claim> {
        let mut tx = self.store().begin().await?;
        let claim = self.claim_in(&mut tx, ctx, key, token).await?;
        if let Claim::Ours = claim {
            let outcome = encode(&Stored::<()>::Err(self.stamped(ctx, error.clone())));
            keys::record(&mut tx, &ctx.scope, &key.key, token, State::Done, &outcome, self.clock().now().micros())
                .await?;
        }
        self.commit(tx).await?;
        if let Claim::Ours = claim {
            ctx.mark_settled(token);
        }
        Ok(claim)
    }

    /// Records the final outcome of a command that ran with [`App::idempotent_applied`].
    pub(crate) async fn finish_idempotent<T, U: Serialize>(
        &self,
        ctx: &Ctx,
        applied: &Applied<T>,
        result: &AppResult<U>,
    ) -> AppResult<()> {
        let (Some(key), Some(token)) = (&ctx.idempotency, &applied.token) else { return Ok(()) };
        let outcome = match result {
            Ok(value) => encode(&Stored::Ok(value)),
            Err(e) if e.is_final() => encode(&Stored::<U>::Err(self.stamped(ctx, e.clone()))),
            // A fault after the change: replays keep the applied outcome.
            Err(_) => return Ok(()),
        };
        let mut tx = self.store().begin().await?;
        keys::record(&mut tx, &ctx.scope, &key.key, token, State::Done, &outcome, self.clock().now().micros()).await?;
        self.commit(tx).await?;
        ctx.mark_settled(token);
        Ok(())
    }

    /// Deletes the keys created before `cutoff` (µs); returns how many.
    pub async fn reap_idempotency_keys(&self, cutoff: i64) -> AppResult<u64> {
        let mut tx = self.store().begin().await?;
        let reaped = keys::reap(&mut tx, cutoff).await?;
        self.commit(tx).await?;
        Ok(reaped)
    }

    fn lease_end(&self) -> i64 {
        self.clock().now().plus_millis(self.idempotency_config().lease.as_millis() as i64).micros()
    }

    /// Reserves the key for this request in a transaction of its own, or finds the answer it
    /// already has.
    async fn claim(&self, ctx: &Ctx, key: &IdempotencyKey, token: &str) -> AppResult<Claim> {
        let mut tx = self.store().begin().await?;
        let claim = self.claim_in(&mut tx, ctx, key, token).await?;
        self.commit(tx).await?;
        Ok(claim)
    }

    /// [`App::claim`] inside the caller's transaction.
    async fn claim_in(&self, tx: &mut WriteTx, ctx: &Ctx, key: &IdempotencyKey, token: &str) -> AppResult<Claim> {
        let new = self.new_key(ctx, key, token);
        match keys::reserve(tx, &new).await? {
            Reservation::Reserved => Ok(Claim::Ours),
            Reservation::Existing(existing) => self.judge(tx, &new, key, existing).await,
        }
    }

    /// What a request may do with a key another request used first: replay its outcome, take
    /// it over (its owner's lease ran out before it changed anything), or be refused.
    async fn judge(
        &self,
        tx: &mut WriteTx,
        new: &NewKey<'_>,
        key: &IdempotencyKey,
        rec: KeyRecord,
    ) -> AppResult<Claim> {
        let now = new.now;
        Ok(match rec.state {
            _ if rec.fingerprint != key.fingerprint => return Err(mismatch()),
            State::Done => Claim::Replay(rec.outcome, rec.answer.map(answer_of)),
            State::Applied if rec.locked_until <= now => Claim::Replay(rec.outcome, None),
            State::Started if rec.locked_until <= now && keys::take_over(tx, new, &rec.lock_token).await? => {
                Claim::Ours
            }
            _ => return Err(in_flight()),
        })
    }

    fn new_key<'a>(&self, ctx: &'a Ctx, key: &'a IdempotencyKey, token: &'a str) -> NewKey<'a> {
        NewKey {
            scope: &ctx.scope,
            key: &key.key,
            fingerprint: &key.fingerprint,
            lock_token: token,
            locked_until: self.lease_end(),
            request_id: ctx.request_id.as_str(),
            now: self.clock().now().micros(),
        }
    }

    /// After a failed command: remember a deterministic error for replays; otherwise free the
    /// key so the request can be retried.
    async fn settle_failure<T>(&self, ctx: &Ctx, key: &IdempotencyKey, token: &str, error: AppError) -> AppResult<T> {
        let mut tx = self.store().begin().await?;
        if error.is_final() {
            let outcome = encode(&Stored::<()>::Err(self.stamped(ctx, error.clone())));
            keys::record(&mut tx, &ctx.scope, &key.key, token, State::Done, &outcome, self.clock().now().micros())
                .await?;
        } else {
            keys::release(&mut tx, &ctx.scope, &key.key, token).await?;
        }
        self.commit(tx).await?;
        if error.is_final() {
            ctx.mark_settled(token);
        }
        Err(error)
    }

    fn stamped(&self, ctx: &Ctx, mut error: AppError) -> AppError {
        error.request_id.get_or_insert_with(|| ctx.request_id.to_string());
        error
    }
}

fn answer_of(kept: keys::Answer) -> Answer {
    Answer { status: kept.status, content_type: kept.content_type, body: kept.body }
}

fn state_after(stage: Stage) -> State {
    if stage == Stage::Done { State::Done } else { State::Applied }
}

fn encode<T: Serialize>(value: &Stored<T>) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn decode<T: DeserializeOwned>(outcome: Option<String>) -> AppResult<T> {
    let outcome = outcome.ok_or_else(|| AppError::internal("idempotency key finished without an outcome"))?;
    match serde_json::from_str::<Stored<T>>(&outcome) {
        Ok(Stored::Ok(value)) => Ok(value),
        Ok(Stored::Err(error)) => Err(error),
        Err(e) => Err(AppError::internal(format!("stored idempotent outcome unreadable: {e}"))),
    }
}

fn in_flight() -> AppError {
    AppError::new(
        ErrorKind::IdempotencyInFlight,
        "idempotency_key_in_use",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
    )
    .with_retry_after(1)
}

fn mismatch() -> AppError {
    AppError::new(
        ErrorKind::IdempotencyMismatch,
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request (method, path or body); \
         use a new key for a new request.",
    )
}
