//! `/v1/captures` and a payment intent's captures.

use crate::client::Client;
use crate::request::{Request, segment};
use kassa_api::{Capture, List, ListParams};
use reqwest::Method;

/// Captures: each taking of a payment's held funds, as a record. Get one with
/// [`Client::captures`]; captures are made with
/// [`PaymentIntents::capture`](crate::resources::PaymentIntents::capture).
#[derive(Debug, Clone, Copy)]
pub struct Captures<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Captures<'a> {
    /// Retrieves a capture.
    pub fn retrieve(&self, id: &str) -> Request<'a, Capture> {
        self.client.request(Method::GET, format!("/v1/captures/{}", segment(id)))
    }

    /// One page of a payment intent's captures, oldest first.
    pub fn of_payment_intent(&self, payment_intent: &str, page: &ListParams) -> Request<'a, List<Capture>> {
        let mut query = Vec::new();
        page.push_query(&mut query);
        self.client
            .request(Method::GET, format!("/v1/payment_intents/{}/captures", segment(payment_intent)))
            .query(query)
    }
}
