//! Errors: Vipps' problem details typed, apart from the network's failures.

use std::collections::BTreeMap;
use std::time::Duration;

/// A refusal in Vipps' words: ePayment's RFC 7807 problem (`type`, `title`, `status`,
/// `detail`, `traceId`) and Checkout's `errorCode` and `errors` by field, whichever were sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Short summary.
    #[serde(default)]
    pub title: Option<String>,
    /// Explanation.
    #[serde(default)]
    pub detail: Option<String>,
    /// Vipps' trace id, for their support.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// Checkout's error code.
    #[serde(default)]
    pub error_code: Option<String>,
    /// Field → messages.
    #[serde(default)]
    pub errors: BTreeMap<String, Vec<String>>,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum VippsError {
    /// Vipps refused the request (a 4xx, or a 5xx after the retries), with its problem.
    #[error("HTTP {status}: {}", problem.detail.as_deref().or(problem.title.as_deref()).unwrap_or("refused"))]
    Problem {
        /// The HTTP status.
        status: u16,
        /// What Vipps said (boxed: errors stay small on the happy path).
        problem: Box<Problem>,
    },
    /// No answer (after the retries).
    #[error("network error: {0}")]
    Network(#[source] reqwest::Error),
    /// No answer within the timeout (after the retries).
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// A 2xx whose body is not what the API promises.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// The configuration cannot work (an empty credential, a base URL that is not http(s)).
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl VippsError {
    /// The HTTP status Vipps answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            VippsError::Problem { status, .. } => Some(*status),
            _ => None,
        }
    }
}
