//! The error every parser in this crate returns: what is wrong, as a stable code and a message.
//!
//! Parsers know nothing about field names; the caller attaches the parameter name, so one
//! parser serves every field and every face.

use serde::{Deserialize, Serialize};

/// A value that failed to parse: a machine-readable `code` and a message a human can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    /// Stable, snake_case error code, e.g. `invalid_amount`.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

impl Invalid {
    /// Builds an error with a code and a message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}
