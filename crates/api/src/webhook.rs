//! Webhook endpoints and their delivery log: `/v1/webhook_endpoints`.

use crate::Metadata;
use crate::list::ListParams;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

string_enum! {
    /// Whether an endpoint receives deliveries.
    WebhookEndpointStatus {
        /// It does.
        Enabled = "enabled",
        /// It does not (see `disabled_reason`).
        Disabled = "disabled",
    }
}

string_enum! {
    /// Where a delivery stands.
    DeliveryStatus {
        /// Not yet delivered; retried on schedule.
        Pending = "pending",
        /// The endpoint answered 2xx.
        Succeeded = "succeeded",
        /// Given up (410, or every attempt of the schedule failed).
        Failed = "failed",
    }
}

/// A webhook endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    /// `we_…`
    pub id: String,
    /// Always `webhook_endpoint`.
    pub object: String,
    /// Receives live or test events.
    pub livemode: bool,
    /// Where events are POSTed.
    pub url: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Event types it receives, or `["*"]`.
    pub enabled_events: Vec<String>,
    /// Enabled or disabled.
    pub status: WebhookEndpointStatus,
    /// Why Kassa disabled it, if it did.
    #[serde(default)]
    pub disabled_reason: Option<String>,
    /// The signing secret (`whsec_…`): only in the answers to create and rotate_secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
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

/// `POST /v1/webhook_endpoints`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateWebhookEndpoint {
    /// https URL (live mode: public hosts only); test mode also accepts http://localhost.
    pub url: String,
    /// Event types, or `["*"]` for all.
    pub enabled_events: Vec<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Merchant annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl CreateWebhookEndpoint {
    /// An endpoint at `url` receiving `events` (`["*"]` for all).
    pub fn new(url: impl Into<String>, events: impl IntoIterator<Item = impl Into<String>>) -> Self {
        CreateWebhookEndpoint {
            url: url.into(),
            enabled_events: events.into_iter().map(Into::into).collect(),
            description: None,
            metadata: None,
        }
    }
}

/// `POST /v1/webhook_endpoints/{id}`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateWebhookEndpoint {
    /// New URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// New subscriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_events: Option<Vec<String>>,
    /// `false` disables, `true` enables (and resumes pending deliveries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Keys to set; an empty value removes the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `POST /v1/webhook_endpoints/{id}/rotate_secret`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotateWebhookSecret {
    /// Seconds the old secret keeps signing deliveries (default 86400; 0 ends it now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
}

/// The answer to a delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deleted {
    /// The id.
    pub id: String,
    /// The object's type.
    pub object: String,
    /// Always `true`.
    pub deleted: bool,
}

/// One attempt to deliver an event to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAttempt {
    /// `wa_…`
    pub id: String,
    /// Always `webhook_attempt`.
    pub object: String,
    /// The delivery (`wd_…`).
    pub delivery: String,
    /// The endpoint (`we_…`).
    pub endpoint: String,
    /// The event (`evt_…`).
    pub event: String,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// The URL it was sent to.
    pub url: String,
    /// The endpoint's HTTP status, if it answered.
    #[serde(default)]
    pub response_status: Option<i64>,
    /// The first bytes of the endpoint's answer.
    #[serde(default)]
    pub response_body: Option<String>,
    /// Why it failed without an answer (timeout, refused, blocked address …).
    #[serde(default)]
    pub error: Option<String>,
    /// Milliseconds from sending to the answer.
    pub latency_ms: i64,
    /// The endpoint answered 2xx.
    pub succeeded: bool,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// A queued delivery of an event to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// `wd_…`
    pub id: String,
    /// Always `webhook_delivery`.
    pub object: String,
    /// The event.
    pub event: String,
    /// The endpoint.
    pub endpoint: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// When it was queued.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// `POST /v1/events/{id}/redeliver`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedeliverEvent {
    /// Only to this endpoint (default: every enabled endpoint subscribed to the event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// `GET /v1/webhook_endpoints`
pub type ListWebhookEndpoints = ListParams;
