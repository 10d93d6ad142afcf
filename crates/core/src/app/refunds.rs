//! Refund commands and queries.

use super::error::field;
use super::list::{Order, Page, PageRequest, TimeRange, every};
use super::payment_intents::parse_id;
use super::{App, AppError, AppResult, Ctx, JobKind};
use kassa_domain::payment_intent::NewRefund;
use kassa_domain::refund::RefundReason;
use kassa_domain::{Amount, CaptureId, Invalid, Metadata, PaymentIntentId, Refund, RefundId};
use kassa_store::{captures, payment_intents, refunds};
use std::collections::BTreeMap;

/// A refund request, parsed.
#[derive(Debug)]
pub struct NewRefundInput {
    /// The payment intent's id as given.
    pub payment_intent: String,
    /// The capture to refund, as given; `None` for any captured amount.
    pub capture: Option<String>,
    /// Amount; `None` for everything refundable (of the capture, when one is named).
    pub amount: Option<Amount>,
    /// Why.
    pub reason: Option<RefundReason>,
    /// Metadata.
    pub metadata: Metadata,
    /// What the face that asked keeps beside Kassa's fields (not the merchant's metadata).
    pub face_notes: kassa_domain::FaceNotes,
}

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct RefundFilter {
    /// Only refunds of this payment intent.
    pub payment_intent: Option<PaymentIntentId>,
    /// Creation range (µs).
    pub created: TimeRange,
}

fn parse_refund_id(id: &str) -> AppResult<RefundId> {
    RefundId::parse(id).ok_or_else(|| AppError::not_found("refund", id))
}

impl App {
    /// Refunds (part of) a payment's captured funds through the processor. The amount is
    /// reserved in the same transaction that checks it, so concurrent refunds can never
    /// exceed what was captured. Answers once the processor has, or with the refund pending.
    pub async fn create_refund(&self, ctx: &Ctx, input: NewRefundInput) -> AppResult<Refund> {
        let pi_id = parse_id(&input.payment_intent).map_err(|e| e.with_param(field::PAYMENT_INTENT))?;
        let new = NewRefund {
            id: RefundId::generate(),
            amount: input.amount,
            reason: input.reason,
            metadata: input.metadata,
            face_notes: input.face_notes,
        };
        let mut job = None;
        let applied = self
            .idempotent_applied(ctx, async |tx| {
                let mut pi = payment_intents::lock(tx, &ctx.scope, &pi_id).await?.ok_or_else(|| {
                    AppError::not_found("payment_intent", &input.payment_intent).with_param(field::PAYMENT_INTENT)
                })?;
                let mut capture = match &input.capture {
                    Some(raw) => {
                        let not_found = || AppError::not_found("capture", raw).with_param(field::CAPTURE);
                        let id = CaptureId::parse(raw).ok_or_else(not_found)?;
                        let capture = captures::get(tx.conn(), &ctx.scope, &id).await?.ok_or_else(not_found)?;
                        if capture.payment_intent_id != pi.id {
                            return Err(AppError::invalid_field(
                                field::CAPTURE,
                                Invalid::new(
                                    "capture_of_another_payment",
                                    format!("Capture {raw} is not of {}.", pi.id),
                                ),
                            ));
                        }
                        Some(capture)
                    }
                    None => None,
                };
                self.provider_can(&pi, crate::connector::providers::Operation::Refund)?;
                let (refund, events) = pi.begin_refund(new, capture.as_mut(), self.clock().now())?;
                payment_intents::update(tx, &pi).await?;
                if let Some(capture) = &capture {
                    captures::update(tx, capture).await?;
                }
                refunds::insert(tx, &refund).await?;
                self.record_events(tx, &ctx.cause(), &events, None, &pi, Some(&refund)).await?;
                let payload = Some(super::processing::Payload::caused_by(ctx.cause()));
                job = self.enqueue_job(tx, JobKind::Refund, &ctx.scope, refund.id.as_str(), payload, true).await?;
                Ok(refund)
            })
            .await?;
        let Some(job) = job.filter(|_| !applied.replayed) else { return Ok(applied.value) };
        self.run_inline(job).await;
        let result = self.get_refund(ctx, applied.value.id.as_str()).await;
        self.finish_idempotent(ctx, &applied, &result).await?;
        result
    }

    /// One refund.
    pub async fn get_refund(&self, ctx: &Ctx, id: &str) -> AppResult<Refund> {
        let refund_id = parse_refund_id(id)?;
        refunds::get(self.store().reader(), &ctx.scope, &refund_id)
            .await?
            .ok_or_else(|| AppError::not_found("refund", id))
    }

    /// Every refund of a payment intent, oldest first.
    pub async fn all_refunds_of(&self, ctx: &Ctx, payment_intent: &PaymentIntentId) -> AppResult<Vec<Refund>> {
        let filter = RefundFilter { payment_intent: Some(payment_intent.clone()), ..Default::default() };
        every(Order::OldestFirst, |page| self.list_refunds(ctx, &filter, page)).await
    }

    /// One page of refunds, newest first.
    pub async fn list_refunds(&self, ctx: &Ctx, filter: &RefundFilter, page: PageRequest) -> AppResult<Page<Refund>> {
        let filter = refunds::Filter { payment_intent: filter.payment_intent.clone(), created: filter.created.clone() };
        Ok(refunds::list(self.store().reader(), &ctx.scope, &filter, &page.to_store()).await?.into())
    }

    /// Merges metadata into a refund, and writes face notes over its own.
    pub async fn update_refund(
        &self,
        ctx: &Ctx,
        id: &str,
        metadata: Option<BTreeMap<String, String>>,
        face_notes: kassa_domain::FaceNotes,
    ) -> AppResult<Refund> {
        let refund_id = parse_refund_id(id)?;
        self.idempotent(ctx, async |tx| {
            let mut refund =
                refunds::lock(tx, &ctx.scope, &refund_id).await?.ok_or_else(|| AppError::not_found("refund", id))?;
            if let Some(changes) = metadata {
                refund.metadata =
                    refund.metadata.merged(changes).map_err(|e| AppError::invalid_field(field::METADATA, e))?;
            }
            refund.face_notes.update(face_notes);
            refund.updated_at = self.clock().now();
            refunds::update(tx, &refund).await?;
            let pi = payment_intents::get(tx.conn(), &ctx.scope, &refund.payment_intent_id)
                .await?
                .ok_or_else(|| AppError::internal("refund without its payment intent"))?;
            let events = [kassa_domain::EventType::RefundUpdated];
            self.record_events(tx, &ctx.cause(), &events, None, &pi, Some(&refund)).await?;
            Ok(refund)
        })
        .await
    }
}
