//! Test-mode helpers: `/v1/test_helpers/…`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One call the built-in card simulator answered, as recorded in its books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimulatorOperation {
    /// Always `simulator_operation`.
    pub object: String,
    /// `authorize`, `capture`, `void` or `refund`.
    pub operation: String,
    /// The idempotency key Kassa sent (derived from the job that made the call).
    pub idempotency_key: String,
    /// The simulator's authorization.
    #[serde(default)]
    pub authorization_id: Option<String>,
    /// Amount in minor units.
    #[serde(default)]
    pub amount: Option<i64>,
    /// Currency code.
    #[serde(default)]
    pub currency: Option<String>,
    /// `approved` or `declined`.
    pub outcome: String,
    /// Why it was declined.
    #[serde(default)]
    pub decline_code: Option<String>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}
