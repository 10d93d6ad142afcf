//! Durable jobs: the only place the processor connector is called.
//!
//! A job is stored in the transaction that needs it (confirm stores `authorize`, capture
//! stores `capture` …). Running one is: read the state, ask the connector with the job's id as
//! idempotency key (no transaction held while waiting on the network), then, in one
//! transaction, finish the job and apply the answer to the payment. Finishing checks the
//! job's lease token, so if this worker stalled and another took the job over, only one of
//! them applies the (identical) answer.
//!
//! No answer (timeout, lost connection) reschedules the job with exponential backoff; after
//! `max_attempts` the payment is failed with `processing_error`.

use super::{App, AppError, AppResult, Cause};
use crate::connector::providers::Operation;
use crate::connector::{AdjustRequest, AuthorizeRequest, ConnectorError, Decision};
use kassa_domain::capture::{Capture, CaptureNotes};
use kassa_domain::payment_intent::{CaptureMethod, PaymentFailure, Status};
use kassa_domain::refund::RefundStatus;
use kassa_domain::token::{SavedCard, TokenStatus};
use kassa_domain::{CaptureId, Currency, JobId, PaymentIntent, PaymentIntentId, Refund, RefundId, TokenId};
use kassa_store::jobs::{self, Job, JobState, NewJob};
use kassa_store::{Scope, WriteTx, captures, payment_intents, refunds, tokens};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tracing::Instrument;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Authorize a confirmed payment intent (and capture it, for automatic capture).
    Authorize,
    /// Capture the pending capture of a payment intent.
    Capture,
    /// Release what is left of an authorization after a cancel.
    Void,
    /// Return a pending refund's money.
    Refund,
    /// Verify a setup session's card (a zero authorization) and settle its token.
    VerifyCard,
    /// Open a payment at the provider of its connector, for the customer to approve there.
    OpenPayment,
    /// Ask the provider whether the customer approved, until they have decided.
    FollowPayment,
}

impl JobKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Authorize => "authorize",
            JobKind::Capture => "capture",
            JobKind::Void => "void",
            JobKind::Refund => "refund",
            JobKind::VerifyCard => "verify_card",
            JobKind::OpenPayment => "open_payment",
            JobKind::FollowPayment => "follow_payment",
        }
    }

    fn parse(s: &str) -> Option<JobKind> {
        [
            JobKind::Authorize,
            JobKind::Capture,
            JobKind::Void,
            JobKind::Refund,
            JobKind::VerifyCard,
            JobKind::OpenPayment,
            JobKind::FollowPayment,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Extra input of a job, stored with it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Payload {
    /// `capture`: the pending capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_id: Option<CaptureId>,
    /// `void`: the amount released.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// `authorize`, test mode: ask the simulator to decline (fault injection).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_decline: bool,
    /// `verify_card`: the card collected by the setup session (its network token, never the
    /// number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<SavedCard>,
    /// `verify_card` of a card given through the API (no session to take it from): the
    /// currency of the zero-amount check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The request that queued the job, named by the events it writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// `follow_payment`: how many times the provider was asked before.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub polls: u32,
    /// `follow_payment`: when to stop waiting for the customer (µs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Payload {
    /// A payload that only names the request that queued the job.
    pub(crate) fn caused_by(cause: Cause) -> Payload {
        Payload { cause: Some(cause), ..Payload::default() }
    }
}

/// How a run of a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// The work is done (or turned out to be unnecessary).
    Done,
    /// The processor refused.
    Declined(PaymentFailure),
    /// No answer yet; the job will run again.
    Retrying,
    /// Another worker holds the job now.
    Lost,
}

/// Why a step did not finish.
pub(crate) enum StepError {
    /// The processor did not answer.
    Unavailable(ConnectorError),
    /// Kassa failed (database …); retried like an outage.
    Internal(AppError),
}

impl From<AppError> for StepError {
    fn from(e: AppError) -> Self {
        StepError::Internal(e)
    }
}

impl From<kassa_store::StoreError> for StepError {
    fn from(e: kassa_store::StoreError) -> Self {
        StepError::Internal(e.into())
    }
}

impl From<ConnectorError> for StepError {
    fn from(e: ConnectorError) -> Self {
        StepError::Unavailable(e)
    }
}

impl App {
    /// Stores a job. A `claimed` job is reserved for the caller, who runs it at once with
    /// [`App::run_inline`]; otherwise the workers are woken for it after the commit.
    pub(crate) async fn enqueue_job(
        &self,
        tx: &mut WriteTx,
        kind: JobKind,
        scope: &Scope,
        target: &str,
        payload: Option<Payload>,
        claimed: bool,
    ) -> AppResult<Option<Job>> {
        self.enqueue_job_in(tx, kind, scope, target, payload, claimed, Duration::ZERO).await
    }

    /// [`App::enqueue_job`] for a job not to run before `delay` has passed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn enqueue_job_in(
        &self,
        tx: &mut WriteTx,
        kind: JobKind,
        scope: &Scope,
        target: &str,
        payload: Option<Payload>,
        claimed: bool,
        delay: Duration,
    ) -> AppResult<Option<Job>> {
        let now = self.clock().now();
        let payload = payload.map(|payload| serde_json::to_string(&payload)).transpose().map_err(AppError::internal)?;
        let lease_end = now.plus_millis(self.job_config().lease.as_millis() as i64).micros();
        let job = NewJob {
            id: JobId::generate(),
            kind: kind.as_str().to_owned(),
            scope: scope.clone(),
            target_id: target.to_owned(),
            payload,
            run_at: now.plus_millis(delay.as_millis() as i64).micros(),
            claimed: claimed.then(|| (self.lease_token(), lease_end)),
            now: now.micros(),
        };
        Ok(jobs::insert(tx, &job).await?)
    }

    /// Claims up to `limit` due jobs for this node.
    pub async fn claim_jobs(&self, limit: u32) -> AppResult<Vec<Job>> {
        let now = self.clock().now();
        let lease_end = now.plus_millis(self.job_config().lease.as_millis() as i64);
        let mut tx = self.store().begin().await?;
        let claimed = jobs::claim_due(&mut tx, now.micros(), lease_end.micros(), &self.lease_token(), limit).await?;
        self.commit(tx).await?;
        Ok(claimed)
    }

    /// How long until a pending job may become claimable, if any is pending.
    pub async fn next_job_due_in(&self) -> AppResult<Option<Duration>> {
        let wake = jobs::next_wakeup(self.store().reader()).await?;
        let now = self.clock().now().micros();
        Ok(wake.map(|w| Duration::from_micros(w.saturating_sub(now).max(0) as u64)))
    }

    /// Runs a job claimed by the current request in the background and waits for it up to
    /// the configured time. If it takes longer it carries on, and the caller answers with the
    /// operation still pending.
    pub(crate) async fn run_inline(&self, job: Job) -> JobOutcome {
        let app = self.clone();
        let running = tokio::spawn(async move { app.run_job(job).await });
        match tokio::time::timeout(self.job_config().inline_wait, running).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(panicked)) => {
                tracing::error!(error = %panicked, "inline job panicked");
                JobOutcome::Retrying
            }
            Err(_) => JobOutcome::Retrying,
        }
    }

    /// Runs one claimed job to an outcome. Never fails: problems reschedule the job.
    pub async fn run_job(&self, job: Job) -> JobOutcome {
        // `instrument`, not `span.enter()`: an entered guard held across `.await` corrupts the
        // span stack of whatever task the worker thread polls next (and, in debug builds,
        // panics in the subscriber and drops that task's connection).
        let span =
            tracing::info_span!("job", id = %job.id, kind = %job.kind, target = %job.target_id, attempt = job.attempts);
        self.run_job_steps(job).instrument(span).await
    }

    async fn run_job_steps(&self, job: Job) -> JobOutcome {
        let result = match JobKind::parse(&job.kind) {
            Some(JobKind::Authorize) => self.authorize(&job).await,
            Some(JobKind::Capture) => self.capture(&job).await,
            Some(JobKind::Void) => self.void(&job).await,
            Some(JobKind::Refund) => self.refund(&job).await,
            Some(JobKind::VerifyCard) => self.verify_card(&job).await,
            Some(JobKind::OpenPayment) => self.open_at_provider(&job).await,
            Some(JobKind::FollowPayment) => self.follow_at_provider(&job).await,
            None => Err(StepError::Internal(AppError::internal(format!("unknown job kind {}", job.kind)))),
        };
        match result {
            Ok(outcome) => outcome,
            Err(StepError::Unavailable(e)) => self.reschedule(&job, &e.to_string()).await,
            Err(StepError::Internal(e)) => self.reschedule(&job, &e.to_string()).await,
        }
    }

    async fn reschedule(&self, job: &Job, error: &str) -> JobOutcome {
        let config = self.job_config();
        let result = if job.attempts >= config.max_attempts {
            tracing::warn!(error, "job gave up after {} attempts", job.attempts);
            self.give_up(job, error).await
        } else {
            let exponent = u32::try_from(job.attempts.saturating_sub(1)).unwrap_or(u32::MAX).min(20);
            let ceiling = config.base_backoff.saturating_mul(2u32.saturating_pow(exponent)).min(config.max_backoff);
            // Jitter spreads the retries of jobs that failed together.
            let delay = ceiling.mul_f64(rand::rng().random_range(0.5..=1.0));
            tracing::info!(error, retry_in_ms = delay.as_millis() as u64, "job will retry");
            let run_at = self.clock().now().plus_millis(delay.as_millis() as i64).micros();
            async {
                let mut tx = self.store().begin().await?;
                jobs::retry_at(&mut tx, job, run_at, error).await?;
                self.commit(tx).await?;
                Ok::<_, AppError>(JobOutcome::Retrying)
            }
            .await
        };
        result.unwrap_or_else(|e| {
            // Could not even reschedule: the lease will run out and another worker retries.
            tracing::error!(error = %e, "job could not be rescheduled");
            JobOutcome::Retrying
        })
    }

    /// Out of attempts: settle the payment as failed so it does not stay `processing`.
    async fn give_up(&self, job: &Job, error: &str) -> AppResult<JobOutcome> {
        let failure = PaymentFailure {
            code: "processing_error".into(),
            decline_code: None,
            message: "The payment processor could not be reached; please try again.".into(),
        };
        let scope = job.scope();
        let cause = payload(job).ok().and_then(|p| p.cause).unwrap_or_default();
        let kind = JobKind::parse(&job.kind);
        if kind == Some(JobKind::VerifyCard) {
            // The card could not be verified: it is not saved.
            let token = TokenId::from_trusted(job.target_id.clone());
            return self
                .settle(job, JobState::Failed, Some(error), async |app: &App, tx: &mut WriteTx| {
                    app.follow_setup(tx, &scope, &token, None).await
                })
                .await
                .map(
                    |settled| if settled == JobOutcome::Done { JobOutcome::Declined(failure.clone()) } else { settled },
                );
        }
        self.settle(job, JobState::Failed, Some(error), async |app: &App, tx: &mut WriteTx| {
            let (mut pi, refund) = match kind {
                Some(JobKind::Refund) => {
                    let Some(refund) =
                        refunds::lock(tx, &scope, &RefundId::from_trusted(job.target_id.clone())).await?
                    else {
                        return Ok(());
                    };
                    let pi = lock_intent(tx, &scope, &refund.payment_intent_id).await?;
                    (pi, Some(refund))
                }
                _ => (lock_intent(tx, &scope, &PaymentIntentId::from_trusted(job.target_id.clone())).await?, None),
            };
            let before = pi.clone();
            let now = app.clock().now();
            let through_connector = matches!(kind, Some(JobKind::OpenPayment | JobKind::FollowPayment));
            if through_connector && pi.connector.is_none() {
                // The attempt it followed is over; the payment's next one is not its to fail.
                return Ok(());
            }
            if kind == Some(JobKind::FollowPayment) && pi.status == Status::RequiresAction {
                // The customer may still approve: whatever the provider holds is released.
                app.enqueue_job(tx, JobKind::Void, &scope, pi.id.as_str(), None, false).await?;
            }
            let (transition, capture) = match (kind, refund) {
                (Some(JobKind::Authorize | JobKind::OpenPayment | JobKind::FollowPayment), _) => {
                    (pi.authorization_failed(failure.clone(), now).map(|e| (e, None)), None)
                }
                (Some(JobKind::Capture), _) => match pi.pending_capture.clone() {
                    Some(p) => {
                        let mut record = app.capture_record(tx, &before, &p.id).await?;
                        record.failed(failure.clone(), now);
                        (pi.capture_failed(&p.id, failure.clone(), now).map(|e| (e, None)), Some(record))
                    }
                    None => return Ok(()),
                },
                (Some(JobKind::Refund), Some(mut refund)) => {
                    let mut capture = app.capture_of(tx, &scope, &refund).await?;
                    let transition = pi.refund_failed(&mut refund, capture.as_mut(), failure.clone(), now);
                    (transition.map(|e| (e, Some(refund))), capture)
                }
                _ => return Ok(()),
            };
            app.apply(tx, &cause, &before, &pi, transition, capture).await
        })
        .await
        .map(|settled| if settled == JobOutcome::Done { JobOutcome::Declined(failure.clone()) } else { settled })
    }

    /// Finishes `job` and applies `work` in one transaction, if the job is still ours.
    pub(crate) async fn settle<F>(
        &self,
        job: &Job,
        state: JobState,
        error: Option<&str>,
        work: F,
    ) -> AppResult<JobOutcome>
    where
        F: AsyncFnOnce(&App, &mut WriteTx) -> AppResult<()>,
    {
        let mut tx = self.store().begin().await?;
        if !jobs::finish(&mut tx, job, state, error, self.clock().now().micros()).await? {
            return Ok(JobOutcome::Lost);
        }
        work(self, &mut tx).await?;
        self.commit(tx).await?;
        Ok(JobOutcome::Done)
    }

    /// Writes a transition's result: the intent, the refund it touched, and their events.
    /// A transition refused because the state moved on (a stale job) changes nothing.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn apply(
        &self,
        tx: &mut WriteTx,
        cause: &Cause,
        before: &PaymentIntent,
        pi: &PaymentIntent,
        transition: Result<
            (Vec<kassa_domain::EventType>, Option<kassa_domain::Refund>),
            kassa_domain::payment_intent::TransitionError,
        >,
        capture: Option<Capture>,
    ) -> AppResult<()> {
        match transition {
            Ok((events, refund)) => {
                payment_intents::update(tx, pi).await?;
                if let Some(r) = &refund {
                    refunds::update(tx, r).await?;
                }
                if let Some(c) = &capture {
                    self.save_capture(tx, c).await?;
                }
                self.record_events(tx, cause, &events, Some(before), pi, refund.as_ref()).await?;
                self.follow_checkout(tx, pi).await
            }
            Err(e) => {
                tracing::warn!(error = %e, payment_intent = %pi.id, "job result no longer applies");
                Ok(())
            }
        }
    }

    /// Writes a capture record, new or changed.
    async fn save_capture(&self, tx: &mut WriteTx, capture: &Capture) -> AppResult<()> {
        let scope = Scope { merchant_id: capture.merchant_id.clone(), mode: capture.mode };
        if captures::get(tx.conn(), &scope, &capture.id).await?.is_some() {
            captures::update(tx, capture).await?;
        } else {
            captures::insert(tx, capture).await?;
        }
        Ok(())
    }

    /// The record of `before`'s pending capture `id`: stored, or (for a capture asked for
    /// before captures were records) made from the intent.
    async fn capture_record(&self, tx: &mut WriteTx, before: &PaymentIntent, id: &CaptureId) -> AppResult<Capture> {
        let scope = Scope { merchant_id: before.merchant_id.clone(), mode: before.mode };
        if let Some(stored) = captures::get(tx.conn(), &scope, id).await? {
            return Ok(stored);
        }
        let pending = before
            .pending_capture
            .as_ref()
            .filter(|p| &p.id == id)
            .ok_or_else(|| AppError::internal(format!("no record of capture {id}")))?;
        Ok(Capture::pending(before, pending, CaptureNotes::default(), before.updated_at))
    }

    /// The capture a refund names, if it names one.
    async fn capture_of(&self, tx: &mut WriteTx, scope: &Scope, refund: &Refund) -> AppResult<Option<Capture>> {
        match &refund.capture_id {
            Some(id) => Ok(captures::get(tx.conn(), scope, id).await?),
            None => Ok(None),
        }
    }

    async fn authorize(&self, job: &Job) -> Result<JobOutcome, StepError> {
        let scope = job.scope();
        let cause = payload(job)?.cause.unwrap_or_default();
        let id = PaymentIntentId::from_trusted(job.target_id.clone());
        let pi = read_intent(self, &scope, &id).await?;
        let Some(payment_method) = pi.payment_method.clone().filter(|_| pi.status == Status::Processing) else {
            return Ok(self.settle(job, JobState::Succeeded, None, async |_: &App, _: &mut WriteTx| Ok(())).await?);
        };
        let decision = self
            .card_processor(scope.mode)?
            .authorize(AuthorizeRequest {
                idempotency_key: job.id.to_string(),
                reference: pi.id.to_string(),
                network_token: payment_method.network_token,
                amount: pi.amount.get(),
                currency: pi.currency,
                capture: pi.capture_method == CaptureMethod::Automatic,
                force_decline: payload(job)?.force_decline,
            })
            .await?;
        let settled = self
            .settle(job, JobState::Succeeded, None, async |app: &App, tx: &mut WriteTx| {
                let mut pi = lock_intent(tx, &scope, &id).await?;
                let before = pi.clone();
                let now = app.clock().now();
                let transition = match &decision {
                    Decision::Approved(auth) => pi.authorized(auth.clone(), now),
                    Decision::Declined(failure) => pi.authorization_failed(failure.clone(), now),
                };
                // An automatic payment captures with its authorization: that capture's record.
                let capture = match &decision {
                    Decision::Approved(_) => Capture::automatic(&pi, now),
                    Decision::Declined(_) => None,
                };
                app.apply(tx, &cause, &before, &pi, transition.map(|e| (e, None)), capture).await
            })
            .await?;
        Ok(outcome_of(settled, decision))
    }

    async fn capture(&self, job: &Job) -> Result<JobOutcome, StepError> {
        let scope = job.scope();
        let cause = payload(job)?.cause.unwrap_or_default();
        let id = PaymentIntentId::from_trusted(job.target_id.clone());
        let capture_id = payload(job)?.capture_id;
        let pi = read_intent(self, &scope, &id).await?;
        let (Some(pending), Some(auth)) =
            (pi.pending_capture.clone().filter(|p| Some(&p.id) == capture_id.as_ref()), pi.authorization.clone())
        else {
            return Ok(self.settle(job, JobState::Succeeded, None, async |_: &App, _: &mut WriteTx| Ok(())).await?);
        };
        let decision = match &pi.connector {
            Some(payment) => {
                self.adjust_at_provider(&scope, &pi, payment, Operation::Capture, job, pending.amount.get()).await?
            }
            None => {
                self.card_processor(scope.mode)?
                    .capture(AdjustRequest {
                        idempotency_key: job.id.to_string(),
                        reference: pi.id.to_string(),
                        authorization_id: auth.id,
                        amount: pending.amount.get(),
                    })
                    .await?
            }
        };
        let settled = self
            .settle(job, JobState::Succeeded, None, async |app: &App, tx: &mut WriteTx| {
                let mut pi = lock_intent(tx, &scope, &id).await?;
                let before = pi.clone();
                let now = app.clock().now();
                let mut record = app.capture_record(tx, &before, &pending.id).await?;
                let transition = match &decision {
                    Decision::Approved(()) => {
                        record.succeeded(now);
                        pi.capture_succeeded(&pending.id, now)
                    }
                    Decision::Declined(failure) => {
                        record.failed(failure.clone(), now);
                        pi.capture_failed(&pending.id, failure.clone(), now)
                    }
                };
                app.apply(tx, &cause, &before, &pi, transition.map(|e| (e, None)), Some(record)).await
            })
            .await?;
        Ok(outcome_of(settled, decision))
    }

    async fn void(&self, job: &Job) -> Result<JobOutcome, StepError> {
        let scope = job.scope();
        let pi = read_intent(self, &scope, &PaymentIntentId::from_trusted(job.target_id.clone())).await?;
        let amount = payload(job)?.amount.unwrap_or(0);
        let decision = match (&pi.connector, pi.authorization.clone()) {
            // Whatever the provider holds (an approval that came late included) is released.
            (Some(payment), _) if payment.reference.is_some() => {
                self.adjust_at_provider(&scope, &pi, payment, Operation::Cancel, job, amount).await?
            }
            (None, Some(auth)) => {
                self.card_processor(scope.mode)?
                    .void(AdjustRequest {
                        idempotency_key: job.id.to_string(),
                        reference: pi.id.to_string(),
                        authorization_id: auth.id,
                        amount,
                    })
                    .await?
            }
            _ => {
                return Ok(self
                    .settle(job, JobState::Succeeded, None, async |_: &App, _: &mut WriteTx| Ok(()))
                    .await?);
            }
        };
        if let Decision::Declined(f) = &decision {
            tracing::warn!(code = %f.code, payment_intent = %pi.id, "the network refused to release an authorization");
        }
        let settled = self.settle(job, JobState::Succeeded, None, async |_: &App, _: &mut WriteTx| Ok(())).await?;
        Ok(outcome_of(settled, decision))
    }

    async fn refund(&self, job: &Job) -> Result<JobOutcome, StepError> {
        let scope = job.scope();
        let cause = payload(job)?.cause.unwrap_or_default();
        let refund_id = RefundId::from_trusted(job.target_id.clone());
        let refund = refunds::get(self.store().reader(), &scope, &refund_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("job for missing refund {refund_id}")))?;
        let pi = read_intent(self, &scope, &refund.payment_intent_id).await?;
        let (RefundStatus::Pending, Some(auth)) = (refund.status, pi.authorization.clone()) else {
            return Ok(self.settle(job, JobState::Succeeded, None, async |_: &App, _: &mut WriteTx| Ok(())).await?);
        };
        let decision = match &pi.connector {
            Some(payment) => {
                self.adjust_at_provider(&scope, &pi, payment, Operation::Refund, job, refund.amount.get()).await?
            }
            None => {
                self.card_processor(scope.mode)?
                    .refund(AdjustRequest {
                        idempotency_key: job.id.to_string(),
                        reference: pi.id.to_string(),
                        authorization_id: auth.id,
                        amount: refund.amount.get(),
                    })
                    .await?
            }
        };
        let settled = self
            .settle(job, JobState::Succeeded, None, async |app: &App, tx: &mut WriteTx| {
                let Some(mut refund) = refunds::lock(tx, &scope, &refund_id).await? else { return Ok(()) };
                let mut pi = lock_intent(tx, &scope, &refund.payment_intent_id).await?;
                let before = pi.clone();
                let now = app.clock().now();
                let mut capture = app.capture_of(tx, &scope, &refund).await?;
                let transition = match &decision {
                    Decision::Approved(()) => pi.refund_succeeded(&mut refund, capture.as_mut(), now),
                    Decision::Declined(failure) => {
                        pi.refund_failed(&mut refund, capture.as_mut(), failure.clone(), now)
                    }
                };
                app.apply(tx, &cause, &before, &pi, transition.map(|e| (e, Some(refund))), capture).await
            })
            .await?;
        Ok(outcome_of(settled, decision))
    }
}

impl App {
    async fn verify_card(&self, job: &Job) -> Result<JobOutcome, StepError> {
        let scope = job.scope();
        let token_id = TokenId::from_trusted(job.target_id.clone());
        let token = tokens::get(self.store().reader(), &scope, &token_id).await?;
        let (Some(card), Some(_)) =
            (payload(job)?.card, token.filter(|t| t.status == TokenStatus::RequiresAuthorization))
        else {
            return Ok(self.settle(job, JobState::Succeeded, None, async |_: &App, _: &mut WriteTx| Ok(())).await?);
        };
        let payload = payload(job)?;
        let currency = match payload.currency {
            Some(currency) => currency,
            None => kassa_store::checkout::session_of_token(self.store().reader(), &token_id)
                .await?
                .map(|s| s.currency)
                .ok_or_else(|| AppError::internal("token without its session"))?,
        };
        let decision = self
            .card_processor(scope.mode)?
            .authorize(AuthorizeRequest {
                idempotency_key: job.id.to_string(),
                reference: token_id.to_string(),
                network_token: card.network_token.clone(),
                amount: 0,
                currency,
                capture: false,
                force_decline: false,
            })
            .await?;
        let verified = matches!(decision, Decision::Approved(_)).then_some(card);
        let settled = self
            .settle(job, JobState::Succeeded, None, async |app: &App, tx: &mut WriteTx| {
                app.follow_setup(tx, &scope, &token_id, verified).await
            })
            .await?;
        Ok(outcome_of(settled, decision))
    }
}

pub(crate) fn outcome_of<T>(settled: JobOutcome, decision: Decision<T>) -> JobOutcome {
    match (settled, decision) {
        (JobOutcome::Done, Decision::Declined(f)) => JobOutcome::Declined(f),
        (other, _) => other,
    }
}

pub(crate) fn payload(job: &Job) -> Result<Payload, StepError> {
    match &job.payload {
        Some(text) => serde_json::from_str(text).map_err(|e| StepError::Internal(AppError::internal(e))),
        None => Ok(Payload::default()),
    }
}

pub(crate) async fn read_intent(app: &App, scope: &Scope, id: &PaymentIntentId) -> Result<PaymentIntent, StepError> {
    payment_intents::get(app.store().reader(), scope, id)
        .await?
        .ok_or_else(|| StepError::Internal(AppError::internal(format!("job for missing payment intent {id}"))))
}

pub(crate) async fn lock_intent(tx: &mut WriteTx, scope: &Scope, id: &PaymentIntentId) -> AppResult<PaymentIntent> {
    payment_intents::lock(tx, scope, id)
        .await?
        .ok_or_else(|| AppError::internal(format!("job for missing payment intent {id}")))
}
