//! Receiving webhooks: check that a delivery comes from your gateway, and read its event.
//!
//! ```
//! use std::time::Duration;
//! # let secret = "whsec_test";
//! # let body = br#"{"id":"evt_1","object":"event","livemode":false,"type":"payment_intent.succeeded","data":{"object":{}},"created_at":"2026-01-01T00:00:00Z"}"#;
//! # let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
//! # let header = kassa::webhooks::signature_header(body, secret, now);
//! // `body`: the raw request body; `header`: its Kassa-Signature header.
//! let event = kassa::webhooks::verify(body, &header, secret, Duration::from_secs(300))?;
//! assert_eq!(event.kind, "payment_intent.succeeded");
//! # Ok::<(), kassa::webhooks::WebhookError>(())
//! ```

use kassa_api::Event;
use kassa_api::signature::{self, SignatureError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use kassa_api::signature::{DEFAULT_TOLERANCE, HEADER};

/// Why a delivery was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature header is missing or malformed, too old (or from the future), or no
    /// signature in it matches the secret.
    #[error("invalid webhook signature: {0}")]
    Signature(SignatureError),
    /// The signature is good but the body is not an event.
    #[error("the webhook body is not a Kassa event: {0}")]
    Payload(#[from] serde_json::Error),
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Verifies a delivery and returns its event. `payload` must be the raw body, byte for byte;
/// `signature_header` is the `Kassa-Signature` header; `secret` the endpoint's `whsec_…`.
/// The signature is compared in constant time; during a secret rotation any of the header's
/// signatures may match. Deliveries older than `tolerance` are refused (use
/// [`DEFAULT_TOLERANCE`], 300 s): that is what makes a captured delivery useless to replay.
pub fn verify(
    payload: &[u8],
    signature_header: &str,
    secret: &str,
    tolerance: Duration,
) -> Result<Event, WebhookError> {
    signature::verify(payload, signature_header, secret, tolerance, now()).map_err(WebhookError::Signature)?;
    Ok(serde_json::from_slice(payload)?)
}

/// The `Kassa-Signature` value for `payload` at `timestamp` (Unix seconds): what the gateway
/// sends. Useful to test your receiver.
pub fn signature_header(payload: &[u8], secret: &str, timestamp: i64) -> String {
    signature::sign(payload, timestamp, &[secret])
}

/// An axum extractor for webhook receivers (feature `axum`).
#[cfg(feature = "axum")]
pub mod axum {
    use super::{DEFAULT_TOLERANCE, HEADER, verify};
    use axum_core::extract::{FromRef, FromRequest, Request};
    use axum_core::response::{IntoResponse, Response};
    use bytes::Bytes;
    use http::StatusCode;

    /// The endpoint's signing secret, provided through the router's state (`FromRef`).
    #[derive(Debug, Clone)]
    pub struct WebhookSecret(pub String);

    /// A verified event. Rejects the request with 400 and a short reason if the signature or
    /// the body is not right.
    ///
    /// ```no_run
    /// use axum::{Router, routing::post};
    /// use kassa::webhooks::axum::{KassaEvent, WebhookSecret};
    ///
    /// async fn receive(KassaEvent(event): KassaEvent) -> &'static str {
    ///     println!("{} {}", event.kind, event.id);
    ///     "ok"
    /// }
    /// let app: Router = Router::new().route("/webhooks", post(receive)).with_state(WebhookSecret("whsec_…".into()));
    /// ```
    #[derive(Debug, Clone)]
    pub struct KassaEvent(pub kassa_api::Event);

    impl<S> FromRequest<S> for KassaEvent
    where
        S: Send + Sync,
        WebhookSecret: FromRef<S>,
    {
        type Rejection = Response;

        async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
            let secret = WebhookSecret::from_ref(state);
            let header = req
                .headers()
                .get(HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .ok_or_else(|| (StatusCode::BAD_REQUEST, "missing Kassa-Signature").into_response())?;
            let body = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
            verify(&body, &header, &secret.0, DEFAULT_TOLERANCE)
                .map(KassaEvent)
                .map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()).into_response())
        }
    }
}
