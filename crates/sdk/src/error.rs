//! `kassa::Error`: every way a call can fail, with what the gateway said about it.

use kassa_api::{ErrorBody, ErrorDetail, ErrorType};
use std::fmt;
use std::time::Duration;

/// What the gateway said about a failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// HTTP status.
    pub status: u16,
    /// Stable error code, e.g. `resource_missing`.
    pub code: String,
    /// The gateway's explanation.
    pub message: String,
    /// The field concerned, if any.
    pub param: Option<String>,
    /// The request's id (`req_…`), to quote when asking for help.
    pub request_id: Option<String>,
}

impl fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)?;
        if let Some(p) = &self.param {
            write!(f, " [param {p}]")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request {id}]")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 422: one or more fields are invalid; `details` names each.
    #[error("invalid request: {info}{}", details_suffix(details))]
    Validation {
        /// What the gateway said.
        info: Box<ErrorInfo>,
        /// Every invalid field.
        details: Vec<ErrorDetail>,
    },
    /// 401: the API key is missing, unknown or revoked.
    #[error("authentication failed: {0}; check the API key")]
    Authentication(Box<ErrorInfo>),
    /// 403: the key may not do this (e.g. a publishable key on a secret endpoint).
    #[error("permission denied: {0}")]
    Permission(Box<ErrorInfo>),
    /// 404: no such object for this key (or no such route).
    #[error("not found: {0}")]
    NotFound(Box<ErrorInfo>),
    /// 409: the object's state forbids the action.
    #[error("conflict: {info}{}", current_status.as_ref().map(|s| format!(" (current status: {s})")).unwrap_or_default())]
    Conflict {
        /// What the gateway said.
        info: Box<ErrorInfo>,
        /// The object's status when it refused.
        current_status: Option<String>,
    },
    /// 409 (still in flight, retried automatically) or 422 (key reused with another request).
    #[error("idempotency error: {0}")]
    Idempotency(Box<ErrorInfo>),
    /// 429: too many requests (retried automatically; this is what is left after the retries).
    #[error("rate limited: {info}")]
    RateLimited {
        /// What the gateway said.
        info: Box<ErrorInfo>,
        /// How long the gateway asked to wait.
        retry_after: Option<Duration>,
    },
    /// 402: the card or the processor declined.
    #[error("card declined: {info}{}", decline_code.as_ref().map(|d| format!(" (decline code: {d})")).unwrap_or_default())]
    Card {
        /// What the gateway said.
        info: Box<ErrorInfo>,
        /// The issuer's reason, e.g. `insufficient_funds`.
        decline_code: Option<String>,
    },
    /// Any other error response (400 malformed, 405, 413, 5xx …).
    #[error("API error {status} {kind}: {info}")]
    Api {
        /// What the gateway said.
        info: Box<ErrorInfo>,
        /// HTTP status.
        status: u16,
        /// The error's type.
        kind: ErrorType,
        /// The error's code.
        code: String,
    },
    /// The gateway could not be reached, or the connection broke.
    #[error("network error: {message}")]
    Network {
        /// What happened.
        message: String,
        /// The transport's error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// No answer within the configured timeout (after all retries).
    #[error("timed out after {after:?} waiting for the gateway")]
    Timeout {
        /// The per-attempt timeout that ran out.
        after: Duration,
    },
    /// The response could not be understood (not the JSON this SDK expects).
    #[error("could not decode the gateway's {status} response: {message}{}", request_id.as_ref().map(|r| format!(" [request {r}]")).unwrap_or_default())]
    Decode {
        /// HTTP status.
        status: u16,
        /// What did not match, e.g. `missing field \`status\``.
        message: String,
        /// The request's id, if the response carried one.
        request_id: Option<String>,
    },
    /// The client was configured wrongly (e.g. a malformed API key).
    #[error("invalid configuration: {0}")]
    Config(String),
}

fn details_suffix(details: &[ErrorDetail]) -> String {
    if details.len() <= 1 {
        return String::new();
    }
    let fields: Vec<_> = details.iter().map(|d| format!("{}: {}", d.param, d.message)).collect();
    format!("; {}", fields.join("; "))
}

impl Error {
    /// The gateway's request id, when the failure came from a response.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Decode { request_id, .. } => request_id.as_deref(),
            other => other.info().and_then(|i| i.request_id.as_deref()),
        }
    }

    /// The HTTP status, when the failure came from a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode { status, .. } => Some(*status),
            other => other.info().map(|i| i.status),
        }
    }

    /// What the gateway said, when it said something.
    pub fn info(&self) -> Option<&ErrorInfo> {
        match self {
            Error::Validation { info, .. }
            | Error::Conflict { info, .. }
            | Error::RateLimited { info, .. }
            | Error::Card { info, .. }
            | Error::Api { info, .. } => Some(info),
            Error::Authentication(info)
            | Error::Permission(info)
            | Error::NotFound(info)
            | Error::Idempotency(info) => Some(info),
            Error::Network { .. } | Error::Timeout { .. } | Error::Decode { .. } | Error::Config(_) => None,
        }
    }

    /// Whether retrying the same request (with the same idempotency key) may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Network { .. } | Error::Timeout { .. } | Error::RateLimited { .. } => true,
            Error::Idempotency(info) => info.status == 409,
            Error::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The wait the gateway asked for, if it asked.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Builds the error for an error response.
    pub(crate) fn from_response(
        status: u16,
        body: &[u8],
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Error {
        let Ok(ErrorBody { error }) = serde_json::from_slice::<ErrorBody>(body) else {
            let snippet: String = String::from_utf8_lossy(body).chars().take(200).collect();
            return Error::Decode { status, message: format!("expected an error object, got: {snippet}"), request_id };
        };
        let info = Box::new(ErrorInfo {
            status,
            code: error.code.clone(),
            message: error.message.clone(),
            param: error.param.clone(),
            request_id: error.request_id.clone().or(request_id),
        });
        match (&error.kind, status) {
            (ErrorType::Idempotency, _) => Error::Idempotency(info),
            (ErrorType::Validation, _) => Error::Validation { info, details: error.details },
            (ErrorType::Authentication, _) | (_, 401) => Error::Authentication(info),
            (ErrorType::Permission, _) | (_, 403) => Error::Permission(info),
            (ErrorType::Card, _) | (_, 402) => Error::Card { info, decline_code: error.decline_code },
            (ErrorType::RateLimit, _) | (_, 429) => Error::RateLimited { info, retry_after },
            (_, 404) => Error::NotFound(info),
            (_, 409) => Error::Conflict { info, current_status: error.current_status },
            (kind, _) => Error::Api { code: info.code.clone(), info, status, kind: kind.clone() },
        }
    }
}
