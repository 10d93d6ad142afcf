//! The v1 webhook dialect: the event as `GET /v1/events/{id}` shows it, signed with
//! `Kassa-Signature: t=…,v1=…` (`kassa_api::signature`, which the SDK verifies).

use super::render;
use crate::app::{App, AppError, AppResult, Delivery, Rendered, WebhookDialect};
use crate::connector::BoxFuture;
use kassa_domain::webhook::Dialect;

/// Deliveries to endpoints created through `/v1`.
pub struct V1Webhooks;

impl WebhookDialect for V1Webhooks {
    fn name(&self) -> &'static str {
        Dialect::NATIVE
    }

    fn render<'a>(&'a self, app: &'a App, d: Delivery<'a>) -> BoxFuture<'a, AppResult<Vec<Rendered>>> {
        Box::pin(async move { self.sign(app, d).map(|r| vec![r]) })
    }
}

impl V1Webhooks {
    fn sign(&self, app: &App, d: Delivery<'_>) -> AppResult<Rendered> {
        let body = serde_json::to_vec(&render::event(d.event, app)).map_err(AppError::internal)?;
        let signature =
            kassa_api::signature::sign(&body, d.now.micros() / 1_000_000, &d.endpoint.signing_secrets(d.now));
        let headers = vec![
            (kassa_api::signature::HEADER.to_owned(), signature),
            ("Kassa-Event-Id".to_owned(), d.event.id.to_string()),
            ("Kassa-Delivery-Attempt".to_owned(), d.attempt.to_string()),
            ("Kassa-Delivery-Id".to_owned(), d.delivery_id.to_owned()),
        ];
        Ok(Rendered { body, headers })
    }
}
