//! ProBuy's error bodies: `{"error": "ValidationError", "message", "details": {field: reason}}`
//! (400), `AuthenticationError` (401), and the like. Field paths are dotted
//! (`consumer.email`), as in ProBuy's documentation.

use crate::app::{AppError, ErrorKind, field};
use crate::http::request_id;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;

/// An application error, answered in ProBuy's shape.
#[derive(Debug)]
pub struct ProBuyError(pub AppError);

impl From<AppError> for ProBuyError {
    fn from(e: AppError) -> ProBuyError {
        ProBuyError(e)
    }
}

#[derive(Serialize)]
struct Body {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    details: BTreeMap<String, String>,
    #[serde(rename = "statusCode", skip_serializing_if = "Option::is_none")]
    status_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

/// `consumer[email]` → `consumer.email`; the renames ProBuy's fields went through on the way
/// in (`amount_total` is ProBuy's `total_amount`) are undone.
pub fn dotted(param: &str) -> String {
    let path = param.replace("][", ".").replace('[', ".").replace(']', "");
    match path.as_str() {
        field::AMOUNT_TOTAL => "total_amount".to_owned(),
        "success_url" => "merchant_url.success".to_owned(),
        "failure_url" => "merchant_url.failure".to_owned(),
        "cancel_url" => "merchant_url.cancel".to_owned(),
        _ => path,
    }
}

impl IntoResponse for ProBuyError {
    fn into_response(self) -> Response {
        let e = self.0;
        let (status, error, message) = match e.kind {
            ErrorKind::Validation | ErrorKind::BadRequest => {
                (StatusCode::BAD_REQUEST, "ValidationError", "Invalid request data".to_owned())
            }
            ErrorKind::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "ValidationError", e.message.clone()),
            ErrorKind::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "ValidationError", e.message.clone())
            }
            ErrorKind::Authentication | ErrorKind::Permission => {
                (StatusCode::UNAUTHORIZED, "AuthenticationError", "Invalid or expired API token".to_owned())
            }
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, "NotFoundError", e.message.clone()),
            ErrorKind::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "NotFoundError", e.message.clone()),
            ErrorKind::Conflict | ErrorKind::IdempotencyInFlight | ErrorKind::IdempotencyMismatch => {
                (StatusCode::CONFLICT, "ConflictError", e.message.clone())
            }
            ErrorKind::TooEarly => (StatusCode::TOO_EARLY, "ConflictError", e.message.clone()),
            ErrorKind::Card => (StatusCode::PAYMENT_REQUIRED, "PaymentError", e.message.clone()),
            ErrorKind::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "RateLimitError", e.message.clone()),
            ErrorKind::Unavailable | ErrorKind::Internal => (
                if e.kind == ErrorKind::Internal {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                },
                "ServerError",
                "An unexpected error occurred. Please try again later.".to_owned(),
            ),
        };
        let mut details: BTreeMap<String, String> =
            e.details.iter().map(|d| (dotted(&d.param), d.message.trim_end_matches('.').to_owned())).collect();
        if details.is_empty()
            && matches!(
                e.kind,
                ErrorKind::Validation
                    | ErrorKind::BadRequest
                    | ErrorKind::PayloadTooLarge
                    | ErrorKind::UnsupportedMediaType
            )
        {
            details.insert(e.param.as_deref().map_or_else(|| "body".to_owned(), dotted), e.message.clone());
        }
        let body = Body {
            error,
            message,
            details,
            status_code: status.is_server_error().then_some(status.as_u16()),
            request_id: e.request_id.clone().or_else(|| request_id::current().map(|id| id.to_string())),
        };
        let mut response = (status, Json(body)).into_response();
        crate::http::face::refusal_headers(&mut response, &e);
        response
    }
}
