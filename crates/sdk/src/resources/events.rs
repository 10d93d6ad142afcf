//! `/v1/events`

use crate::client::Client;
use crate::error::Error;
use crate::pagination::paginate;
use crate::request::{Request, segment};
use futures_core::Stream;
use kassa_api::{Event, List, ListEvents};
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
}
