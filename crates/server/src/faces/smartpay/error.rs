//! Smartpay's refusals: `{statusCode, errorCode, message, details}` as JSON for every status,
//! 401 included (the SDK builds its error from `errorCode` and `message`, and returns any
//! non-JSON answer as a success).

use super::ids::kind_of_kassa_object;
use crate::app::{AppError, ErrorKind};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An application error, answered in Smartpay's shape.
#[derive(Debug)]
pub struct SmartpayError(pub AppError);

impl From<AppError> for SmartpayError {
    fn from(e: AppError) -> SmartpayError {
        SmartpayError(e)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    status_code: u16,
    error_code: String,
    message: String,
    details: Vec<String>,
}

/// The HTTP status of a kind of refusal.
fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Validation | ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Card => StatusCode::PAYMENT_REQUIRED,
        ErrorKind::Authentication => StatusCode::UNAUTHORIZED,
        ErrorKind::Permission => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::Conflict | ErrorKind::IdempotencyInFlight | ErrorKind::IdempotencyMismatch => StatusCode::CONFLICT,
        ErrorKind::TooEarly => StatusCode::TOO_EARLY,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Smartpay's dotted error code for a Kassa refusal. Codes already in Smartpay's form (set by
/// the face's handlers, `order.cannot-capture` …) pass unchanged.
pub fn error_code(e: &AppError) -> String {
    if e.code.contains('.') {
        return e.code.to_string();
    }
    let first_detail = e.details.first().map(|d| (d.param.as_str(), d.code.as_ref()));
    match (e.kind, e.code.as_ref(), first_detail) {
        (ErrorKind::Validation, _, Some((crate::app::field::CAPTURE_AMOUNT, "amount_too_large"))) => {
            "payment.excessive-amount".into()
        }
        (
            ErrorKind::Validation,
            _,
            Some((crate::app::field::REFUND_AMOUNT, "amount_too_large" | "charge_already_refunded")),
        ) => "amount.insufficient".into(),
        (ErrorKind::Validation | ErrorKind::BadRequest, ..) => "request.invalid".into(),
        (ErrorKind::NotFound, ..) => match e.object.as_deref().and_then(kind_of_kassa_object) {
            Some(kind) => format!("{}.not-found", kind.name),
            None => "resource.not-found".into(),
        },
        (ErrorKind::Conflict, "promotion_code_exists", _) => "promotion-code.exists".into(),
        (ErrorKind::Conflict, "reference_in_use", _) => "reference.exists".into(),
        (ErrorKind::Conflict, ..) => "request.conflict".into(),
        (ErrorKind::IdempotencyInFlight, ..) => "request.in-progress".into(),
        (ErrorKind::IdempotencyMismatch, ..) => "request.idempotency-key-reused".into(),
        (ErrorKind::Card, ..) => "payment.declined".into(),
        (ErrorKind::Authentication, ..) => "unauthorized".into(),
        (ErrorKind::Permission, ..) => "forbidden".into(),
        (ErrorKind::MethodNotAllowed, ..) => "request.method-not-allowed".into(),
        (ErrorKind::PayloadTooLarge, ..) => "request.too-large".into(),
        (ErrorKind::UnsupportedMediaType, ..) => "request.unsupported-media-type".into(),
        (ErrorKind::RateLimited, ..) => "request.rate-limited".into(),
        (ErrorKind::TooEarly | ErrorKind::Unavailable, ..) => "service.unavailable".into(),
        (ErrorKind::Internal, ..) => "unexpected_error".into(),
    }
}

impl SmartpayError {
    /// Replaces the code of a refusal of `kind` (a state conflict becomes
    /// `order.cannot-capture` on a capture, say).
    pub fn recode(mut self, kind: ErrorKind, code: &'static str) -> SmartpayError {
        if self.0.kind == kind {
            self.0.code = code.into();
        }
        self
    }
}

impl IntoResponse for SmartpayError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(e.kind);
        let details: Vec<String> =
            e.details.iter().map(|d| format!("{}: {}", super::wire_field(&d.param), d.message)).collect();
        // Every bad field is named in the message too: the SDK shows only `message`.
        let message = if details.is_empty() { e.message.clone() } else { details.join("; ") };
        let body = Body { status_code: status.as_u16(), error_code: error_code(&e), message, details };
        let mut response = (status, Json(body)).into_response();
        crate::http::face::refusal_headers(&mut response, &e);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::FieldError;
    use kassa_domain::Invalid;

    #[test]
    fn refusals_get_smartpay_codes() {
        let over_capture = AppError::validation(vec![FieldError::new(
            crate::app::field::CAPTURE_AMOUNT,
            Invalid::new("amount_too_large", "too much"),
        )]);
        let over_refund = AppError::validation(vec![FieldError::new(
            crate::app::field::REFUND_AMOUNT,
            Invalid::new("amount_too_large", "too much"),
        )]);
        let cases = [
            (over_capture, "payment.excessive-amount"),
            (over_refund, "amount.insufficient"),
            (AppError::not_found("payment_intent", "pi_x"), "order.not-found"),
            (AppError::not_found("capture", "cap_x"), "payment.not-found"),
            (AppError::not_found("token", "tok_x"), "token.not-found"),
            (AppError::new(ErrorKind::Conflict, "promotion_code_exists", "taken"), "promotion-code.exists"),
            (AppError::new(ErrorKind::Authentication, "invalid_api_key", "no"), "unauthorized"),
            (AppError::new(ErrorKind::Conflict, "order.cannot-capture", "no"), "order.cannot-capture"),
            (AppError::new(ErrorKind::BadRequest, "invalid_json", "no"), "request.invalid"),
        ];
        for (error, code) in cases {
            assert_eq!(error_code(&error), code, "{error:?}");
        }
    }
}
