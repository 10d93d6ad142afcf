//! Stripe's refusals: `{"error": {type, code, message, param, decline_code, doc_url, …}}`, with
//! the status stripe-node picks its error class from: 400 (Kassa's 422 too), 401, 402 for a
//! card's decline, 404, 409 with `Stripe-Should-Retry` for a key still at work, 429, 5xx.

use crate::app::{AppError, ErrorKind};
use crate::http::face::refusal_headers;
use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An application error, answered in Stripe's shape (optionally with the object a decline
/// concerns, as Stripe embeds it: `payment_intent`, `payment_method`, `setup_intent`).
#[derive(Debug)]
pub struct StripeError(pub AppError, pub Option<(&'static str, Value)>);

impl From<AppError> for StripeError {
    fn from(e: AppError) -> StripeError {
        StripeError(e, None)
    }
}

impl StripeError {
    /// A refusal carrying the object it concerns under `key`.
    pub fn with_object(e: AppError, key: &'static str, object: Option<Value>) -> StripeError {
        StripeError(e, object.map(|o| (key, o)))
    }
}

fn status_of(e: &AppError) -> StatusCode {
    match e.kind {
        ErrorKind::Validation | ErrorKind::BadRequest | ErrorKind::IdempotencyMismatch => StatusCode::BAD_REQUEST,
        // Stripe refuses an action the object's state forbids as a bad request.
        ErrorKind::Conflict if e.retry_after.is_none() => StatusCode::BAD_REQUEST,
        ErrorKind::Conflict | ErrorKind::IdempotencyInFlight | ErrorKind::TooEarly => StatusCode::CONFLICT,
        ErrorKind::Card => StatusCode::PAYMENT_REQUIRED,
        ErrorKind::Authentication => StatusCode::UNAUTHORIZED,
        ErrorKind::Permission => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn type_of(e: &AppError) -> &'static str {
    match e.kind {
        ErrorKind::Card => "card_error",
        ErrorKind::Authentication | ErrorKind::Permission => "authentication_error",
        ErrorKind::IdempotencyMismatch => "idempotency_error",
        ErrorKind::RateLimited => "rate_limit_error",
        ErrorKind::Unavailable | ErrorKind::Internal => "api_error",
        _ => "invalid_request_error",
    }
}

/// Stripe's code for a Kassa refusal.
fn code_of(e: &AppError) -> String {
    match (e.kind, e.code.as_ref()) {
        (ErrorKind::Conflict, _) if e.current_status.is_some() => "payment_intent_unexpected_state".into(),
        (ErrorKind::IdempotencyMismatch, _) => "idempotency_key_in_use".into(),
        (ErrorKind::NotFound, "route_not_found") => String::new(),
        (ErrorKind::Validation, _) => e.details.first().map_or_else(|| e.code.to_string(), |d| d.code.to_string()),
        _ => e.code.to_string(),
    }
}

fn message_of(e: &AppError) -> String {
    match (e.kind, e.details.as_slice()) {
        (ErrorKind::IdempotencyMismatch, _) => {
            "Keys for idempotent requests can only be used with the same parameters \
             they were first used with. Try using a key other than the one used in the original request."
                .into()
        }
        (ErrorKind::Validation, [one]) => one.message.clone(),
        (ErrorKind::Validation, many @ [_, ..]) => {
            many.iter().map(|d| format!("{}: {}", d.param, d.message)).collect::<Vec<_>>().join(" ")
        }
        _ => e.message.clone(),
    }
}

impl IntoResponse for StripeError {
    fn into_response(self) -> Response {
        let StripeError(e, concerned) = self;
        let status = status_of(&e);
        let mut error = json!({"type": type_of(&e), "message": message_of(&e)});
        let code = code_of(&e);
        if !code.is_empty() {
            error["code"] = json!(code);
            error["doc_url"] = json!(format!("https://stripe.com/docs/error-codes/{}", code.replace('_', "-")));
        }
        if let Some(param) = e.param.clone().or_else(|| e.details.first().map(|d| d.param.clone())) {
            error["param"] = json!(param);
        }
        if let Some(decline) = &e.decline_code {
            error["decline_code"] = json!(decline);
        }
        if let Some((key, object)) = concerned {
            error[key] = object;
        }
        if let Some(request) = &e.request_id {
            error["request_log_url"] = json!(format!("https://dashboard.stripe.com/test/logs/{request}"));
        }
        let mut response = (status, Json(json!({"error": error}))).into_response();
        refusal_headers(&mut response, &e);
        // stripe-node retries a 409 unless told not to: a key still at work is worth a retry,
        // a refusal is not.
        let retry = matches!(e.kind, ErrorKind::IdempotencyInFlight | ErrorKind::TooEarly) || e.retry_after.is_some();
        let should_retry = if retry { "true" } else { "false" };
        response.headers_mut().insert("stripe-should-retry", HeaderValue::from_static(should_retry));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::FieldError;
    use kassa_domain::Invalid;

    fn shape(e: AppError) -> (u16, Value) {
        let response = StripeError::from(e).into_response();
        let status = response.status().as_u16();
        let body = futures_body(response);
        (status, body)
    }

    fn futures_body(response: Response) -> Value {
        let bytes = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(axum::body::to_bytes(response.into_body(), 1 << 16))
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn kassa_refusals_take_the_status_stripe_node_picks_its_error_class_from() {
        let invalid =
            AppError::validation(vec![FieldError::new("amount", Invalid::new("amount_too_small", "Too small."))]);
        let (status, body) = shape(invalid);
        assert_eq!(
            (status, body["error"]["type"].as_str(), body["error"]["param"].as_str()),
            (400, Some("invalid_request_error"), Some("amount"))
        );
        let declined = AppError::new(ErrorKind::Card, "card_declined", "Your card was declined.")
            .with_decline_code(Some("generic_decline".into()));
        let (status, body) = shape(declined);
        assert_eq!(
            (status, body["error"]["type"].as_str(), body["error"]["decline_code"].as_str()),
            (402, Some("card_error"), Some("generic_decline"))
        );
        let (status, body) = shape(AppError::not_found("payment_intent", "pi_x"));
        assert_eq!((status, body["error"]["code"].as_str()), (404, Some("resource_missing")));
        let conflict = AppError::new(ErrorKind::Conflict, "invalid_state", "No.").with_current_status("succeeded");
        let (status, body) = shape(conflict);
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("payment_intent_unexpected_state")));
        let (status, body) = shape(AppError::new(ErrorKind::IdempotencyMismatch, "idempotency_key_reused", "x"));
        assert_eq!((status, body["error"]["type"].as_str()), (400, Some("idempotency_error")));
        let (status, _) = shape(AppError::new(ErrorKind::IdempotencyInFlight, "in_flight", "x"));
        assert_eq!(status, 409);
    }
}
