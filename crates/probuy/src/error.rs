//! One error type with the document's classes: validation (with the fields), authentication,
//! network (including the timeout), and API errors (any other refusal, with ProBuy's body).

use std::collections::BTreeMap;
use std::time::Duration;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum ProBuyError {
    /// The request is invalid: found before sending, or a 400 `ValidationError` from ProBuy.
    /// `details` names each bad field (ProBuy's dotted names).
    #[error("{message}")]
    Validation {
        /// What ProBuy (or this client) said.
        message: String,
        /// Field → reason.
        details: BTreeMap<String, String>,
    },
    /// The API token is missing, unknown or expired (401), or not allowed (403).
    #[error("{message} (HTTP {status})")]
    Authentication {
        /// 401 or 403, as answered.
        status: u16,
        /// What ProBuy said.
        message: String,
    },
    /// No answer: the connection failed or dropped. Retried where that is safe.
    #[error("network error: {0}")]
    Network(#[source] reqwest::Error),
    /// No answer within the configured timeout (the request may or may not have been processed).
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// Any other refusal (404, 409, 429, 5xx …), with ProBuy's `error` class and body.
    #[error("{message} (HTTP {status})")]
    Api {
        /// The HTTP status.
        status: u16,
        /// ProBuy's class (`NotFoundError`, `ServerError` …), when it sent one.
        error: Option<String>,
        /// What ProBuy said.
        message: String,
        /// The body as sent.
        body: serde_json::Value,
    },
    /// A 2xx whose body is not what the API promises.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

impl ProBuyError {
    /// The HTTP status ProBuy answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ProBuyError::Authentication { status, .. } | ProBuyError::Api { status, .. } => Some(*status),
            ProBuyError::Validation { details, .. } if !details.is_empty() => Some(400),
            _ => None,
        }
    }

    /// An error from ProBuy's answer `status` with `body` (JSON, or text wrapped as a string).
    pub(crate) fn from_answer(status: u16, body: serde_json::Value) -> ProBuyError {
        let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let message = text("message").or_else(|| text("error")).unwrap_or_else(|| format!("request failed ({status})"));
        match status {
            401 | 403 => ProBuyError::Authentication { status, message },
            400 if text("error").as_deref() == Some("ValidationError") => {
                let details = body
                    .get("details")
                    .and_then(|d| d.as_object())
                    .map(|d| {
                        d.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                            .collect()
                    })
                    .unwrap_or_default();
                ProBuyError::Validation { message, details }
            }
            _ => ProBuyError::Api { status, error: text("error"), message, body },
        }
    }
}
