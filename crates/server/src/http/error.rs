//! The native API's error responses: `{"error": {type, code, message, param, details,
//! request_id}}` on every status and route.

use super::request_id;
use crate::app::{AppError, ErrorKind};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kassa_api as api;

/// The HTTP status and error type of a kind.
pub fn status_and_type(kind: ErrorKind) -> (StatusCode, api::ErrorType) {
    use api::ErrorType as T;
    match kind {
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

/// The wire body of an error.
pub fn body(error: &AppError) -> api::ErrorBody {
    let (_, kind) = status_and_type(error.kind);
    api::ErrorBody {
        error: api::ErrorObject {
            kind,
            code: error.code.to_string(),
            message: error.message.clone(),
            param: error.param.clone(),
            details: error
                .details
                .iter()
                .map(|d| api::ErrorDetail {
                    param: d.param.clone(),
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

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, _) = status_and_type(self.kind);
        let mut response = (status, Json(body(&self))).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Any route that does not exist.
pub async fn unknown_route(uri: axum::http::Uri) -> AppError {
    AppError::new(ErrorKind::NotFound, "route_not_found", format!("Unrecognized request URL: {}.", uri.path()))
}

/// Rewrites an error response made outside Kassa's handlers (axum's 405, the timeout's 503,
/// the panic guard's 500 …) into the standard shape. Responses already in JSON pass.
pub fn ensure_error_shape(response: Response) -> Response {
    let status = response.status();
    // Framework-made errors are empty or plain text; JSON errors and the hosted page's HTML
    // pages pass untouched.
    let own = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || own {
        return response;
    }
    let (kind, code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            (ErrorKind::MethodNotAllowed, "method_not_allowed", "This route does not accept this HTTP method.")
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            (ErrorKind::PayloadTooLarge, "body_too_large", "The request body is larger than the limit.")
        }
        StatusCode::NOT_FOUND => (ErrorKind::NotFound, "route_not_found", "Unrecognized request URL."),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => (
            ErrorKind::Unavailable,
            "timeout",
            "The request took too long; it may be retried with the same Idempotency-Key.",
        ),
        s if s.is_client_error() => (ErrorKind::BadRequest, "invalid_request", "The request could not be understood."),
        _ => (ErrorKind::Internal, "internal_error", "An internal error occurred; it has been logged."),
    };
    if kind == ErrorKind::Internal {
        tracing::error!(status = status.as_u16(), "unhandled failure");
    }
    let mut shaped = AppError::new(kind, code, message).into_response();
    *shaped.status_mut() = status;
    let allow = response.headers().get(header::ALLOW).cloned();
    if let Some(allow) = allow {
        shaped.headers_mut().insert(header::ALLOW, allow);
    }
    shaped
}
