//! `/v1/webhook_endpoints`

use crate::client::Client;
use crate::error::Error;
use crate::pagination::paginate;
use crate::request::{Request, segment};
use futures_core::Stream;
use kassa_api::{
    CreateWebhookEndpoint, Deleted, List, ListParams, RotateWebhookSecret, UpdateWebhookEndpoint, WebhookAttempt,
    WebhookEndpoint,
};
use reqwest::Method;

/// Webhook endpoints. Get one with [`Client::webhook_endpoints`].
#[derive(Debug, Clone, Copy)]
pub struct WebhookEndpoints<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> WebhookEndpoints<'a> {
    /// Registers an endpoint. The answer's `secret` (`whsec_…`) is shown only now: keep it to
    /// verify deliveries with [`crate::webhooks::verify`].
    pub fn create(&self, params: &CreateWebhookEndpoint) -> Request<'a, WebhookEndpoint> {
        self.client.request(Method::POST, "/v1/webhook_endpoints".into()).json(params)
    }

    /// Retrieves an endpoint (without its secret).
    pub fn retrieve(&self, id: &str) -> Request<'a, WebhookEndpoint> {
        self.client.request(Method::GET, format!("/v1/webhook_endpoints/{}", segment(id)))
    }

    /// Changes an endpoint; `active: Some(false)` disables it.
    pub fn update(&self, id: &str, params: &UpdateWebhookEndpoint) -> Request<'a, WebhookEndpoint> {
        self.client.request(Method::POST, format!("/v1/webhook_endpoints/{}", segment(id))).json(params)
    }

    /// Deletes an endpoint.
    pub fn delete(&self, id: &str) -> Request<'a, Deleted> {
        self.client.request(Method::DELETE, format!("/v1/webhook_endpoints/{}", segment(id)))
    }

    /// One page of endpoints, newest first.
    pub fn list(&self, params: &ListParams) -> Request<'a, List<WebhookEndpoint>> {
        let mut query = Vec::new();
        params.push_query(&mut query);
        self.client.request(Method::GET, "/v1/webhook_endpoints".into()).query(query)
    }

    /// Every endpoint, fetched lazily.
    pub fn list_all(&self, params: ListParams) -> impl Stream<Item = Result<WebhookEndpoint, Error>> + 'a {
        let this = *self;
        let first = params.page_token.clone();
        paginate(first, move |token| {
            let page = ListParams { page_token: token, ..params.clone() };
            this.list(&page).into_future()
        })
    }

    /// Replaces the signing secret; the answer carries the new one. The old secret keeps
    /// signing (as a second `v1`) for `expires_in` seconds (default one day).
    pub fn rotate_secret(&self, id: &str, params: &RotateWebhookSecret) -> Request<'a, WebhookEndpoint> {
        self.client.request(Method::POST, format!("/v1/webhook_endpoints/{}/rotate_secret", segment(id))).json(params)
    }

    /// Every delivery attempt at this endpoint, newest first.
    pub fn deliveries(&self, id: &str, params: &ListParams) -> Request<'a, List<WebhookAttempt>> {
        let mut query = Vec::new();
        params.push_query(&mut query);
        self.client.request(Method::GET, format!("/v1/webhook_endpoints/{}/deliveries", segment(id))).query(query)
    }
}
