//! Refunds: `/v1/refunds`.

use crate::list::{ListParams, Range};
use crate::{Currency, Metadata, PaymentIntent};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

string_enum! {
    /// Where a refund stands.
    RefundStatus {
        /// At the processor.
        Pending = "pending",
        /// Money returned.
        Succeeded = "succeeded",
        /// Refused by the processor; see `failure_code`.
        Failed = "failed",
    }
}

string_enum! {
    /// Why the merchant refunded.
    RefundReason {
        /// The customer asked.
        RequestedByCustomer = "requested_by_customer",
        /// A duplicate payment.
        Duplicate = "duplicate",
        /// Fraud.
        Fraudulent = "fraudulent",
        /// The customer never received the goods.
        ProductNotReceived = "product_not_received",
        /// The goods were not acceptable.
        ProductUnacceptable = "product_unacceptable",
        /// Another reason.
        Other = "other",
    }
}

/// An id, or the object it names when requested with `expand[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    /// Just the id.
    Id(String),
    /// The whole object.
    Object(Box<T>),
}

impl<T> Expandable<T> {
    /// The object, if it was expanded.
    pub fn as_object(&self) -> Option<&T> {
        match self {
            Expandable::Object(o) => Some(o),
            Expandable::Id(_) => None,
        }
    }
}

/// A refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refund {
    /// `re_…`
    pub id: String,
    /// Always `refund`.
    pub object: String,
    /// Live or test data.
    pub livemode: bool,
    /// The payment refunded: its id, or the object with `expand[]=payment_intent`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub payment_intent: Expandable<PaymentIntent>,
    /// The capture refunded (`cap_…`), when the refund named one.
    #[serde(default)]
    pub capture: Option<String>,
    /// Amount returned, in minor units.
    pub amount: i64,
    /// The payment's currency.
    pub currency: Currency,
    /// Why.
    #[serde(default)]
    pub reason: Option<RefundReason>,
    /// Where it stands.
    pub status: RefundStatus,
    /// Why it failed.
    #[serde(default)]
    pub failure_code: Option<String>,
    /// A message about the failure.
    #[serde(default)]
    pub failure_message: Option<String>,
    /// Merchant annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
}

/// `POST /v1/refunds`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateRefund {
    /// The payment intent to refund (`pi_…`).
    pub payment_intent: String,
    /// The capture to refund (`cap_…`); refunds of one capture never exceed it. Default: any
    /// captured amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<String>,
    /// Amount in minor units; default everything still refundable (of the capture, if named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RefundReason>,
    /// Merchant annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl CreateRefund {
    /// Refunds everything still refundable of `payment_intent`.
    pub fn new(payment_intent: impl Into<String>) -> Self {
        CreateRefund {
            payment_intent: payment_intent.into(),
            capture: None,
            amount: None,
            reason: None,
            metadata: None,
        }
    }
}

/// `POST /v1/refunds/{id}`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateRefund {
    /// Keys to set; an empty value removes the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `GET /v1/refunds`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRefunds {
    /// Paging.
    pub page: ListParams,
    /// Only refunds of this payment intent.
    pub payment_intent: Option<String>,
    /// Only created in this range.
    pub created: Range,
}

impl ListRefunds {
    /// The query pairs for this filter.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        self.page.push_query(&mut q);
        if let Some(pi) = &self.payment_intent {
            q.push(("payment_intent".into(), pi.clone()));
        }
        self.created.push_query("created", &mut q);
        q
    }
}
