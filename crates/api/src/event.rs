//! Events: `/v1/events`.

use crate::list::{ListParams, Range};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The object an event is about, as it was right after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventData {
    /// A `payment_intent` or `refund` object (see its `object` field).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub object: serde_json::Value,
}

/// The API request that caused an event, if one did (workers cause events too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventRequest {
    /// `req_…`
    #[serde(default)]
    pub id: Option<String>,
    /// The request's `Idempotency-Key`.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// A state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// `evt_…`
    pub id: String,
    /// Always `event`.
    pub object: String,
    /// Live or test data.
    pub livemode: bool,
    /// e.g. `payment_intent.succeeded`. New types may be added within v1.
    #[serde(rename = "type")]
    pub kind: String,
    /// The payment intent this event concerns (itself, or the one a refund belongs to).
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// The object after the change.
    pub data: EventData,
    /// The request that caused it.
    #[serde(default)]
    pub request: Option<EventRequest>,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// `GET /v1/events`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListEvents {
    /// Paging.
    pub page: ListParams,
    /// An event type (`payment_intent.succeeded`) or a prefix pattern (`refund.*`).
    pub kind: Option<String>,
    /// Only events about this object or related to it (`pi_…`, `re_…`).
    pub related_object: Option<String>,
    /// Only created in this range.
    pub created: Range,
}

impl ListEvents {
    /// The query pairs for this filter.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        self.page.push_query(&mut q);
        if let Some(t) = &self.kind {
            q.push(("type".into(), t.clone()));
        }
        if let Some(o) = &self.related_object {
            q.push(("related_object".into(), o.clone()));
        }
        self.created.push_query("created", &mut q);
        q
    }
}
