//! `/v1/tokens`: saved cards.

use crate::client::Client;
use crate::error::Error;
use crate::pagination::paginate;
use crate::request::{Request, segment};
use futures_core::Stream;
use kassa_api::{List, ListTokens, Token};
use reqwest::Method;

/// Saved cards, created by setup checkout sessions
/// ([`CreateCheckoutSession::setup`](kassa_api::CreateCheckoutSession::setup)) and charged with
/// [`CreatePaymentIntent::token`](kassa_api::CreatePaymentIntent::token). Get one with
/// [`Client::tokens`].
#[derive(Debug, Clone, Copy)]
pub struct Tokens<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Tokens<'a> {
    /// Retrieves a token (a deleted one is [`Error::Api`] 404).
    pub fn retrieve(&self, id: &str) -> Request<'a, Token> {
        self.client.request(Method::GET, format!("/v1/tokens/{}", segment(id)))
    }

    /// One page of tokens, newest first.
    pub fn list(&self, params: &ListTokens) -> Request<'a, List<Token>> {
        self.client.request(Method::GET, "/v1/tokens".into()).query(params.to_query())
    }

    /// Every token matching `params`, fetched lazily.
    pub fn list_all(&self, params: ListTokens) -> impl Stream<Item = Result<Token, Error>> + 'a {
        let this = *self;
        let first = params.page.page_token.clone();
        paginate(first, move |token| {
            let mut page = params.clone();
            page.page.page_token = token;
            this.list(&page).into_future()
        })
    }

    /// Disables an active token: it cannot be charged until enabled. A token whose card is not
    /// saved yet (or was refused) is a 409 naming its status.
    pub fn disable(&self, id: &str) -> Request<'a, Token> {
        self.client.request(Method::POST, format!("/v1/tokens/{}/disable", segment(id)))
    }

    /// Enables a disabled token again.
    pub fn enable(&self, id: &str) -> Request<'a, Token> {
        self.client.request(Method::POST, format!("/v1/tokens/{}/enable", segment(id)))
    }

    /// Deletes a token for good; the answer has status `deleted`.
    pub fn delete(&self, id: &str) -> Request<'a, Token> {
        self.client.request(Method::DELETE, format!("/v1/tokens/{}", segment(id)))
    }
}
