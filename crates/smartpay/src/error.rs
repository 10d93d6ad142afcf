//! Smartpay's refusals, typed: `{statusCode, errorCode, message, details}` whatever the
//! answer's content type (the Node SDK returns a non-JSON 4xx as a success).

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum SmartpayError {
    /// Smartpay refused the request (a 4xx, or a 5xx after the retries).
    #[error("{status} {error_code}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// Smartpay's dotted code (`order.not-found`, `payment.excessive-amount` …).
        error_code: String,
        /// What Smartpay said.
        message: String,
        /// Smartpay's details (the bad fields, for `request.invalid`).
        details: Vec<serde_json::Value>,
    },
    /// The request was refused before sending (`request.invalid` in the Node SDK): a bad id or
    /// key.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// No answer (after the retries).
    #[error("network error: {0}")]
    Network(#[source] reqwest::Error),
    /// A 2xx whose body is not what the API promises.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

impl SmartpayError {
    /// Smartpay's error code, for refusals it answered.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            SmartpayError::Api { error_code, .. } => Some(error_code),
            _ => None,
        }
    }

    /// The HTTP status, for refusals it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            SmartpayError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}
