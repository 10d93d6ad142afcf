//! `/v1/customers`

use crate::client::Client;
use crate::error::Error;
use crate::pagination::paginate;
use crate::request::{Request, segment};
use futures_core::Stream;
use kassa_api::{CreateCustomer, Customer, Deleted, List, ListCustomers, UpdateCustomer};
use reqwest::Method;

/// Customers: the people your payments are for. Get one with [`Client::customers`].
#[derive(Debug, Clone, Copy)]
pub struct Customers<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Customers<'a> {
    /// Creates a customer.
    pub fn create(&self, params: &CreateCustomer) -> Request<'a, Customer> {
        self.client.request(Method::POST, "/v1/customers".into()).json(params)
    }

    /// Retrieves a customer.
    pub fn retrieve(&self, id: &str) -> Request<'a, Customer> {
        self.client.request(Method::GET, format!("/v1/customers/{}", segment(id)))
    }

    /// Changes a customer's details (an empty string clears a field; metadata merges).
    pub fn update(&self, id: &str, params: &UpdateCustomer) -> Request<'a, Customer> {
        self.client.request(Method::POST, format!("/v1/customers/{}", segment(id))).json(params)
    }

    /// Deletes a customer.
    pub fn delete(&self, id: &str) -> Request<'a, Deleted> {
        self.client.request(Method::DELETE, format!("/v1/customers/{}", segment(id)))
    }

    /// One page of customers, newest first.
    pub fn list(&self, params: &ListCustomers) -> Request<'a, List<Customer>> {
        self.client.request(Method::GET, "/v1/customers".into()).query(params.to_query())
    }

    /// Every customer matching `params`, fetched lazily.
    pub fn list_all(&self, params: ListCustomers) -> impl Stream<Item = Result<Customer, Error>> + 'a {
        let this = *self;
        let first = params.page.page_token.clone();
        paginate(first, move |token| {
            let mut page = params.clone();
            page.page.page_token = token;
            this.list(&page).into_future()
        })
    }
}
