//! Captures: `/v1/captures/{id}` and `/v1/payment_intents/{id}/captures`.

use crate::{Currency, Metadata};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

string_enum! {
    /// Where a capture stands.
    CaptureStatus {
        /// At the processor.
        Pending = "pending",
        /// The funds were taken.
        Succeeded = "succeeded",
        /// Refused by the processor; see `failure_code`. The authorization is unchanged.
        Failed = "failed",
    }
}

/// One capture of a payment intent: each taking of held funds is a record of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Capture {
    /// `cap_…`
    pub id: String,
    /// Always `capture`.
    pub object: String,
    /// Live or test data.
    pub livemode: bool,
    /// The payment captured (`pi_…`).
    pub payment_intent: String,
    /// Amount taken, in minor units.
    pub amount: i64,
    /// The payment's currency.
    pub currency: Currency,
    /// Where it stands.
    pub status: CaptureStatus,
    /// Whether it released the rest of the authorization.
    pub final_capture: bool,
    /// Refunded from this capture.
    pub amount_refunded: i64,
    /// Refunds of this capture still at the processor.
    pub amount_refund_pending: i64,
    /// Free text given with the capture.
    #[serde(default)]
    pub description: Option<String>,
    /// Why it failed.
    #[serde(default)]
    pub failure_code: Option<String>,
    /// A message about the failure.
    #[serde(default)]
    pub failure_message: Option<String>,
    /// Annotations given with the capture.
    #[serde(default)]
    pub metadata: Metadata,
    /// When it was asked for.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
}
