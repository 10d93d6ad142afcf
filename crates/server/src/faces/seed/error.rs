//! The seed API's error object: `{"error": {type, code, message, param}}`, plus an `errors`
//! list naming every invalid field (the seed reported only the first).

use crate::app::{AppError, ErrorKind, FieldError, field};
use crate::http::request_id;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An application error, answered in the seed's shape.
#[derive(Debug)]
pub struct SeedError(pub AppError);

impl From<AppError> for SeedError {
    fn from(e: AppError) -> SeedError {
        SeedError(e)
    }
}

#[derive(Serialize)]
struct Body {
    error: Object,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<Object>,
}

#[derive(Serialize)]
struct Object {
    #[serde(rename = "type")]
    kind: &'static str,
    code: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

/// Status and error type of a kind, per the seed's table (validation and card errors 422,
/// authentication 401, malformed or conflicting requests 400/404/409, limits 429, faults 5xx).
fn status_and_type(kind: ErrorKind, code: &str) -> (StatusCode, &'static str) {
    match kind {
        // The seed has no 403: a test-only feature asked for with a live key is a bad request.
        ErrorKind::Permission if code == TEST_MODE_ONLY => (StatusCode::BAD_REQUEST, "invalid_request_error"),
        ErrorKind::Validation => (StatusCode::UNPROCESSABLE_ENTITY, "validation_error"),
        ErrorKind::Card => (StatusCode::UNPROCESSABLE_ENTITY, "card_error"),
        ErrorKind::Authentication | ErrorKind::Permission => (StatusCode::UNAUTHORIZED, "auth_error"),
        ErrorKind::BadRequest => (StatusCode::BAD_REQUEST, "invalid_request_error"),
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, "invalid_request_error"),
        ErrorKind::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "invalid_request_error"),
        ErrorKind::Conflict | ErrorKind::IdempotencyInFlight | ErrorKind::IdempotencyMismatch => {
            (StatusCode::CONFLICT, "invalid_request_error")
        }
        ErrorKind::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "invalid_request_error"),
        ErrorKind::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid_request_error"),
        ErrorKind::TooEarly => (StatusCode::TOO_EARLY, "invalid_request_error"),
        ErrorKind::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limit_error"),
        ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "api_error"),
        ErrorKind::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "api_error"),
    }
}

const TEST_MODE_ONLY: &str = "test_mode_only";

/// The seed's names for Kassa's codes, where they differ.
fn code(kind: ErrorKind, code: &str) -> String {
    match (kind, code) {
        (ErrorKind::Authentication, "missing_api_key") => "missing_authorization",
        (ErrorKind::Permission, TEST_MODE_ONLY) => TEST_MODE_ONLY,
        (ErrorKind::Authentication | ErrorKind::Permission, _) => "invalid_key",
        (ErrorKind::NotFound, "route_not_found") => "not_found",
        (ErrorKind::NotFound, _) => "resource_not_found",
        (ErrorKind::RateLimited, _) => "too_many_requests",
        (_, other) => other,
    }
    .to_owned()
}

/// The seed's names for Kassa's parameters, where they differ.
fn param(param: &str) -> String {
    match param {
        field::PAYMENT_METHOD | field::CARD_NUMBER => "payment_method_id",
        "customer" => "customer_id",
        "payment_intent" => "payment_id",
        other => other,
    }
    .to_owned()
}

fn detail(kind: &'static str, d: &FieldError) -> Object {
    Object {
        kind,
        code: d.code.to_string(),
        message: d.message.clone(),
        param: Some(param(&d.param)),
        current_status: None,
        request_id: None,
    }
}

impl IntoResponse for SeedError {
    fn into_response(self) -> Response {
        let e = self.0;
        let (status, kind) = status_and_type(e.kind, &e.code);
        let request_id = e.request_id.clone().or_else(|| request_id::current().map(|id| id.to_string()));
        let errors: Vec<Object> = e.details.iter().map(|d| detail(kind, d)).collect();
        let error = match e.details.first() {
            Some(first) => Object { request_id, ..detail(kind, first) },
            None => Object {
                kind,
                code: code(e.kind, &e.code),
                message: e.message.clone(),
                param: e.param.as_deref().map(param),
                current_status: e.current_status.clone(),
                request_id,
            },
        };
        let mut response = (status, Json(Body { error, errors })).into_response();
        crate::http::face::refusal_headers(&mut response, &e);
        response
    }
}
