//! `/v1/events`

use crate::client::Client;
use crate::error::Error;
use crate::pagination::paginate;
use crate::request::{Request, segment};
use futures_core::Stream;
use kassa_api::{Event, List, ListEvents, ListParams, RedeliverEvent, WebhookAttempt, WebhookDelivery};
use reqwest::Method;

/// Events. Get one with [`Client::events`].
#[derive(Debug, Clone, Copy)]
pub struct Events<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Events<'a> {
    /// Retrieves an event.
    pub fn retrieve(&self, id: &str) -> Request<'a, Event> {
        self.client.request(Method::GET, format!("/v1/events/{}", segment(id)))
    }

    /// One page of events, newest first.
    pub fn list(&self, params: &ListEvents) -> Request<'a, List<Event>> {
        self.client.request(Method::GET, "/v1/events".into()).query(params.to_query())
    }

    /// Every event matching `params`, fetched lazily.
    pub fn list_all(&self, params: ListEvents) -> impl Stream<Item = Result<Event, Error>> + 'a {
        let this = *self;
        let first = params.page.page_token.clone();
        paginate(first, move |token| {
            let mut page = params.clone();
            page.page.page_token = token;
            this.list(&page).into_future()
        })
    }

    /// Every attempt to deliver this event to a webhook endpoint, newest first.
    pub fn deliveries(&self, id: &str, params: &ListParams) -> Request<'a, List<WebhookAttempt>> {
        let mut query = Vec::new();
        params.push_query(&mut query);
        self.client.request(Method::GET, format!("/v1/events/{}/deliveries", segment(id))).query(query)
    }

    /// Queues the event again: to `params.endpoint`, or to every subscribed endpoint.
    pub fn redeliver(&self, id: &str, params: &RedeliverEvent) -> Request<'a, List<WebhookDelivery>> {
        self.client.request(Method::POST, format!("/v1/events/{}/redeliver", segment(id))).json(params)
    }
}
