//! Extractors whose rejections use the standard error shape.

use super::fields::Fields;
use super::query::QueryParams;
use crate::app::{AppError, ErrorKind};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde_json::Value;

/// A JSON object body, as [`Fields`]. An empty body is an empty object.
pub struct JsonBody(pub Fields);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(_) => AppError::new(
                ErrorKind::PayloadTooLarge,
                "body_too_large",
                "The request body is larger than the limit.",
            ),
            other => AppError::new(ErrorKind::BadRequest, "invalid_body", other.body_text()),
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(Fields::new(serde_json::Map::new())));
        }
        if let Some(ct) = content_type.filter(|ct| !ct.starts_with("application/json")) {
            return Err(AppError::new(
                ErrorKind::BadRequest,
                "unsupported_content_type",
                format!("Send the body as JSON with `Content-Type: application/json`, not `{ct}`."),
            ));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(JsonBody(Fields::new(map))),
            Ok(_) => {
                Err(AppError::new(ErrorKind::BadRequest, "invalid_json", "The request body must be a JSON object."))
            }
            Err(e) => Err(AppError::new(
                ErrorKind::BadRequest,
                "invalid_json",
                format!("The request body is not valid JSON: {e}."),
            )),
        }
    }
}

/// The query string, as [`QueryParams`].
pub struct Query(pub QueryParams);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        Ok(Query(QueryParams::parse(parts.uri.query())))
    }
}

/// The single `{id}` segment of a path.
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| PathId(p.0))
            .map_err(|_| AppError::new(ErrorKind::NotFound, "resource_missing", "No such object."))
    }
}
