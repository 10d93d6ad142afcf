//! Refunds: money returned from a payment's captured funds.
//!
//! A refund is created `pending` with its amount reserved against the payment intent (see
//! [`crate::payment_intent::PaymentIntent::begin_refund`]), then settled by the processor.
//! Its transitions are driven through the payment intent, which owns the totals.

use crate::id::{CaptureId, MerchantId, PaymentIntentId, RefundId};
use crate::merchant::Mode;
use crate::metadata::Metadata;
use crate::money::{Amount, Currency};
use crate::payment_intent::PaymentFailure;
use crate::time::Timestamp;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Sent to the processor; its amount is reserved.
    Pending,
    /// The money was returned.
    Succeeded,
    /// The processor refused; the reservation was released.
    Failed,
}

impl RefundStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Failed => "failed",
        }
    }

    /// Reads a wire name.
    pub fn from_name(s: &str) -> Option<RefundStatus> {
        [RefundStatus::Pending, RefundStatus::Succeeded, RefundStatus::Failed].into_iter().find(|r| r.as_str() == s)
    }
}

/// Why the merchant refunded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// The customer asked for it.
    RequestedByCustomer,
    /// The payment was a duplicate.
    Duplicate,
    /// The payment was fraudulent.
    Fraudulent,
    /// The customer never received what was paid for.
    ProductNotReceived,
    /// What the customer received was not acceptable.
    ProductUnacceptable,
    /// Another reason (say which in the metadata).
    Other,
}

impl RefundReason {
    /// Every reason.
    pub const ALL: [RefundReason; 6] = [
        RefundReason::RequestedByCustomer,
        RefundReason::Duplicate,
        RefundReason::Fraudulent,
        RefundReason::ProductNotReceived,
        RefundReason::ProductUnacceptable,
        RefundReason::Other,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundReason::RequestedByCustomer => "requested_by_customer",
            RefundReason::Duplicate => "duplicate",
            RefundReason::Fraudulent => "fraudulent",
            RefundReason::ProductNotReceived => "product_not_received",
            RefundReason::ProductUnacceptable => "product_unacceptable",
            RefundReason::Other => "other",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Result<RefundReason, Invalid> {
        RefundReason::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            Invalid::new(
                "invalid_reason",
                "Reason must be one of requested_by_customer, duplicate, fraudulent, product_not_received, \
                 product_unacceptable, other.",
            )
        })
    }
}

/// A refund of (part of) a payment intent's captured amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// `re_…`
    pub id: RefundId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// The payment refunded.
    pub payment_intent_id: PaymentIntentId,
    /// The capture it refunds, when the merchant named one.
    #[serde(default)]
    pub capture_id: Option<CaptureId>,
    /// Amount returned, in minor units.
    pub amount: Amount,
    /// The payment's currency.
    pub currency: Currency,
    /// Why.
    pub reason: Option<RefundReason>,
    /// Where it stands.
    pub status: RefundStatus,
    /// Why the processor refused, when it did.
    pub failure: Option<PaymentFailure>,
    /// Merchant annotations.
    pub metadata: Metadata,
    /// What a face remembers of it that Kassa has no field for (not the merchant's metadata).
    #[serde(default, skip_serializing_if = "crate::FaceNotes::is_empty")]
    pub face_notes: crate::FaceNotes,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}
