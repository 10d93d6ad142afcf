//! `/v1/products` and `/v1/prices`

use crate::client::Client;
use crate::error::Error;
use crate::pagination::paginate;
use crate::request::{Request, segment};
use futures_core::Stream;
use kassa_api::{CreatePrice, CreateProduct, List, ListParams, ListPrices, Price, Product, UpdatePrice, UpdateProduct};
use reqwest::Method;

/// Products: what you sell. Get one with [`Client::products`].
#[derive(Debug, Clone, Copy)]
pub struct Products<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Products<'a> {
    /// Creates a product.
    pub fn create(&self, params: &CreateProduct) -> Request<'a, Product> {
        self.client.request(Method::POST, "/v1/products".into()).json(params)
    }

    /// Retrieves a product.
    pub fn retrieve(&self, id: &str) -> Request<'a, Product> {
        self.client.request(Method::GET, format!("/v1/products/{}", segment(id)))
    }

    /// Changes a product.
    pub fn update(&self, id: &str, params: &UpdateProduct) -> Request<'a, Product> {
        self.client.request(Method::POST, format!("/v1/products/{}", segment(id))).json(params)
    }

    /// One page of products, newest first.
    pub fn list(&self, params: &ListParams) -> Request<'a, List<Product>> {
        let mut query = Vec::new();
        params.push_query(&mut query);
        self.client.request(Method::GET, "/v1/products".into()).query(query)
    }

    /// Every product, fetched lazily.
    pub fn list_all(&self, params: ListParams) -> impl Stream<Item = Result<Product, Error>> + 'a {
        let this = *self;
        let first = params.page_token.clone();
        paginate(first, move |token| {
            let page = ListParams { page_token: token, ..params.clone() };
            this.list(&page).into_future()
        })
    }
}

/// Prices: how much a product costs. Get one with [`Client::prices`].
#[derive(Debug, Clone, Copy)]
pub struct Prices<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Prices<'a> {
    /// Creates a price of a product.
    pub fn create(&self, params: &CreatePrice) -> Request<'a, Price> {
        self.client.request(Method::POST, "/v1/prices".into()).json(params)
    }

    /// Retrieves a price.
    pub fn retrieve(&self, id: &str) -> Request<'a, Price> {
        self.client.request(Method::GET, format!("/v1/prices/{}", segment(id)))
    }

    /// Changes a price's labels or whether it is active.
    pub fn update(&self, id: &str, params: &UpdatePrice) -> Request<'a, Price> {
        self.client.request(Method::POST, format!("/v1/prices/{}", segment(id))).json(params)
    }

    /// One page of prices, newest first.
    pub fn list(&self, params: &ListPrices) -> Request<'a, List<Price>> {
        self.client.request(Method::GET, "/v1/prices".into()).query(params.to_query())
    }

    /// Every price matching `params`, fetched lazily.
    pub fn list_all(&self, params: ListPrices) -> impl Stream<Item = Result<Price, Error>> + 'a {
        let this = *self;
        let first = params.page.page_token.clone();
        paginate(first, move |token| {
            let mut page = params.clone();
            page.page.page_token = token;
            this.list(&page).into_future()
        })
    }
}
