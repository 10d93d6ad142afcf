//! Webhook endpoints (`/webhook-endpoints`, Smartpay's dialect) and what their deliveries say:
//! `{id, object: "event", createdAt, test, eventData: {type, version, data}}`, signed with
//! `Smartpay-Signature` = hex HMAC-SHA256 over `<Smartpay-Signature-Timestamp>.<body>` with the
//! base62-decoded signing secret as key (wire reference §6). Deliveries go through the
//! gateway's durable, retried, logged machinery like every endpoint's.

use super::Smartpay;
use super::collection::{self, ListRequest, expand_only};
use super::error::SmartpayError;
use super::ids;
use super::orders;
use super::render::{self, EVENT_SUBSCRIPTIONS, FACE};
use crate::app::Scope;
use crate::app::{
    App, AppError, AppResult, Ctx, Delivery, EndpointChanges, NewEndpointInput, Payload, Rendered, WebhookDialect,
};
use crate::connector::BoxFuture;
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use kassa_domain::payment_intent::CaptureMethod;
use kassa_domain::webhook::{Dialect, EnabledEvents, EndpointUrl, WebhookEndpoint};
use kassa_domain::{FaceNotes, Fact, Invalid, KeyKind, Metadata, RequestId};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::BTreeSet;

/// The dialect's name on its endpoints.
pub const DIALECT: &str = "smartpay";
/// The version Smartpay's events carry.
const EVENT_VERSION: &str = "2022-02-18";

/// Smartpay's event types and the Kassa events each is rendered from. Coupon, promotion-code,
/// merchant-user and payout events may be subscribed to, but Kassa emits none of them.
const EVENT_TYPES: [(&str, &[&str]); 20] = [
    ("order.authorized", &["payment_intent.requires_capture", "payment_intent.succeeded"]),
    ("order.canceled", &["payment_intent.canceled"]),
    ("order.rejected", &["payment_intent.canceled", "payment_intent.payment_failed"]),
    ("payment.created", &["payment_intent.captured", "payment_intent.partially_captured"]),
    ("refund.created", &["refund.succeeded"]),
    ("token.created", &["token.created"]),
    ("token.approved", &["token.approved"]),
    ("token.rejected", &["token.rejected"]),
    ("token.deleted", &["token.deleted"]),
    ("token.disabled", &["token.disabled"]),
    ("token.enabled", &["token.enabled"]),
    ("token.used", &["token.used"]),
    ("coupon.created", &[]),
    ("coupon.updated", &[]),
    ("promotion_code.created", &[]),
    ("promotion_code.updated", &[]),
    ("merchant_user.created", &[]),
    ("merchant_user.password_reset", &[]),
    ("payout.generated", &[]),
    ("payout.paid", &[]),
];

/// Smartpay's base62 alphabet (upper case first: `A` is zero).
const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The signing secret as Smartpay shows it: the base62 part of Kassa's `whsec_…`.
pub fn signing_secret(secret: &str) -> &str {
    secret.strip_prefix("whsec_").unwrap_or(secret)
}

/// base-x decoding in Smartpay's alphabet: a big-endian number, each leading `A` one zero byte.
pub fn base62_decode(s: &str) -> Option<Vec<u8>> {
    let mut number: Vec<u8> = Vec::new();
    for c in s.bytes() {
        let mut carry = ALPHABET.iter().position(|&a| a == c)? as u32;
        for byte in number.iter_mut().rev() {
            carry += u32::from(*byte) * 62;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            number.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&c| c == ALPHABET[0]).count();
    let mut out = vec![0u8; zeros];
    out.extend(number);
    Some(out)
}

/// `Smartpay-Signature` of `body` sent at `timestamp_ms`.
pub fn sign(secret: &str, timestamp_ms: i64, body: &[u8]) -> Result<String, AppError> {
    let key =
        base62_decode(signing_secret(secret)).ok_or_else(|| AppError::internal("a signing secret not in base62"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(format!("{timestamp_ms}.").as_bytes());
    mac.update(body);
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// The Smartpay event a Kassa event is, if any.
fn smartpay_type(event_type: &str, payload: &Payload) -> Option<&'static str> {
    let pi = match payload {
        Payload::Fact(Fact::PaymentIntent { payment_intent, .. }) => Some(payment_intent),
        _ => None,
    };
    Some(match event_type {
        "payment_intent.requires_capture" => "order.authorized",
        // Authorized and captured at once; after manual captures, the last capture says it.
        "payment_intent.succeeded" if pi?.capture_method == CaptureMethod::Automatic => "order.authorized",
        "payment_intent.canceled" if pi?.last_error.is_some() && pi?.amount_authorized.is_zero() => "order.rejected",
        "payment_intent.canceled" => "order.canceled",
        "payment_intent.payment_failed" if pi?.token.is_some() => "order.rejected",
        "payment_intent.captured" | "payment_intent.partially_captured" => "payment.created",
        "refund.succeeded" => "refund.created",
        t if t.starts_with("token.") => EVENT_TYPES.iter().find(|(name, _)| *name == t)?.0,
        _ => return None,
    })
}

/// The object a Smartpay event carries.
async fn event_data(app: &App, ctx: &Ctx, kind: &str, payload: &Payload) -> AppResult<Option<Value>> {
    Ok(match payload {
        Payload::Fact(Fact::PaymentIntent { payment_intent, .. }) if kind == "payment.created" => {
            let Some(capture) = &payment_intent.latest_capture else { return Ok(None) };
            let capture = app.get_capture(ctx, capture.as_str()).await?;
            let refunds = app.all_refunds_of(ctx, &payment_intent.id).await?;
            Some(render::payment(&capture, &refunds, collection::Expand(false)))
        }
        Payload::Fact(Fact::PaymentIntent { payment_intent, .. }) => {
            Some(orders::load(app, ctx, (**payment_intent).clone()).await?.render(collection::Expand(false)))
        }
        Payload::Fact(Fact::Refund { refund, .. }) => Some(render::refund(refund)),
        Payload::Fact(Fact::Token { token }) => Some(render::token(token)),
        _ => None,
    })
}

fn subscribed(endpoint: &WebhookEndpoint, kind: &str) -> bool {
    match endpoint.face_notes.get(FACE, EVENT_SUBSCRIPTIONS) {
        Some(names) => names.split(',').any(|n| n == kind),
        None => true,
    }
}

/// Deliveries to endpoints created through Smartpay's face.
pub struct SmartpayWebhooks;

impl WebhookDialect for SmartpayWebhooks {
    fn name(&self) -> &'static str {
        DIALECT
    }

    fn render<'a>(&'a self, app: &'a App, d: Delivery<'a>) -> BoxFuture<'a, AppResult<Vec<Rendered>>> {
        Box::pin(async move {
            let Some(kind) = smartpay_type(&d.event.event_type, &d.event.payload) else { return Ok(Vec::new()) };
            if !subscribed(d.endpoint, kind) {
                return Ok(Vec::new());
            }
            let mode = d.endpoint.mode;
            let scope = Scope { merchant_id: d.endpoint.merchant_id.clone(), mode };
            let ctx = Ctx::new(scope, KeyKind::Secret, RequestId::generate(), None);
            let Some(data) = event_data(app, &ctx, kind, &d.event.payload).await? else { return Ok(Vec::new()) };
            let event_id = ids::wire(ids::EVENT, mode, d.event.id.as_str());
            let body = json!({
                "id": event_id,
                "object": "event",
                "createdAt": render::millis(d.event.created_at),
                "test": mode == kassa_domain::Mode::Test,
                "eventData": {"type": kind, "version": EVENT_VERSION, "data": data},
            });
            let body = serde_json::to_vec(&body).map_err(AppError::internal)?;
            let timestamp = render::millis(d.now);
            let signature = sign(&d.endpoint.secret, timestamp, &body)?;
            let headers = vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("Smartpay-Signature".to_owned(), signature),
                ("Smartpay-Signature-Timestamp".to_owned(), timestamp.to_string()),
                ("Smartpay-Subscription-Id".to_owned(), ids::wire(ids::ENDPOINT, mode, d.endpoint.id.as_str())),
                ("Smartpay-Event-Id".to_owned(), event_id),
            ];
            Ok(vec![Rendered { body, headers }])
        })
    }
}

/// `eventSubscriptions`: Smartpay event types, every one known.
fn read_subscriptions(f: &mut Fields) -> Option<Vec<String>> {
    let value = f.json("eventSubscriptions")?;
    let names: Option<Vec<String>> =
        value.as_array().and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect());
    let Some(names) = names else {
        f.reject("eventSubscriptions", Invalid::new("invalid_event_subscriptions", "A list of event types."));
        return None;
    };
    let unknown: Vec<&str> =
        names.iter().filter(|n| !EVENT_TYPES.iter().any(|(t, _)| t == n)).map(String::as_str).collect();
    if !unknown.is_empty() {
        f.reject(
            "eventSubscriptions",
            Invalid::new("invalid_event_subscriptions", format!("Unknown event types: {}.", unknown.join(", "))),
        );
        return None;
    }
    Some(names)
}

/// The Kassa events behind Smartpay `names`.
fn kassa_events(names: &[String]) -> EnabledEvents {
    let types: BTreeSet<String> = EVENT_TYPES
        .iter()
        .filter(|(t, _)| names.iter().any(|n| n == t))
        .flat_map(|(_, kassa)| kassa.iter().map(|k| (*k).to_owned()))
        .collect();
    EnabledEvents::Only(types)
}

fn all_types() -> Vec<String> {
    EVENT_TYPES.iter().map(|(t, _)| (*t).to_owned()).collect()
}

async fn endpoint(s: &HttpState, ctx: &Ctx, wire_id: &str) -> AppResult<(String, WebhookEndpoint)> {
    let id = ids::parse(ids::ENDPOINT, ctx.scope.mode, wire_id)?;
    let e = s.app.get_webhook_endpoint(ctx, &id).await?;
    // Endpoints of other faces speak other dialects: not Smartpay's to show.
    if e.dialect.as_str() != DIALECT {
        return Err(ids::not_found(ids::ENDPOINT, wire_id));
    }
    Ok((id, e))
}

/// `POST /webhook-endpoints` `{url, eventSubscriptions?, description?, metadata?}`.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let mode = ctx.scope.mode;
    let url = f.required_parsed("url", |u| EndpointUrl::parse(u, mode));
    let names = read_subscriptions(&mut f).unwrap_or_else(all_types);
    let description = f.string("description", 255);
    let metadata = f.string_map("metadata").unwrap_or_default();
    f.finish()?;
    let input = NewEndpointInput {
        url: vouched(url)?,
        enabled_events: kassa_events(&names),
        description,
        metadata: Metadata::new(metadata).map_err(|e| AppError::invalid_field("metadata", e))?,
        face_notes: FaceNotes::default().with(FACE, EVENT_SUBSCRIPTIONS, Some(names.join(","))),
        dialect: Dialect::new(DIALECT),
    };
    Ok(Json(render::endpoint(&s.app.create_webhook_endpoint(&ctx, input).await?)))
}

/// `GET /webhook-endpoints/{id}`.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    expand_only(q)?;
    Ok(Json(render::endpoint(&endpoint(&s, &ctx, &id).await?.1)))
}

/// `PATCH /webhook-endpoints/{id}` `{active?, url?, eventSubscriptions?, description?, metadata?}`.
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let mode = ctx.scope.mode;
    let url = f.parsed("url", |u| EndpointUrl::parse(u, mode));
    let names = read_subscriptions(&mut f);
    let active = f.boolean("active");
    let description = f.string("description", 255);
    let metadata = f.string_map("metadata");
    // The SDK sends an update's idempotencyKey in the body.
    f.ignore(&["idempotencyKey"]);
    f.finish()?;
    let (kassa_id, _) = endpoint(&s, &ctx, &id).await?;
    let changes = EndpointChanges {
        url,
        enabled_events: names.as_deref().map(kassa_events),
        active,
        description,
        metadata,
        face_notes: FaceNotes::default().with(FACE, EVENT_SUBSCRIPTIONS, names.map(|n| n.join(","))),
    };
    Ok(Json(render::endpoint(&s.app.update_webhook_endpoint(&ctx, &kassa_id, changes).await?)))
}

/// `DELETE /webhook-endpoints/{id}` → 204.
pub async fn delete(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
) -> Result<Response, SmartpayError> {
    let (kassa_id, _) = endpoint(&s, &ctx, &id).await?;
    s.app.delete_webhook_endpoint(&ctx, &kassa_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /webhook-endpoints`: the endpoints created through this face, newest first.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Params(mut q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let asked: ListRequest = collection::request(&mut q);
    collection::finish(q)?;
    let found = s.app.list_webhook_endpoints_in(&ctx, &Dialect::new(DIALECT), asked.page.clone()).await?;
    let data = found.items.iter().map(render::endpoint).collect();
    Ok(collection::respond(&asked, &found, data)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of Smartpay's SDKs (wire reference §6).
    #[test]
    fn signs_like_smartpay() {
        let secret = "gybcsjixKyBW2d4z6iNPlaYzHUMtawnodwZt3W0q";
        let key = base62_decode(secret).unwrap();
        assert_eq!(key.len(), 30);
        assert_eq!(hex::encode(&key[..4]), "260d2907");
        assert_eq!(hex::encode(&key[28..]), "6d92");
        let body = r#"{"id":"evt_test_dwPfFKu5iSEKyHR2LFj9Lx","object":"event","createdAt":1653028523052,"test":true,"eventData":{"type":"payment.created","version":"2022-02-18","data":{"id":"payment_test_35LxgmF5KM22XKG38BjpJg","object":"payment","test":true,"createdAt":1653028523020,"updatedAt":1653028523020,"amount":200,"currency":"JPY","order":"order_test_RiYq2rthzRHrkKVGeucSwn","reference":"order_ref_1234567","status":"processed","metadata":{}}}}"#;
        assert_eq!(
            sign(secret, 1_653_028_612_220, body.as_bytes()).unwrap(),
            "68007ada8485ea0ceca7c5e879ae860a50412b7af95ab8e81b32a3e13f3c0832"
        );
    }

    #[test]
    fn leading_zero_digits_are_zero_bytes() {
        assert_eq!(base62_decode("AAB").unwrap(), vec![0, 0, 1]);
        assert_eq!(base62_decode("BA").unwrap(), vec![62]);
        assert_eq!(base62_decode("bad!"), None);
    }

    #[test]
    fn every_subscription_names_known_kassa_events() {
        for (name, kassa) in EVENT_TYPES {
            for t in kassa {
                assert!(kassa_domain::EventType::from_name(t).is_some(), "{name} → {t}");
            }
        }
    }
}
