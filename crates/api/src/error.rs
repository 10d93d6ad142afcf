//! The one error shape every route answers with.

use serde::{Deserialize, Serialize};

string_enum! {
    /// The class of an error; it fixes the HTTP status.
    ErrorType {
        /// 422: a field is invalid. `details` lists every invalid field.
        Validation = "validation_error",
        /// 400 malformed request, 404 unknown object or route, 405, 409 state conflict, 413.
        InvalidRequest = "invalid_request_error",
        /// 409: same idempotency key still in flight; 422: same key, different request.
        Idempotency = "idempotency_error",
        /// 401: missing, unknown or revoked API key.
        Authentication = "authentication_error",
        /// 403: the key may not do this (e.g. a publishable key on a secret endpoint).
        Permission = "permission_error",
        /// 402: the card or processor declined.
        Card = "card_error",
        /// 429: too many requests for this key.
        RateLimit = "rate_limit_error",
        /// 500/503: something went wrong on Kassa's side. Never caused by input.
        Api = "api_error",
    }
}

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// The field, in bracket notation for nested fields: `payment_method_data[card][number]`.
    pub param: String,
    /// Stable code, e.g. `invalid_amount`.
    pub code: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The error itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorObject {
    /// The class of error.
    #[serde(rename = "type")]
    pub kind: ErrorType,
    /// Stable code, e.g. `resource_missing`, `payment_intent_unexpected_state`.
    pub code: String,
    /// What happened, for a human.
    pub message: String,
    /// The first invalid field, when the error is about one.
    #[serde(default)]
    pub param: Option<String>,
    /// Every invalid field (empty unless the error is about fields).
    #[serde(default)]
    pub details: Vec<ErrorDetail>,
    /// The request's id, to quote when asking for help.
    #[serde(default)]
    pub request_id: Option<String>,
    /// For a state conflict: the object's current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_status: Option<String>,
    /// For a card error: the issuer's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
}

/// The body of every error response: `{"error": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorObject,
}
