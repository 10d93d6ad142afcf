//! `POST /connectors/{id}/notifications`: where a provider (Vipps' Webhooks API, Smartpay's
//! webhook endpoints) tells Kassa about a connector's payments. Public: the notification's
//! signature, checked with the subscription's secret, is the only way in (401 otherwise,
//! nothing changed). A notification only makes Kassa ask the provider; its body is never taken
//! for a payment's state.

use crate::app::Notification;
use crate::faces::v1::V1Error;
use crate::http::HttpState;
use crate::http::face::{Face, Id, RawBody};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::routing::post;

/// Providers' notifications to connectors (refusals in the native API's shape).
pub struct ProviderNotifications;

impl Face for ProviderNotifications {
    type Error = V1Error;

    fn routes() -> Router<HttpState> {
        Router::new()
    }

    fn public_routes() -> Router<HttpState> {
        Router::new().route("/connectors/{id}/notifications", post(notified))
    }
}

async fn notified(
    State(s): State<HttpState>,
    Id(id, _): Id<ProviderNotifications>,
    uri: Uri,
    headers: HeaderMap,
    RawBody(body, _): RawBody<ProviderNotifications>,
) -> Result<StatusCode, V1Error> {
    // Each provider's signature covers headers of its own; the connector picks them.
    let pairs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
        .collect();
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or(uri.path());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let notification = Notification { path_and_query, host: &host, headers: &pairs, body: &body };
    s.app.connector_notified(&id, notification).await?;
    Ok(StatusCode::OK)
}
