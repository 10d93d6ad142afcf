//! The one error type of the application layer. Faces render it in their wire format; the
//! native API's rendering is in `faces::v1::error`.

use kassa_domain::Invalid;
use kassa_domain::payment_intent::{Status, TransitionError, UpdateError};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The fields app errors name, by meaning. Most read like the native API's parameters; each
/// face maps these names to its own (`capture_amount` is v1's `amount_to_capture`, the seed's
/// `card_number` is its `payment_method_id`).
pub mod field {
    /// How much to capture.
    pub const CAPTURE_AMOUNT: &str = "capture_amount";
    /// How much to refund.
    pub const REFUND_AMOUNT: &str = "amount";
    /// A card number given in full.
    pub const CARD_NUMBER: &str = "card_number";
    /// A payment method named by its id (a test payment method).
    pub const PAYMENT_METHOD: &str = "payment_method";
    /// The kind of payment method given (a card, or a connector's provider).
    pub const PAYMENT_METHOD_TYPE: &str = "payment_method_type";
    /// How a checkout's customer may pay.
    pub const PAYMENT_METHOD_TYPES: &str = "payment_method_types";
    /// When the authorized money is captured.
    pub const CAPTURE_METHOD: &str = "capture_method";
    /// Where the customer goes back to after paying elsewhere.
    pub const RETURN_URL: &str = "return_url";
    /// The payment a request is about.
    pub const PAYMENT_INTENT: &str = "payment_intent";
    /// Annotations.
    pub const METADATA: &str = "metadata";
    /// A promotion code given by the customer or the merchant.
    pub const PROMOTION_CODE: &str = "promotion_code";
    /// An order's lines.
    pub const LINE_ITEMS: &str = "line_items";
    /// The total the merchant says an order comes to.
    pub const AMOUNT_TOTAL: &str = "amount_total";
    /// The merchant's own reference of a payment or a checkout.
    pub const REFERENCE: &str = "reference";
    /// The capture a refund names.
    pub const CAPTURE: &str = "capture";
    /// The saved card a payment charges.
    pub const TOKEN: &str = "token";
    /// Whether a payment is confirmed with its creation.
    pub const CONFIRM: &str = "confirm";
    /// A dashboard user's email.
    pub const EMAIL: &str = "email";
    /// A dashboard user's current password.
    pub const PASSWORD: &str = "password";
    /// The password a dashboard user chooses.
    pub const NEW_PASSWORD: &str = "new_password";
}

/// What kind of failure, independent of any wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// One or more fields are invalid (422).
    Validation,
    /// The request is malformed (400).
    BadRequest,
    /// No such object for this merchant and mode, or no such route (404).
    NotFound,
    /// The route exists but not with this method (405).
    MethodNotAllowed,
    /// The object's state forbids the action (409).
    Conflict,
    /// The same idempotency key is still being processed (409, retryable).
    IdempotencyInFlight,
    /// The idempotency key was used for a different request (422).
    IdempotencyMismatch,
    /// No valid API key (401).
    Authentication,
    /// The key may not do this (403).
    Permission,
    /// The card or processor declined (402).
    Card,
    /// Too many requests (429).
    RateLimited,
    /// The body is too large (413).
    PayloadTooLarge,
    /// The body is not in a format the route reads (415).
    UnsupportedMediaType,
    /// The object is still being processed (425).
    TooEarly,
    /// A dependency is unavailable; retry (503).
    Unavailable,
    /// A fault in Kassa (500). Never caused by input.
    Internal,
}

/// Why live mode takes no card payment (until a card processor connector exists).
pub(crate) const NO_CARD_PROCESSOR: &str = "Live card payments need a card processor connector, and none is \
     configured: in live mode Kassa takes no card payment (the card simulator serves test mode only).";

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Bracket-notation parameter name.
    pub param: String,
    /// Stable code.
    pub code: Cow<'static, str>,
    /// Explanation.
    pub message: String,
}

impl FieldError {
    /// A field error from a domain parse failure.
    pub fn new(param: impl Into<String>, invalid: Invalid) -> FieldError {
        FieldError { param: param.into(), code: Cow::Borrowed(invalid.code), message: invalid.message }
    }
}

/// What an application error says. Reached through [`AppError`], which boxes it so a
/// `Result` stays small on the happy path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorData {
    /// The kind, which decides the status.
    pub kind: ErrorKind,
    /// Stable code.
    pub code: Cow<'static, str>,
    /// Explanation.
    pub message: String,
    /// The field concerned (the first, when several are).
    pub param: Option<String>,
    /// Every invalid field.
    pub details: Vec<FieldError>,
    /// Current status of the object, for state conflicts.
    pub current_status: Option<String>,
    /// Issuer's decline reason, for card errors.
    pub decline_code: Option<String>,
    /// Seconds after which a retry may succeed.
    pub retry_after: Option<u64>,
    /// The request that first produced this error, when it is replayed for an idempotency key.
    pub request_id: Option<String>,
    /// The kind of object that was not found (`payment_intent`, `capture` …), for faces whose
    /// error codes name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The id of the object the refusal happened to (the payment intent a card declined), for
    /// faces whose refusals carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// An application error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", .0.message)]
#[serde(transparent)]
pub struct AppError(Box<ErrorData>);

impl std::ops::Deref for AppError {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for AppError {
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

/// Shorthand for application results.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error of `kind` with a code and a message.
    pub fn new(kind: ErrorKind, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> AppError {
        AppError(Box::new(ErrorData {
            kind,
            code: code.into(),
            message: message.into(),
            param: None,
            details: Vec::new(),
            current_status: None,
            decline_code: None,
            retry_after: None,
            request_id: None,
            object: None,
            subject: None,
        }))
    }

    /// Names the field the error is about.
    pub fn with_param(mut self, param: impl Into<String>) -> AppError {
        self.param = Some(param.into());
        self
    }

    /// Says when a retry may succeed.
    pub fn with_retry_after(mut self, seconds: u64) -> AppError {
        self.retry_after = Some(seconds);
        self
    }

    /// Gives the object's current status (state conflicts).
    pub fn with_current_status(mut self, status: impl Into<String>) -> AppError {
        self.current_status = Some(status.into());
        self
    }

    /// Gives the issuer's reason (card errors).
    pub fn with_decline_code(mut self, code: Option<String>) -> AppError {
        self.decline_code = code;
        self
    }

    /// Invalid fields; at least one.
    pub fn validation(details: Vec<FieldError>) -> AppError {
        let first = details.first().cloned();
        let message = match details.len() {
            0 | 1 => first.as_ref().map(|d| d.message.clone()).unwrap_or_else(|| "Invalid request.".into()),
            n => format!(
                "{n} parameters are invalid: {}",
                details.iter().map(|d| d.param.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        let code = first.as_ref().map(|d| d.code.clone()).unwrap_or(Cow::Borrowed("parameter_invalid"));
        let mut error = AppError::new(ErrorKind::Validation, code, message);
        error.param = first.map(|d| d.param);
        error.details = details;
        error
    }

    /// One invalid field.
    pub fn invalid_field(param: impl Into<String>, invalid: Invalid) -> AppError {
        AppError::validation(vec![FieldError::new(param, invalid)])
    }

    /// No such object of `what` (e.g. "payment_intent").
    pub fn not_found(what: &str, id: &str) -> AppError {
        let mut e = AppError::new(ErrorKind::NotFound, "resource_missing", format!("No such {what}: '{id}'."));
        e.object = Some(what.to_owned());
        e
    }

    /// Something only test mode has (a forced failure, a test helper, forceApprove), asked
    /// for with a live key: one code on every face.
    pub fn test_mode_only(message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Permission, "test_mode_only", message)
    }

    /// A card payment asked for in live mode, which has no card processor: refused before
    /// anything is stored, naming the card's field when there is one.
    pub fn no_card_processor(param: Option<&str>) -> AppError {
        let invalid = Invalid::new("no_card_processor", NO_CARD_PROCESSOR);
        match param {
            Some(param) => AppError::invalid_field(param, invalid),
            None => AppError::new(ErrorKind::Validation, invalid.code, invalid.message),
        }
    }

    /// A fault in Kassa; the detail goes to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %detail, "internal error");
        AppError::new(ErrorKind::Internal, "internal_error", "An internal error occurred; it has been logged.")
    }

    /// `true` for a refusal that a retry of the same request would meet again, so it is the
    /// final answer of its idempotency key and replayed to every retry with that key. A
    /// refusal that invites a retry is not final: faults, throttling, a key or an object still
    /// in flight (409 `idempotency_key_in_use`, `capture_in_progress`, a payment still
    /// `processing`, 425), and anything that says `Retry-After`. Storing one of those would
    /// answer the SDKs' retries, which reuse the key, with the same "try again" forever.
    pub fn is_final(&self) -> bool {
        let transient = matches!(
            self.kind,
            ErrorKind::Internal
                | ErrorKind::Unavailable
                | ErrorKind::RateLimited
                | ErrorKind::IdempotencyInFlight
                | ErrorKind::TooEarly
        );
        !transient && self.retry_after.is_none()
    }
}

impl From<kassa_store::StoreError> for AppError {
    fn from(e: kassa_store::StoreError) -> AppError {
        AppError::internal(e)
    }
}

impl From<TransitionError> for AppError {
    fn from(e: TransitionError) -> AppError {
        let message = e.to_string();
        match e {
            TransitionError::UnexpectedState { status, .. } => {
                let refusal = AppError::new(ErrorKind::Conflict, "payment_intent_unexpected_state", message)
                    .with_current_status(status.as_str());
                // The processor is still deciding: the same request may pass once it has.
                if status == Status::Processing { refusal.with_retry_after(1) } else { refusal }
            }
            TransitionError::CaptureInProgress => {
                AppError::new(ErrorKind::Conflict, "capture_in_progress", message).with_retry_after(1)
            }
            TransitionError::MissingPaymentMethod => {
                AppError::invalid_field(field::PAYMENT_METHOD, Invalid::new("payment_method_required", message))
            }
            TransitionError::CaptureExceedsAuthorized { .. } => {
                AppError::invalid_field(field::CAPTURE_AMOUNT, Invalid::new("amount_too_large", message))
            }
            TransitionError::RefundExceedsCaptured { .. } | TransitionError::RefundExceedsCapture { .. } => {
                AppError::invalid_field(field::REFUND_AMOUNT, Invalid::new("amount_too_large", message))
            }
            TransitionError::AlreadyRefunded => {
                AppError::invalid_field(field::REFUND_AMOUNT, Invalid::new("charge_already_refunded", message))
            }
            TransitionError::NotPending => AppError::internal(message),
        }
    }
}

impl From<UpdateError> for AppError {
    fn from(e: UpdateError) -> AppError {
        match e {
            UpdateError::Transition(t) => t.into(),
            UpdateError::Metadata(invalid) => AppError::invalid_field(field::METADATA, invalid),
        }
    }
}
