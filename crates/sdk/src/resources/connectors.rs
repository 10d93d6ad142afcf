//! `/v1/connectors`

use crate::client::Client;
use crate::error::Error;
use crate::pagination::paginate;
use crate::request::{Request, segment};
use futures_core::Stream;
use kassa_api::{Connector, CreateConnector, Deleted, List, ListParams, UpdateConnector};
use reqwest::Method;

/// Connectors: the merchant's accounts at payment providers. Get one with
/// [`Client::connectors`].
#[derive(Debug, Clone, Copy)]
pub struct Connectors<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Connectors<'a> {
    /// Adds a connector; the gateway checks the credentials with the provider first. They are
    /// never answered back.
    pub fn create(&self, params: &CreateConnector) -> Request<'a, Connector> {
        self.client.request(Method::POST, "/v1/connectors".into()).json(params)
    }

    /// Retrieves a connector.
    pub fn retrieve(&self, id: &str) -> Request<'a, Connector> {
        self.client.request(Method::GET, format!("/v1/connectors/{}", segment(id)))
    }

    /// Rotates a connector's credentials, moves its base URL or changes its description.
    pub fn update(&self, id: &str, params: &UpdateConnector) -> Request<'a, Connector> {
        self.client.request(Method::POST, format!("/v1/connectors/{}", segment(id))).json(params)
    }

    /// Deletes a connector.
    pub fn delete(&self, id: &str) -> Request<'a, Deleted> {
        self.client.request(Method::DELETE, format!("/v1/connectors/{}", segment(id)))
    }

    /// One page of connectors, newest first.
    pub fn list(&self, params: &ListParams) -> Request<'a, List<Connector>> {
        let mut query = Vec::new();
        params.push_query(&mut query);
        self.client.request(Method::GET, "/v1/connectors".into()).query(query)
    }

    /// Every connector, fetched lazily.
    pub fn list_all(&self, params: ListParams) -> impl Stream<Item = Result<Connector, Error>> + 'a {
        let this = *self;
        let first = params.page_token.clone();
        paginate(first, move |token| {
            let page = ListParams { page_token: token, ..params.clone() };
            this.list(&page).into_future()
        })
    }
}
