//! Vipps' problem bodies. ePayment answers RFC 7807 problems (`type`, `title`, `status`,
//! `detail`, `traceId`); Checkout answers `errorCode` and `errors` (field → messages). One body
//! carries both, so either client reads what it expects.

use crate::app::{AppError, ErrorKind};
use crate::http::request_id;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;

/// An application error, answered as a Vipps problem.
#[derive(Debug)]
pub struct VippsError(pub AppError);

impl From<AppError> for VippsError {
    fn from(e: AppError) -> VippsError {
        VippsError(e)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    detail: String,
    trace_id: String,
    error_code: String,
    errors: BTreeMap<String, Vec<String>>,
}

/// The HTTP status and title Vipps gives a kind of refusal.
fn status_of(kind: ErrorKind) -> (StatusCode, &'static str) {
    match kind {
        ErrorKind::Validation | ErrorKind::BadRequest | ErrorKind::Card => (StatusCode::BAD_REQUEST, "Bad Request"),
        ErrorKind::Authentication => (StatusCode::UNAUTHORIZED, "Unauthorized"),
        ErrorKind::Permission => (StatusCode::FORBIDDEN, "Forbidden"),
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, "Not Found"),
        ErrorKind::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
        ErrorKind::Conflict | ErrorKind::IdempotencyInFlight | ErrorKind::IdempotencyMismatch => {
            (StatusCode::CONFLICT, "Conflict")
        }
        ErrorKind::TooEarly => (StatusCode::TOO_EARLY, "Too Early"),
        ErrorKind::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large"),
        ErrorKind::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type"),
        ErrorKind::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests"),
        ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
        ErrorKind::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    }
}

impl IntoResponse for VippsError {
    fn into_response(self) -> Response {
        let e = self.0;
        let (status, title) = status_of(e.kind);
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for d in &e.details {
            errors.entry(super::wire_field(&d.param)).or_default().push(d.message.clone());
        }
        if errors.is_empty()
            && let Some(param) = &e.param
        {
            errors.insert(super::wire_field(param), vec![e.message.clone()]);
        }
        let detail = match e.details.as_slice() {
            [] => e.message.clone(),
            details => details
                .iter()
                .map(|d| format!("{}: {}", super::wire_field(&d.param), d.message))
                .collect::<Vec<_>>()
                .join(" "),
        };
        let problem = Problem {
            kind: format!("https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems#{}", e.code),
            title,
            status: status.as_u16(),
            detail,
            trace_id: request_id::current().map(|id| id.to_string()).unwrap_or_default(),
            error_code: e.code.to_string(),
            errors,
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        crate::http::face::refusal_headers(&mut response, &e);
        response
    }
}
