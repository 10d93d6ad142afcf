//! Vipps' Webhooks API (`/webhooks/v1/webhooks`) for ePayment events, and the dialect its
//! endpoints speak: `{msn, reference, pspReference, name, amount, timestamp, idempotencyKey,
//! success}`, signed with Vipps' HMAC scheme (`x-ms-date`, `x-ms-content-sha256` and an
//! `Authorization: HMAC-SHA256 SignedHeaders=…&Signature=…` over method, path, date, host and
//! content hash). Deliveries go through the gateway's durable, retried, logged machinery.

use super::error::VippsError;
use super::state::log_entry;
use super::{FACE, Vipps};
use crate::app::Scope;
use crate::app::{App, AppError, AppResult, Ctx, Delivery, NewEndpointInput, Rendered, WebhookDialect};
use crate::connector::BoxFuture;
use crate::faces::timestamps::iso_millis;
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id};
use crate::http::fields::vouched;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use kassa_domain::webhook::{Dialect, EnabledEvents, EndpointUrl};
use kassa_domain::{FaceNotes, Fact, Invalid, KeyKind, Metadata, RequestId, Timestamp};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The dialect's name on its endpoints.
pub const DIALECT: &str = "vipps";
/// The face note that keeps the Vipps event names an endpoint was registered with.
const EVENTS: &str = "events";

/// Vipps' ePayment event names and the Kassa events each stands for.
const EVENT_NAMES: [(&str, &[&str]); 8] = [
    ("epayments.payment.created.v1", &["payment_intent.created"]),
    ("epayments.payment.authorized.v1", &["payment_intent.requires_capture"]),
    ("epayments.payment.captured.v1", &["payment_intent.captured", "payment_intent.partially_captured"]),
    ("epayments.payment.refunded.v1", &["refund.succeeded"]),
    ("epayments.payment.cancelled.v1", &["payment_intent.canceled", "payment_intent.succeeded"]),
    ("epayments.payment.aborted.v1", &["checkout.session.canceled"]),
    ("epayments.payment.expired.v1", &["checkout.session.expired"]),
    ("epayments.payment.terminated.v1", &["payment_intent.canceled"]),
];

/// The Vipps event name of a log entry's name (`CAPTURED` → `epayments.payment.captured.v1`).
fn vipps_event_name(name: &str) -> String {
    format!("epayments.payment.{}.v1", name.to_ascii_lowercase())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    msn: String,
    reference: String,
    psp_reference: String,
    name: &'static str,
    amount: super::epayment::Money,
    timestamp: String,
    idempotency_key: Option<String>,
    success: bool,
}

/// `x-ms-date` and the `Authorization` value for a POST of `body` to `url` at `now`.
pub fn sign(secret: &str, url: &str, body: &[u8], date: &str) -> Result<(String, String), AppError> {
    let parsed = reqwest::Url::parse(url).map_err(AppError::internal)?;
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        (None, _) => return Err(AppError::internal("an endpoint URL without a host")),
    };
    let path_and_query = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    let content_hash = BASE64.encode(Sha256::digest(body));
    let signed = format!("POST\n{path_and_query}\n{date};{host};{content_hash}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(signed.as_bytes());
    let signature = BASE64.encode(mac.finalize().into_bytes());
    Ok((content_hash, format!("HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}")))
}

/// RFC 1123, as `x-ms-date` wants it: `Thu, 30 Mar 2023 08:38:32 GMT`.
fn http_date(now: Timestamp) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    crate::faces::timestamps::datetime(now).format(&format).unwrap_or_default()
}

/// Deliveries to endpoints registered through Vipps' Webhooks API.
pub struct VippsWebhooks;

impl WebhookDialect for VippsWebhooks {
    fn name(&self) -> &'static str {
        DIALECT
    }

    fn render<'a>(&'a self, app: &'a App, d: Delivery<'a>) -> BoxFuture<'a, AppResult<Vec<Rendered>>> {
        Box::pin(async move {
            let Some(entry) = log_entry(d.event) else { return Ok(Vec::new()) };
            // Only the operations the endpoint asked for in Vipps' words (one Kassa event type
            // can stand for two of them).
            let wanted = d.endpoint.face_notes.get(FACE, EVENTS).unwrap_or_default();
            if !wanted.split(',').any(|w| w == vipps_event_name(entry.name)) {
                return Ok(Vec::new());
            }
            let scope = Scope { merchant_id: d.endpoint.merchant_id.clone(), mode: d.endpoint.mode };
            let ctx = Ctx::new(scope, KeyKind::Secret, RequestId::generate(), None);
            let pi_id = match &d.event.payload {
                crate::app::Payload::Fact(Fact::PaymentIntent { payment_intent, .. }) => payment_intent.id.clone(),
                crate::app::Payload::Fact(Fact::Refund { refund, .. }) => refund.payment_intent_id.clone(),
                crate::app::Payload::Fact(Fact::CheckoutSession { checkout_session }) => {
                    match checkout_session.payment_intent_id() {
                        Some(id) => id.clone(),
                        None => return Ok(Vec::new()),
                    }
                }
                _ => return Ok(Vec::new()),
            };
            let pi = app.get_payment_intent(&ctx, pi_id.as_str()).await?;
            let merchant = app.merchant(&d.endpoint.merchant_id).await?;
            let payload = Payload {
                msn: merchant.serial_number.get().to_string(),
                reference: pi.reference.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_else(|| pi.id.to_string()),
                psp_reference: pi.id.to_string(),
                name: entry.name,
                amount: super::epayment::money(pi.currency, entry.amount),
                timestamp: iso_millis(d.event.created_at),
                idempotency_key: d.event.idempotency_key.clone(),
                success: entry.success,
            };
            let body = serde_json::to_vec(&payload).map_err(AppError::internal)?;
            let date = http_date(d.now);
            let (content_hash, authorization) = sign(&d.endpoint.secret, d.endpoint.url.as_str(), &body, &date)?;
            let headers = vec![
                ("x-ms-date".to_owned(), date),
                ("x-ms-content-sha256".to_owned(), content_hash),
                ("Authorization".to_owned(), authorization),
                ("Content-Type".to_owned(), "application/json".to_owned()),
            ];
            Ok(vec![Rendered { body, headers }])
        })
    }
}

#[derive(Serialize)]
struct Registered {
    id: String,
    secret: String,
}

#[derive(Serialize)]
struct Registration {
    id: String,
    url: String,
    events: Vec<String>,
}

#[derive(Serialize)]
struct Registrations {
    webhooks: Vec<Registration>,
}

/// `POST /webhooks/v1/webhooks` `{url, events}` → 201 `{id, secret}`.
pub async fn register(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Body(mut f, _): Body<Vipps>,
) -> Result<Response, VippsError> {
    let mode = ctx.scope.mode;
    let url = f.required_parsed("url", |u| EndpointUrl::parse(u, mode));
    let events = match f.json("events") {
        Some(serde_json::Value::Array(items)) if !items.is_empty() => {
            let names: Vec<String> = items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
            let unknown: Vec<&String> =
                names.iter().filter(|n| !EVENT_NAMES.iter().any(|(name, _)| name == n)).collect();
            if names.len() != items.len() || !unknown.is_empty() {
                f.reject(
                    "events",
                    Invalid::new(
                        "invalid_events",
                        format!("Unknown event names: {unknown:?}. Use epayments.payment.*.v1."),
                    ),
                );
                None
            } else {
                Some(names)
            }
        }
        _ => {
            f.reject("events", Invalid::new("parameter_missing", "events must list at least one event name."));
            None
        }
    };
    f.finish()?;
    let names = vouched(events)?;
    let kassa: Vec<String> = EVENT_NAMES
        .iter()
        .filter(|(name, _)| names.iter().any(|n| n == name))
        .flat_map(|(_, types)| types.iter().map(|t| (*t).to_owned()))
        .collect();
    let enabled_events = EnabledEvents::parse(&kassa).map_err(|e| AppError::invalid_field("events", e))?;
    let input = NewEndpointInput {
        url: vouched(url)?,
        enabled_events,
        description: Some("Vipps webhook".to_owned()),
        metadata: Metadata::default(),
        face_notes: FaceNotes::default().with(FACE, EVENTS, Some(names.join(","))),
        dialect: Dialect::new(DIALECT),
    };
    let endpoint = s.app.create_webhook_endpoint(&ctx, input).await?;
    Ok((StatusCode::CREATED, Json(Registered { id: endpoint.id.to_string(), secret: endpoint.secret })).into_response())
}

/// `GET /webhooks/v1/webhooks`: the endpoints registered through this API.
pub async fn list(State(s): State<HttpState>, Caller(ctx, _): Caller<Vipps>) -> Result<Response, VippsError> {
    let endpoints = s.app.all_webhook_endpoints_in(&ctx, &Dialect::new(DIALECT)).await?;
    let webhooks = endpoints
        .iter()
        .map(|e| {
            let events = e.face_notes.get(FACE, EVENTS).unwrap_or_default();
            Registration {
                id: e.id.to_string(),
                url: e.url.as_str().to_owned(),
                events: events.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            }
        })
        .collect();
    Ok(Json(Registrations { webhooks }).into_response())
}

/// `DELETE /webhooks/v1/webhooks/{id}` → 204.
pub async fn delete(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Vipps>,
    Id(id, _): Id<Vipps>,
) -> Result<Response, VippsError> {
    let endpoint = s.app.get_webhook_endpoint(&ctx, &id).await?;
    if endpoint.dialect.as_str() != DIALECT {
        return Err(AppError::not_found("webhook", &id).into());
    }
    s.app.delete_webhook_endpoint(&ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of Vipps' webhook documentation (wire reference §6).
    #[test]
    fn signs_like_vipps_documentation() {
        let secret = "A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==";
        let body = br#"{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}"#;
        let (hash, authorization) = sign(
            secret,
            "https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63",
            body,
            "Thu, 30 Mar 2023 08:38:32 GMT",
        )
        .unwrap();
        assert_eq!(hash, "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=");
        assert_eq!(
            authorization,
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U="
        );
    }

    #[test]
    fn dates_are_rfc_1123() {
        assert_eq!(http_date(Timestamp(1_680_165_512_000_000)), "Thu, 30 Mar 2023 08:38:32 GMT");
    }
}
