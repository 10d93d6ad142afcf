//! Captures: each taking of held funds is a record of its own, with its amount, time and status,
//! and the refunds made against it.
//!
//! A capture is created `pending` when the merchant asks (or `succeeded` at once when an
//! automatic payment's authorization captures), and settled by the processor. Like refunds,
//! its changes are driven through the payment intent, which owns the totals and is locked while
//! they change.

use crate::id::{CaptureId, MerchantId, PaymentIntentId};
use crate::merchant::Mode;
use crate::metadata::Metadata;
use crate::money::{Amount, Currency, MinorUnits};
use crate::payment_intent::{PaymentFailure, PaymentIntent, PendingCapture, TransitionError};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Where a capture stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureStatus {
    /// Sent to the processor.
    Pending,
    /// The funds were taken.
    Succeeded,
    /// The processor refused; the authorization is unchanged.
    Failed,
}

impl CaptureStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureStatus::Pending => "pending",
            CaptureStatus::Succeeded => "succeeded",
            CaptureStatus::Failed => "failed",
        }
    }

    /// Reads a wire name.
    pub fn from_name(s: &str) -> Option<CaptureStatus> {
        [CaptureStatus::Pending, CaptureStatus::Succeeded, CaptureStatus::Failed].into_iter().find(|c| c.as_str() == s)
    }
}

/// What the merchant may say about a capture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptureNotes {
    /// Free text.
    pub description: Option<String>,
    /// Annotations.
    pub metadata: Metadata,
    /// What the face that asked keeps of it beside Kassa's fields.
    pub face_notes: crate::FaceNotes,
}

/// One capture of a payment intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// `cap_…`
    pub id: CaptureId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// The payment captured.
    pub payment_intent_id: PaymentIntentId,
    /// How much.
    pub amount: Amount,
    /// The payment's currency.
    pub currency: Currency,
    /// Where it stands.
    pub status: CaptureStatus,
    /// Whether it released the rest of the authorization.
    pub final_capture: bool,
    /// Refunded from this capture.
    pub amount_refunded: MinorUnits,
    /// Refunds of this capture in progress.
    pub amount_refund_pending: MinorUnits,
    /// Free text.
    pub description: Option<String>,
    /// Annotations.
    pub metadata: Metadata,
    /// What a face remembers of it that Kassa has no field for (not the merchant's metadata).
    #[serde(default, skip_serializing_if = "crate::FaceNotes::is_empty")]
    pub face_notes: crate::FaceNotes,
    /// Why the processor refused it.
    pub failure: Option<PaymentFailure>,
    /// Asked for.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Capture {
    /// The record of a capture just asked for.
    pub fn pending(pi: &PaymentIntent, pending: &PendingCapture, notes: CaptureNotes, now: Timestamp) -> Capture {
        Capture {
            id: pending.id.clone(),
            merchant_id: pi.merchant_id.clone(),
            mode: pi.mode,
            payment_intent_id: pi.id.clone(),
            amount: pending.amount,
            currency: pi.currency,
            status: CaptureStatus::Pending,
            final_capture: pending.final_capture,
            amount_refunded: MinorUnits::ZERO,
            amount_refund_pending: MinorUnits::ZERO,
            description: notes.description,
            metadata: notes.metadata,
            face_notes: notes.face_notes,
            failure: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// The record of the capture an automatic payment's authorization made: its whole amount,
    /// at once. `None` unless the intent has just captured that way.
    pub fn automatic(pi: &PaymentIntent, now: Timestamp) -> Option<Capture> {
        let id = pi.latest_capture.clone()?;
        let amount = pi.amount_captured.as_amount()?;
        Some(Capture {
            id,
            merchant_id: pi.merchant_id.clone(),
            mode: pi.mode,
            payment_intent_id: pi.id.clone(),
            amount,
            currency: pi.currency,
            status: CaptureStatus::Succeeded,
            final_capture: true,
            amount_refunded: MinorUnits::ZERO,
            amount_refund_pending: MinorUnits::ZERO,
            description: None,
            metadata: Metadata::default(),
            face_notes: crate::FaceNotes::default(),
            failure: None,
            created_at: now,
            updated_at: now,
        })
    }

    /// The processor took the funds.
    pub fn succeeded(&mut self, now: Timestamp) {
        self.status = CaptureStatus::Succeeded;
        self.updated_at = now;
    }

    /// The processor refused.
    pub fn failed(&mut self, failure: PaymentFailure, now: Timestamp) {
        self.status = CaptureStatus::Failed;
        self.failure = Some(failure);
        self.updated_at = now;
    }

    /// What can still be refunded from this capture.
    pub fn refundable(&self) -> MinorUnits {
        if self.status != CaptureStatus::Succeeded {
            return MinorUnits::ZERO;
        }
        self.amount
            .units()
            .checked_sub(self.amount_refunded)
            .and_then(|rest| rest.checked_sub(self.amount_refund_pending))
            .unwrap_or_default()
    }

    /// Reserves `amount` for a refund of this capture.
    pub(crate) fn reserve_refund(&mut self, amount: Amount, now: Timestamp) -> Result<(), TransitionError> {
        let refundable = self.refundable();
        if amount.units() > refundable {
            return Err(TransitionError::RefundExceedsCapture {
                refundable: crate::money::Money::new(refundable, self.currency),
            });
        }
        self.amount_refund_pending =
            self.amount_refund_pending.checked_add(amount.units()).ok_or(TransitionError::NotPending)?;
        self.updated_at = now;
        Ok(())
    }

    /// Settles a refund of `amount` from this capture: refunded, or released.
    pub(crate) fn settle_refund(
        &mut self,
        amount: Amount,
        succeeded: bool,
        now: Timestamp,
    ) -> Result<(), TransitionError> {
        self.amount_refund_pending =
            self.amount_refund_pending.checked_sub(amount.units()).ok_or(TransitionError::NotPending)?;
        if succeeded {
            self.amount_refunded =
                self.amount_refunded.checked_add(amount.units()).ok_or(TransitionError::NotPending)?;
        }
        self.updated_at = now;
        Ok(())
    }
}
