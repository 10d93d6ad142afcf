//! The native API's error responses: `{"error": {type, code, message, param, details,
//! request_id}}` on every status and route.

use crate::app::{AppError, ErrorKind, field};
use crate::http::request_id;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kassa_api as api;

/// The HTTP status and error type of a kind.
pub fn status_and_type(kind: ErrorKind) -> (StatusCode, api::ErrorType) {
    use api::ErrorType as T;
    match kind {
        ErrorKind::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, T::InvalidRequest),
        ErrorKind::Validation => (StatusCode::UNPROCESSABLE_ENTITY, T::Validation),
        ErrorKind::BadRequest => (StatusCode::BAD_REQUEST, T::InvalidRequest),
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, T::InvalidRequest),
        ErrorKind::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, T::InvalidRequest),
        ErrorKind::Conflict => (StatusCode::CONFLICT, T::InvalidRequest),
        ErrorKind::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, T::InvalidRequest),
        ErrorKind::TooEarly => (StatusCode::TOO_EARLY, T::InvalidRequest),
        ErrorKind::IdempotencyInFlight => (StatusCode::CONFLICT, T::Idempotency),
        ErrorKind::IdempotencyMismatch => (StatusCode::UNPROCESSABLE_ENTITY, T::Idempotency),
        ErrorKind::Authentication => (StatusCode::UNAUTHORIZED, T::Authentication),
        ErrorKind::Permission => (StatusCode::FORBIDDEN, T::Permission),
        ErrorKind::Card => (StatusCode::PAYMENT_REQUIRED, T::Card),
        ErrorKind::RateLimited => (StatusCode::TOO_MANY_REQUESTS, T::RateLimit),
        ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, T::Api),
        ErrorKind::Internal => (StatusCode::INTERNAL_SERVER_ERROR, T::Api),
    }
}

/// v1's parameter name for a field the app names by meaning.
fn param(name: &str) -> String {
    match name {
        field::CAPTURE_AMOUNT => "amount_to_capture",
        field::CARD_NUMBER => "payment_method_data[card][number]",
        field::PAYMENT_METHOD_TYPE => "payment_method_data[type]",
        other => other,
    }
    .to_owned()
}

/// The wire body of an error.
pub fn body(error: &AppError) -> api::ErrorBody {
    let (_, kind) = status_and_type(error.kind);
    api::ErrorBody {
        error: api::ErrorObject {
            kind,
            code: error.code.to_string(),
            message: error.message.clone(),
            param: error.param.as_deref().map(param),
            details: error
                .details
                .iter()
                .map(|d| api::ErrorDetail {
                    param: param(&d.param),
                    code: d.code.to_string(),
                    message: d.message.clone(),
                })
                .collect(),
            request_id: error.request_id.clone().or_else(|| request_id::current().map(|id| id.to_string())),
            current_status: error.current_status.clone(),
            decline_code: error.decline_code.clone(),
        },
    }
}

/// An application error, answered in v1's shape.
#[derive(Debug)]
pub struct V1Error(pub AppError);

impl From<AppError> for V1Error {
    fn from(e: AppError) -> V1Error {
        V1Error(e)
    }
}

impl IntoResponse for V1Error {
    fn into_response(self) -> Response {
        let V1Error(error) = self;
        let (status, _) = status_and_type(error.kind);
        let mut response = (status, Json(body(&error))).into_response();
        crate::http::face::refusal_headers(&mut response, &error);
        response
    }
}
