//! Saved cards: `/v1/tokens`.

use crate::list::{ListParams, Range};
use crate::{Card, Metadata};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

string_enum! {
    /// Where a token stands.
    TokenStatus {
        /// Its setup session has not saved a card yet.
        RequiresAuthorization = "requires_authorization",
        /// Its card was verified: it can be charged.
        Active = "active",
        /// Its card was refused, or its session closed without one.
        Rejected = "rejected",
        /// Turned off by you; enable it to charge it again.
        Disabled = "disabled",
        /// Deleted (only ever seen in a `token.deleted` event).
        Deleted = "deleted",
    }
}

/// A customer's saved card, which you may charge later without the customer present: create a
/// payment intent with `token` and `confirm: true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Token {
    /// `tok_…`
    pub id: String,
    /// Always `token`.
    pub object: String,
    /// Live or test data.
    pub livemode: bool,
    /// Where it stands.
    pub status: TokenStatus,
    /// The customer's email, from the setup session.
    #[serde(default)]
    pub customer: Option<String>,
    /// The setup session that collects (or collected) its card (`cs_…`).
    #[serde(default)]
    pub checkout_session: Option<String>,
    /// The card, once verified: brand, last four, expiry (never the number).
    #[serde(default)]
    pub card: Option<Card>,
    /// Annotations (the setup session's).
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

/// `GET /v1/tokens`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListTokens {
    /// Paging.
    pub page: ListParams,
    /// Only this status.
    pub status: Option<TokenStatus>,
    /// Only this customer's (email).
    pub customer: Option<String>,
    /// Only created in this range.
    pub created: Range,
}

impl ListTokens {
    /// The query pairs for this filter.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        self.page.push_query(&mut q);
        if let Some(s) = &self.status {
            q.push(("status".into(), s.as_str().to_owned()));
        }
        if let Some(c) = &self.customer {
            q.push(("customer".into(), c.clone()));
        }
        self.created.push_query("created", &mut q);
        q
    }
}
