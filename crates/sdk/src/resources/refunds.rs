//! `/v1/refunds`

use crate::client::Client;
use crate::error::Error;
use crate::pagination::paginate;
use crate::request::{Request, segment};
use futures_core::Stream;
use kassa_api::{CreateRefund, List, ListRefunds, Refund, UpdateRefund};
use reqwest::Method;

/// Refunds. Get one with [`Client::refunds`].
#[derive(Debug, Clone, Copy)]
pub struct Refunds<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Refunds<'a> {
    /// Refunds all or part of a payment's captured funds. Answers once the processor has
    /// (status `succeeded` or `failed`), or with `pending` if it is slow.
    pub fn create(&self, params: &CreateRefund) -> Request<'a, Refund> {
        self.client.request(Method::POST, "/v1/refunds".into()).json(params)
    }

    /// Retrieves a refund; `.expand("payment_intent")` includes the payment.
    pub fn retrieve(&self, id: &str) -> Request<'a, Refund> {
        self.client.request(Method::GET, format!("/v1/refunds/{}", segment(id)))
    }

    /// Changes a refund's metadata.
    pub fn update(&self, id: &str, params: &UpdateRefund) -> Request<'a, Refund> {
        self.client.request(Method::POST, format!("/v1/refunds/{}", segment(id))).json(params)
    }

    /// One page of refunds, newest first.
    pub fn list(&self, params: &ListRefunds) -> Request<'a, List<Refund>> {
        self.client.request(Method::GET, "/v1/refunds".into()).query(params.to_query())
    }

    /// Every refund matching `params`, fetched lazily.
    pub fn list_all(&self, params: ListRefunds) -> impl Stream<Item = Result<Refund, Error>> + 'a {
        let this = *self;
        let first = params.page.page_token.clone();
        paginate(first, move |token| {
            let mut page = params.clone();
            page.page.page_token = token;
            this.list(&page).into_future()
        })
    }
}
