//! Payment intent commands and queries.

use super::error::field;
use super::list::{Order, Page, PageRequest, TimeRange, every};
use super::processing::{JobOutcome, Payload};
use super::{App, AppError, AppResult, Ctx, ErrorKind, JobKind, PaymentMethodInput};
use crate::connector::providers::Operation;
use kassa_domain::capture::{Capture, CaptureNotes};
use kassa_domain::payment_intent::{CancellationReason, CaptureMethod, NewPaymentIntent, PaymentIntentUpdate, Status};
use kassa_domain::{
    Amount, CaptureId, Currency, EventType, Invalid, Metadata, Mode, PaymentIntent, PaymentIntentId, Reference,
};
use kassa_store::jobs::{self, Job, JobRecord};
use kassa_store::{Scope, WriteTx, captures, payment_intents};

/// A create request, parsed.
#[derive(Debug)]
pub struct NewPaymentIntentInput {
    /// Amount.
    pub amount: Amount,
    /// Currency.
    pub currency: Currency,
    /// Capture method.
    pub capture_method: CaptureMethod,
    /// Payment method to attach.
    pub payment_method: Option<PaymentMethodInput>,
    /// Confirm at once.
    pub confirm: bool,
    /// Customer reference.
    pub customer: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Statement descriptor.
    pub statement_descriptor: Option<kassa_domain::contact::StatementDescriptor>,
    /// Metadata.
    pub metadata: Metadata,
    /// The merchant's own reference.
    pub reference: Option<Reference>,
    /// A saved card to charge without the customer (`tok_…` as given; needs `confirm`).
    pub token: Option<String>,
    /// What the face that asked keeps beside Kassa's fields (not the merchant's metadata).
    pub face_notes: kassa_domain::FaceNotes,
}

/// What a person searched payments for: text in an id, a reference, a customer or a
/// description, or one of these amounts exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentSearch {
    /// Text to look for.
    pub text: String,
    /// Amounts (minor units) to match exactly.
    pub amounts: Vec<i64>,
}

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct PaymentIntentFilter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only the intent with this reference.
    pub reference: Option<Reference>,
    /// Creation range (µs).
    pub created: TimeRange,
    /// What a person searched for (the dashboard).
    pub search: Option<PaymentSearch>,
}

/// The refusal of a reference another object of `kind` already has (409, not retryable with
/// another key: the merchant must pick another reference or address the existing object).
pub(crate) fn reference_in_use(kind: &str, reference: &Reference, existing: Option<&str>) -> AppError {
    let message = match existing {
        Some(id) => format!("The reference `{reference}` is already used by {kind} {id}."),
        None => format!("The reference `{reference}` is already used by another {kind}."),
    };
    AppError::new(ErrorKind::Conflict, "reference_in_use", message).with_param(field::REFERENCE)
}

pub(crate) fn parse_id(id: &str) -> AppResult<PaymentIntentId> {
    PaymentIntentId::parse(id).ok_or_else(|| AppError::not_found("payment_intent", id))
}

impl App {
    /// Creates a payment intent, and confirms it when asked to.
    pub async fn create_payment_intent(&self, ctx: &Ctx, mut input: NewPaymentIntentInput) -> AppResult<PaymentIntent> {
        if let Some(PaymentMethodInput::Connector(_)) = &input.payment_method {
            let Some(PaymentMethodInput::Connector(method)) = input.payment_method.take() else { unreachable!() };
            return self.create_through(ctx, input, *method).await;
        }
        let confirm = input.confirm;
        if input.token.is_some() && input.payment_method.is_some() {
            return Err(App::token_and_card());
        }
        if input.token.is_some() && !confirm {
            return Err(AppError::invalid_field(
                field::CONFIRM,
                Invalid::new(
                    "token_requires_confirm",
                    "A payment with a saved card is confirmed when it is created: send confirm: true.",
                ),
            ));
        }
        let card = input.payment_method.is_some();
        let tokenize = async || self.resolve_optional_payment_method(ctx, input.payment_method).await;
        let mut claimed = None;
        let pi = self
            .idempotent_after(ctx, card, tokenize, async |tx, payment_method| {
                let saved = match &input.token {
                    Some(raw) => Some(self.charge_token(tx, ctx, raw).await?),
                    None => None,
                };
                let (token, payment_method) = match saved {
                    Some((token, card)) => (Some(token), Some(card)),
                    None => (None, payment_method),
                };
                let new = NewPaymentIntent {
                    amount: input.amount,
                    currency: input.currency,
                    capture_method: input.capture_method,
                    payment_method,
                    customer: input.customer.or_else(|| token.as_ref().and_then(|t| t.customer.clone())),
                    description: input.description,
                    statement_descriptor: input.statement_descriptor,
                    metadata: input.metadata,
                    reference: input.reference,
                    token: token.as_ref().map(|t| t.id.clone()),
                    face_notes: input.face_notes,
                };
                let now = self.clock().now();
                let (mut pi, mut events) = PaymentIntent::create(
                    PaymentIntentId::generate(),
                    ctx.scope.merchant_id.clone(),
                    ctx.scope.mode,
                    new,
                    now,
                );
                if confirm {
                    events.extend(pi.confirm(None, now)?);
                }
                self.insert_payment_intent(tx, &ctx.scope, &pi).await?;
                self.record_events(tx, &ctx.cause(), &events, None, &pi, None).await?;
                if let Some(token) = &token {
                    self.record_token_event(tx, &ctx.cause(), token, EventType::TokenUsed, Some(&pi.id)).await?;
                }
                if confirm {
                    let payload = Some(Payload::caused_by(ctx.cause()));
                    claimed = self
                        .enqueue_job(
                            tx,
                            JobKind::Authorize,
                            &ctx.scope,
                            pi.id.as_str(),
                            payload,
                            ctx.awaits_authorization,
                        )
                        .await?;
                }
                Ok(pi)
            })
            .await?;
        self.authorization_awaited(ctx, pi, claimed).await
    }

    /// `pi` once the authorization job this request claimed has run (or the inline wait has
    /// passed); a decline is the request's refusal. Without a claimed job, `pi` as it is.
    async fn authorization_awaited(
        &self,
        ctx: &Ctx,
        pi: PaymentIntent,
        claimed: Option<Job>,
    ) -> AppResult<PaymentIntent> {
        let Some(job) = claimed else { return Ok(pi) };
        let outcome = self.run_inline(job).await;
        let pi = self.get_payment_intent(ctx, pi.id.as_str()).await?;
        match outcome {
            JobOutcome::Declined(failure) => {
                let mut declined = AppError::new(ErrorKind::Card, failure.code, failure.message)
                    .with_decline_code(failure.decline_code)
                    .with_current_status(pi.status.as_str());
                declined.subject = Some(pi.id.to_string());
                Err(declined)
            }
            _ => Ok(pi),
        }
    }

    /// Stores a new intent; its reference, if it has one, must be the only one of the scope.
    pub(crate) async fn insert_payment_intent(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        pi: &PaymentIntent,
    ) -> AppResult<()> {
        if let Some(reference) = &pi.reference
            && let Some(existing) = payment_intents::by_reference(tx.conn(), scope, reference).await?
        {
            return Err(reference_in_use("payment intent", reference, Some(existing.id.as_str())));
        }
        match payment_intents::insert(tx, pi).await {
            Ok(()) => Ok(()),
            // Taken by a concurrent create that committed first (PostgreSQL; SQLite's single
            // writer saw it above): name it from outside this failed transaction.
            Err(e) if e.is_unique_violation() && pi.reference.is_some() => {
                let reference = pi.reference.as_ref().expect("checked");
                let existing = payment_intents::by_reference(self.store().reader(), scope, reference).await?;
                Err(reference_in_use("payment intent", reference, existing.as_ref().map(|p| p.id.as_str())))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The payment intent with the merchant's `reference`.
    pub async fn payment_intent_by_reference(&self, ctx: &Ctx, reference: &str) -> AppResult<PaymentIntent> {
        let not_found = || AppError::not_found("payment_intent with reference", reference);
        let reference = Reference::parse(reference).map_err(|_| not_found())?;
        payment_intents::by_reference(self.store().reader(), &ctx.scope, &reference).await?.ok_or_else(not_found)
    }

    /// One payment intent.
    pub async fn get_payment_intent(&self, ctx: &Ctx, id: &str) -> AppResult<PaymentIntent> {
        let pi_id = parse_id(id)?;
        payment_intents::get(self.store().reader(), &ctx.scope, &pi_id)
            .await?
            .ok_or_else(|| AppError::not_found("payment_intent", id))
    }

    /// A payment intent and the processing jobs that worked on it, oldest first.
    pub async fn payment_intent_jobs(&self, ctx: &Ctx, id: &str) -> AppResult<(PaymentIntent, Vec<JobRecord>)> {
        let pi = self.get_payment_intent(ctx, id).await?;
        let jobs = jobs::for_target(self.store().reader(), pi.id.as_str()).await?;
        Ok((pi, jobs))
    }

    /// One page of payment intents, newest first.
    pub async fn list_payment_intents(
        &self,
        ctx: &Ctx,
        filter: &PaymentIntentFilter,
        page: PageRequest,
    ) -> AppResult<Page<PaymentIntent>> {
        let filter = payment_intents::Filter {
            status: filter.status,
            reference: filter.reference.clone(),
            created: filter.created.clone(),
            search: filter
                .search
                .as_ref()
                .map(|s| payment_intents::Search { text: s.text.clone(), amounts: s.amounts.clone() }),
        };
        Ok(payment_intents::list(self.store().reader(), &ctx.scope, &filter, &page.to_store()).await?.into())
    }

    /// Changes annotations before confirmation.
    pub async fn update_payment_intent(
        &self,
        ctx: &Ctx,
        id: &str,
        changes: PaymentIntentUpdate,
    ) -> AppResult<PaymentIntent> {
        let pi_id = parse_id(id)?;
        self.idempotent(ctx, async |tx| {
            let mut pi = payment_intents::lock(tx, &ctx.scope, &pi_id)
                .await?
                .ok_or_else(|| AppError::not_found("payment_intent", id))?;
            let events = pi.update(changes, self.clock().now())?;
            payment_intents::update(tx, &pi).await?;
            self.record_events(tx, &ctx.cause(), &events, None, &pi, None).await?;
            Ok(pi)
        })
        .await
    }

    /// Confirms: the intent goes to `processing` and an authorization job is queued. With
    /// `force_decline` (test mode only) the simulator declines it whatever the card.
    pub async fn confirm_payment_intent(
        &self,
        ctx: &Ctx,
        id: &str,
        payment_method: Option<PaymentMethodInput>,
        force_decline: bool,
    ) -> AppResult<PaymentIntent> {
        let pi_id = parse_id(id)?;
        if force_decline && ctx.scope.mode == Mode::Live {
            return Err(AppError::test_mode_only("A forced failure can only be asked for with test keys."));
        }
        if let Some(PaymentMethodInput::Connector(method)) = payment_method {
            if force_decline {
                return Err(AppError::test_mode_only("A forced failure is for card payments."));
            }
            return self.confirm_through(ctx, &pi_id, *method).await;
        }
        // A card payment: refused before anything changes where no card processor serves the mode.
        self.card_processor_for(ctx, None)?;
        let payload = Some(Payload { force_decline, ..Payload::caused_by(ctx.cause()) });
        let card = payment_method.is_some();
        let tokenize = async || self.resolve_optional_payment_method(ctx, payment_method).await;
        let mut claimed = None;
        let pi = self
            .idempotent_after(ctx, card, tokenize, async |tx, payment_method| {
                let mut pi = payment_intents::lock(tx, &ctx.scope, &pi_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("payment_intent", id))?;
                let events = pi.confirm(payment_method, self.clock().now())?;
                payment_intents::update(tx, &pi).await?;
                self.record_events(tx, &ctx.cause(), &events, None, &pi, None).await?;
                claimed = self
                    .enqueue_job(tx, JobKind::Authorize, &ctx.scope, pi.id.as_str(), payload, ctx.awaits_authorization)
                    .await?;
                Ok(pi)
            })
            .await?;
        self.authorization_awaited(ctx, pi, claimed).await
    }

    /// Captures (part of) an authorization through the processor. Answers once the processor
    /// has, or with the capture still pending if it is slow.
    pub async fn capture_payment_intent(
        &self,
        ctx: &Ctx,
        id: &str,
        amount: Option<Amount>,
        final_capture: bool,
        notes: CaptureNotes,
    ) -> AppResult<PaymentIntent> {
        let pi_id = parse_id(id)?;
        let mut job = None;
        let mut made = None;
        let applied = self
            .idempotent_applied(ctx, async |tx| {
                let mut pi = payment_intents::lock(tx, &ctx.scope, &pi_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("payment_intent", id))?;
                self.provider_can(&pi, Operation::Capture)?;
                let now = self.clock().now();
                let pending = pi.begin_capture(CaptureId::generate(), amount, final_capture, now)?;
                payment_intents::update(tx, &pi).await?;
                captures::insert(tx, &Capture::pending(&pi, &pending, notes, now)).await?;
                made = Some(pending.id.clone());
                job = self
                    .enqueue_job(
                        tx,
                        JobKind::Capture,
                        &ctx.scope,
                        pi.id.as_str(),
                        Some(Payload { capture_id: Some(pending.id), ..Payload::caused_by(ctx.cause()) }),
                        true,
                    )
                    .await?;
                Ok(pi)
            })
            .await?;
        let Some(job) = job.filter(|_| !applied.replayed) else { return Ok(applied.value) };
        let outcome = self.run_inline(job).await;
        let result = match self.get_payment_intent(ctx, id).await {
            Ok(pi) => match outcome {
                JobOutcome::Declined(failure) => {
                    Err(AppError::new(ErrorKind::Card, failure.code.clone(), failure.message.clone())
                        .with_decline_code(failure.decline_code.clone())
                        .with_current_status(pi.status.as_str()))
                }
                // A concurrent capture may have followed: the answer names the one this request made.
                _ => Ok(PaymentIntent { latest_capture: made.or(pi.latest_capture.clone()), ..pi }),
            },
            Err(e) => Err(e),
        };
        self.finish_idempotent(ctx, &applied, &result).await?;
        result
    }

    /// A payment intent's captures, oldest first.
    pub async fn payment_intent_captures(
        &self,
        ctx: &Ctx,
        id: &str,
        mut page: PageRequest,
    ) -> AppResult<Page<Capture>> {
        let pi = self.get_payment_intent(ctx, id).await?;
        page.order = Order::OldestFirst;
        Ok(captures::list_for_intent(self.store().reader(), &ctx.scope, &pi.id, &page.to_store()).await?.into())
    }

    /// Every capture of a payment intent, oldest first.
    pub async fn all_captures_of(&self, ctx: &Ctx, id: &str) -> AppResult<Vec<Capture>> {
        every(Order::OldestFirst, |page| self.payment_intent_captures(ctx, id, page)).await
    }

    /// One capture.
    pub async fn get_capture(&self, ctx: &Ctx, id: &str) -> AppResult<Capture> {
        let not_found = || AppError::not_found("capture", id);
        let id = CaptureId::parse(id).ok_or_else(not_found)?;
        captures::get(self.store().reader(), &ctx.scope, &id).await?.ok_or_else(not_found)
    }

    /// Changes what the merchant said about a capture: its description, its metadata (merged)
    /// and the face notes written over its own.
    pub async fn update_capture(
        &self,
        ctx: &Ctx,
        id: &str,
        description: Option<String>,
        metadata: Option<std::collections::BTreeMap<String, String>>,
        face_notes: kassa_domain::FaceNotes,
    ) -> AppResult<Capture> {
        let not_found = || AppError::not_found("capture", id);
        let cap_id = CaptureId::parse(id).ok_or_else(not_found)?;
        self.idempotent(ctx, async |tx| {
            let mut capture = captures::get(tx.conn(), &ctx.scope, &cap_id).await?.ok_or_else(not_found)?;
            // Changes to a capture are made with its payment intent locked.
            payment_intents::lock(tx, &ctx.scope, &capture.payment_intent_id).await?;
            if let Some(m) = metadata {
                capture.metadata =
                    capture.metadata.merged(m).map_err(|e| AppError::invalid_field(field::METADATA, e))?;
            }
            if description.is_some() {
                capture.description = description;
            }
            capture.face_notes.update(face_notes);
            capture.updated_at = self.clock().now();
            captures::update_notes(tx, &capture).await?;
            Ok(capture)
        })
        .await
    }

    /// One page of every capture, newest first.
    pub async fn list_captures(&self, ctx: &Ctx, page: PageRequest) -> AppResult<Page<Capture>> {
        Ok(captures::list(self.store().reader(), &ctx.scope, &page.to_store()).await?.into())
    }

    /// Cancels; an authorization still held is released at the processor in the background.
    pub async fn cancel_payment_intent(
        &self,
        ctx: &Ctx,
        id: &str,
        reason: Option<CancellationReason>,
    ) -> AppResult<PaymentIntent> {
        let pi_id = parse_id(id)?;
        let mut job = None;
        let pi = self
            .idempotent(ctx, async |tx| {
                let mut pi = payment_intents::lock(tx, &ctx.scope, &pi_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("payment_intent", id))?;
                let before = pi.clone();
                // At a provider, what the customer may still approve is released too.
                let at_provider = before.status == Status::RequiresAction;
                if at_provider || before.status == Status::RequiresCapture {
                    self.provider_can(&pi, Operation::Cancel)?;
                }
                let outcome = pi.cancel(reason, self.clock().now())?;
                payment_intents::update(tx, &pi).await?;
                self.record_events(tx, &ctx.cause(), &outcome.events, Some(&before), &pi, None).await?;
                self.close_session_of_canceled(tx, &ctx.cause(), &pi.id).await?;
                if !outcome.released.is_zero() || at_provider {
                    let payload = Some(Payload { amount: Some(outcome.released.get()), ..Payload::default() });
                    job = self.enqueue_job(tx, JobKind::Void, &ctx.scope, pi.id.as_str(), payload, true).await?;
                }
                Ok(pi)
            })
            .await?;
        if let Some(job) = job.filter(|_| !ctx.was_replayed()) {
            let app = self.clone();
            tokio::spawn(async move { app.run_job(job).await });
        }
        Ok(pi)
    }
}
